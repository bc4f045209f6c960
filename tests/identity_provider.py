"""A Microsoft identity platform of the tests' own, over HTTPS on loopback (MSAL refuses http://
authorities): the OpenID configuration, the authorize endpoint (authorization code with PKCE,
redirected to MSAL's local listener), the device-code endpoint and the token endpoint with its
three grants, as the v2.0 endpoints document them, errors included (`authorization_pending`,
`invalid_grant`, `invalid_client`). It keeps the access tokens it issued, so the tests' mail
servers can check a bearer token the way Exchange does.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

TENANT = "tests.onmicrosoft.com"
CLIENT_ID = "0d5e1f0c-6d2a-4c9b-9d0e-b10e4ea47000"
USER = "campagne@just.fgov.be"
SMTP_SCOPE = "https://outlook.office.com/SMTP.Send"
IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Issued:
    """An access token the provider gave out: for whom, which scopes, until when (real time)."""

    user: str
    scopes: set[str]
    expires_at: float


@dataclass
class IdentityProvider:
    """The provider's state; `lifetime` is the access tokens' life in seconds."""

    server: HTTPServer
    lifetime: int = 3600
    user: str = USER
    access_tokens: dict[str, Issued] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> user
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    device_codes: dict[str, tuple[int, str]] = field(default_factory=dict)  # polls left, scope
    grants: list[str] = field(default_factory=list)  # every grant_type asked, in order
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"https://localhost:{self.server.port}"

    def install(self) -> None:
        prefix = f"/{TENANT}"
        self.server.expect_request(f"{prefix}/v2.0/.well-known/openid-configuration").respond_with_json(
            self.configuration()
        )
        self.server.expect_request(f"{prefix}/oauth2/v2.0/authorize").respond_with_handler(
            self.authorize
        )
        self.server.expect_request(
            f"{prefix}/oauth2/v2.0/devicecode", method="POST"
        ).respond_with_handler(self.devicecode)
        self.server.expect_request(
            f"{prefix}/oauth2/v2.0/token", method="POST"
        ).respond_with_handler(self.token)

    def configuration(self) -> dict[str, Any]:
        root = f"{self.base}/{TENANT}"
        return {
            "issuer": f"{root}/v2.0",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "profile", "offline_access"],
        }

    # --- endpoints ---------------------------------------------------------------------------

    def authorize(self, request: Request) -> Response:
        """The user signs in (in a browser) and is sent back to the app's redirect URI."""
        args = request.args
        if args.get("client_id") != CLIENT_ID:
            return Response("unknown client", status=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": args.get("code_challenge", ""),
            "nonce": args.get("nonce", ""),
            "redirect_uri": args.get("redirect_uri", ""),
            "scope": args.get("scope", ""),
        }
        answer = {"code": code, "state": args.get("state", "")}
        if args.get("response_mode") == "form_post":  # what MSAL's local listener asks for
            fields = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in answer.items()
            )
            page = (f'<html><body onload="document.forms[0].submit()"><form method="post" '
                    f'action="{html.escape(args["redirect_uri"])}">{fields}</form></body></html>')
            return Response(page, content_type="text/html")
        query = urllib.parse.urlencode(answer)
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def devicecode(self, request: Request) -> Response:
        if request.form.get("client_id") != CLIENT_ID:
            return _error("invalid_client", "AADSTS700016: application not found")
        device_code = secrets.token_urlsafe(24)
        # the first poll: the person has not typed it in yet
        self.device_codes[device_code] = (1, request.form.get("scope", ""))
        return Response(json.dumps({
            "device_code": device_code, "user_code": "BLUE-HEART", "interval": 1,
            "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900,
            "message": "To sign in, use a web browser to open the page "
                       "https://microsoft.com/devicelogin and enter the code BLUE-HEART.",
        }), content_type="application/json")

    def token(self, request: Request) -> Response:
        form = request.form
        grant = form.get("grant_type", "")
        with self.lock:
            self.grants.append(grant)
        if form.get("client_id") != CLIENT_ID:
            return _error("invalid_client", "AADSTS700016: application not found")
        scopes = set(form.get("scope", "").split())
        nonce = ""
        if grant == "authorization_code":
            found = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            expected = _b64url(hashlib.sha256(verifier.encode()).digest())
            if found is None or found["challenge"] != expected:
                return _error("invalid_grant", "AADSTS70008: the code is invalid or expired")
            nonce = found["nonce"]
            scopes = scopes or set(found["scope"].split())
        elif grant == "urn:ietf:params:oauth:grant-type:device_code":
            found_device = self.device_codes.get(form.get("device_code", ""))
            if found_device is None:
                return _error("expired_token", "AADSTS70020: the device code expired")
            pending, scope = found_device
            if pending > 0:
                self.device_codes[form["device_code"]] = (pending - 1, scope)
                return _error("authorization_pending", "AADSTS70016: waiting for the user")
            del self.device_codes[form["device_code"]]
            scopes = set(scope.split())  # the token request itself names none (RFC 8628)
        elif grant == "refresh_token":
            if self.refresh_tokens.pop(form.get("refresh_token", ""), None) is None:
                return _error("invalid_grant", "AADSTS700082: the refresh token has expired")
        else:
            return _error("unsupported_grant_type", grant)
        return Response(json.dumps(self._tokens(scopes, nonce)), content_type="application/json")

    def _tokens(self, scopes: set[str], nonce: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        granted = {s for s in scopes if s.startswith("https://outlook.office.com/")}
        # a refresh token only for a client that asked for offline_access, as Entra ID does
        # (a refresh keeps what was granted: its request repeats the scopes)
        offline = "offline_access" in scopes
        with self.lock:
            self.access_tokens[access] = Issued(self.user, granted, time.time() + self.lifetime)
            if offline:
                self.refresh_tokens[refresh] = self.user
        now = int(time.time())
        claims = {
            "iss": f"{self.base}/{TENANT}/v2.0", "aud": CLIENT_ID, "iat": now, "nbf": now,
            "exp": now + 3600, "sub": "sub-1", "oid": "00000000-0000-0000-0000-0000000000b1",
            "tid": "00000000-0000-0000-0000-00000000001d", "preferred_username": self.user,
            "name": "Campagne Blue Heart", **({"nonce": nonce} if nonce else {}),
        }
        id_token = ".".join((
            _b64url(b'{"alg":"none","typ":"JWT"}'), _b64url(json.dumps(claims).encode()), ""
        ))
        client_info = {"uid": claims["oid"], "utid": claims["tid"]}
        return {
            "token_type": "Bearer", "scope": " ".join(sorted(granted)),
            "expires_in": self.lifetime, "ext_expires_in": self.lifetime,
            "access_token": access, **({"refresh_token": refresh} if offline else {}),
            "id_token": id_token,
            "client_info": _b64url(json.dumps(client_info).encode()),
        }

    # --- what the mail servers ask -----------------------------------------------------------

    def valid(self, token: str, user: str, scope: str) -> bool:
        """Whether a bearer token is one this provider issued, for `user`, with `scope`, and
        not expired: what Exchange checks at AUTH XOAUTH2."""
        with self.lock:
            issued = self.access_tokens.get(token)
        return (
            issued is not None and issued.user == user and scope in issued.scopes
            and time.time() < issued.expires_at
        )

    def expire_all(self) -> None:
        """Every access and refresh token revoked (the user's password changed, say)."""
        with self.lock:
            self.access_tokens.clear()
            self.refresh_tokens.clear()


def _error(error: str, description: str) -> Response:
    body = {"error": error, "error_description": description, "error_codes": [0]}
    return Response(json.dumps(body), status=400, content_type="application/json")


def xoauth2_parts(initial: bytes) -> tuple[str, str]:
    """(user, bearer token) of a SASL XOAUTH2 initial response (after base64)."""
    fields = dict(
        part.split("=", 1) for part in initial.decode().split("\x01") if "=" in part
    )
    return fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
