"""Signing in to Microsoft 365 with OAuth 2.0, for sending (SMTP) and reading (IMAP) with SASL
XOAUTH2 instead of a password, which Exchange Online refuses from the end of December 2026.

MSAL's PublicClientApplication does the work: an interactive sign-in in the system browser (or
the device-code flow where there is no browser), tokens kept in the token cache
(`token_cache.py`) and refreshed silently from then on, also in the middle of a long send. The
tenant and the app registration's client id come from options or the environment, never from
the campaign file; no password or token ever leaves the machine except to Microsoft's sign-in
service and the mail server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bluekit.errors import BluekitError

if TYPE_CHECKING:
    import msal

    from bluekit.mail.token_cache import TokenCache

TENANT_ENV = "BLUEKIT_TENANT_ID"
CLIENT_ENV = "BLUEKIT_CLIENT_ID"
# Another sign-in service (a national cloud, or the tests' own): its base URL.
AUTHORITY_ENV = "BLUEKIT_AUTHORITY"
MICROSOFT = "https://login.microsoftonline.com"

SMTP_SCOPE = "https://outlook.office.com/SMTP.Send"
IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"
# Both at sign-in, so one consent covers sending and reading. MSAL adds offline_access (the
# refresh token), openid and profile itself, and refuses them in this list.
SCOPES = (SMTP_SCOPE, IMAP_SCOPE)

# Microsoft 365's mail servers, which take OAuth only (from 2027): `--auth auto` signs in to
# them with a token and to any other server with a password.
MICROSOFT_MAIL_HOSTS = ("smtp.office365.com", "outlook.office365.com", "outlook.office.com",
                        "smtp-mail.outlook.com")

# How long before its end a token is replaced, for a connection to open with time to spare.
REFRESH_MARGIN = 300.0


def uses_oauth(auth: str, host: str) -> bool:
    """Whether to sign in with a token: `--auth oauth`, or `auto` on Microsoft's servers."""
    return auth == "oauth" or (auth == "auto" and host.lower().rstrip(".") in MICROSOFT_MAIL_HOSTS)


class SignInError(BluekitError):
    """Signing in to Microsoft 365 failed, or is needed first."""


@dataclass(frozen=True)
class AccessToken:
    """A bearer token for the mail server, whose account it is, and until when it holds (a
    `time.time()` moment). Never printed."""

    value: str = field(repr=False)
    account: str
    expires_at: float

    def expires_soon(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) >= self.expires_at - REFRESH_MARGIN


class TokenSource(Protocol):
    """What a connection asks for a token: a valid one, or a fresh one (`force_refresh`)."""

    def __call__(self, *, force_refresh: bool = False) -> AccessToken: ...


@dataclass(frozen=True)
class Tenant:
    """The organisation's directory and bluekit's app registration in it."""

    tenant: str
    client_id: str
    authority_host: str = MICROSOFT

    @classmethod
    def from_options(cls, tenant: str | None, client_id: str | None) -> Tenant:
        """The options, else BLUEKIT_TENANT_ID and BLUEKIT_CLIENT_ID."""
        tenant = (tenant or os.environ.get(TENANT_ENV, "")).strip()
        client_id = (client_id or os.environ.get(CLIENT_ENV, "")).strip()
        missing = [n for n, v in (("--tenant", tenant), ("--client-id", client_id)) if not v]
        if missing:
            raise SignInError(
                f"Microsoft 365 sign-in needs {' and '.join(missing)}",
                hint=f"ask IT for the tenant id and the app's client id, then set {TENANT_ENV} "
                f"and {CLIENT_ENV} (or pass --tenant and --client-id); see the README, "
                '"Sending from Microsoft 365"',
            )
        host = (os.environ.get(AUTHORITY_ENV) or MICROSOFT).rstrip("/")
        return cls(tenant, client_id, host)

    @property
    def authority(self) -> str:
        return f"{self.authority_host}/{self.tenant}"


class MicrosoftSignIn:
    """Sign-in, silent tokens and sign-out for one tenant, with one token cache."""

    def __init__(self, tenant: Tenant, cache: TokenCache) -> None:
        self.tenant = tenant
        self.cache = cache
        self._app: msal.PublicClientApplication | None = None

    def _client(self) -> msal.PublicClientApplication:
        if self._app is None:
            import msal

            try:
                self._app = msal.PublicClientApplication(
                    self.tenant.client_id,
                    authority=self.tenant.authority,
                    token_cache=self.cache.cache,
                    # only Microsoft's own service is asked which authorities exist
                    instance_discovery=self.tenant.authority_host == MICROSOFT,
                )
            except (ValueError, OSError) as exc:  # unknown tenant, sign-in service unreachable
                raise SignInError(
                    f"cannot reach the sign-in service for tenant {self.tenant.tenant!r}: {exc}",
                    hint=f"check the tenant id ({TENANT_ENV}) and the network",
                ) from None
        return self._app

    def login(
        self, *, device_code: bool, user: str | None, show: Callable[[str], None]
    ) -> str:
        """Sign in once (browser, or a code to type on another device) and return the account.
        `show` tells the person what to do."""
        app = self._client()
        if device_code:
            flow = app.initiate_device_flow(scopes=list(SCOPES))
            if "user_code" not in flow:
                raise _failed(flow, "the device-code sign-in could not start")
            show(str(flow["message"]))
            result = app.acquire_token_by_device_flow(flow)
        else:
            if not _browser_available():
                raise SignInError(
                    "no browser can be opened here to sign in", hint="use --device-code"
                )
            show("a browser window opens to sign in to Microsoft 365 (use --device-code "
                 "where there is no browser)")
            result = app.acquire_token_interactive(
                list(SCOPES), login_hint=user, prompt="select_account", timeout=300
            )
        if "access_token" not in result:
            raise _failed(result, "the sign-in did not succeed")
        claims = result.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or user or "")

    def accounts(self) -> list[str]:
        """The accounts signed in on this machine."""
        return [str(a["username"]) for a in self._client().get_accounts()]

    def token(self, user: str | None, *, force_refresh: bool = False) -> AccessToken:
        """A valid access token for `user` (the only account when None), from the cache or
        refreshed silently with the refresh token; never asks the person."""
        app = self._client()
        account = self._account(app, user)
        try:
            result = app.acquire_token_silent_with_error(
                list(SCOPES), account=account, force_refresh=force_refresh
            )
        except OSError as exc:  # requests' errors: no network, a proxy, a certificate
            raise SignInError(
                f"cannot reach Microsoft's sign-in service to renew the sign-in of "
                f"{account['username']} ({exc.__class__.__name__})",
                hint="check the network (and HTTPS_PROXY), then run the command again",
            ) from None
        if not result or "access_token" not in result:
            raise SignInError(
                f"the Microsoft 365 sign-in of {account['username']} has expired or was "
                f"revoked ({(result or {}).get('error', 'no token in the cache')})",
                hint="run `bluekit auth login` again",
            )
        return AccessToken(
            str(result["access_token"]), str(account["username"]),
            time.time() + float(result.get("expires_in", 0)),
        )

    def _account(self, app: msal.PublicClientApplication, user: str | None) -> dict[str, Any]:
        accounts = app.get_accounts(username=user) if user else app.get_accounts()
        if len(accounts) == 1:
            return dict(accounts[0])
        if not accounts:
            raise SignInError(
                f"{user or 'nobody'} is not signed in to Microsoft 365 on this machine",
                hint="run `bluekit auth login` first" + (f" (as {user})" if user else ""),
            )
        names = ", ".join(str(a["username"]) for a in accounts)
        raise SignInError(
            f"several accounts are signed in ({names})", hint="pass --user to choose one"
        )

    def logout(self, user: str | None) -> list[str]:
        """Remove the account (every account when None) from the cache; returns who."""
        app = self._client()
        accounts = app.get_accounts(username=user) if user else app.get_accounts()
        for account in accounts:
            app.remove_account(account)
        return [str(a["username"]) for a in accounts]

    def source(self, user: str | None) -> TokenSource:
        """The tokens of one account, as a connection asks for them."""

        def fetch(*, force_refresh: bool = False) -> AccessToken:
            return self.token(user, force_refresh=force_refresh)

        return fetch


def _browser_available() -> bool:
    """Whether the system has a browser to open (`webbrowser` honours $BROWSER): MSAL would
    otherwise wait five minutes for a sign-in nobody can see."""
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def _failed(result: dict[str, Any], what: str) -> SignInError:
    """A sign-in error with Microsoft's own explanation, and the usual fixes."""
    error = str(result.get("error", "unknown_error"))
    text = str(result.get("error_description", "")).splitlines()[0:1]
    hints = {
        "invalid_client": "the client id is not a public-client app registration: ask IT",
        "unauthorized_client": "the app registration must allow public client flows: ask IT",
        "consent_required": "an administrator must grant consent to the app: ask IT",
        "authorization_declined": "the sign-in was cancelled; run the command again",
        "expired_token": "the code was not entered in time; run the command again",
    }
    return SignInError(
        f"{what}: {error}" + (f" ({text[0]})" if text else ""),
        hint=hints.get(error, "see the README, \"Sending from Microsoft 365\""),
    )


def xoauth2(user: str, token: AccessToken) -> str:
    """The SASL XOAUTH2 initial response (before base64), as SMTP and IMAP take it."""
    return f"user={user}\x01auth=Bearer {token.value}\x01\x01"
