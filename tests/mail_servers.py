"""The tests' Microsoft 365 on loopback: the identity provider over HTTPS (a trustme
certificate), an SMTP server that signs in with SASL XOAUTH2 and checks the bearer token with
that provider, and one that refuses passwords as Exchange Online does from 2027 on
("550 5.7.30 Basic authentication is not supported for Client Submission").
"""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pytest_httpserver import HTTPServer

from .conftest import MailSink, _free_port
from .identity_provider import CLIENT_ID, SMTP_SCOPE, TENANT, IdentityProvider, xoauth2_parts


@contextmanager
def identity_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[IdentityProvider]:
    """The provider started on an HTTPS port, and bluekit pointed at it: authority, tenant,
    client id, the CA to trust (requests honours REQUESTS_CA_BUNDLE) and a token cache of the
    test's own."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = HTTPServer(host="localhost", port=_free_port(), ssl_context=context)
    server.start()
    provider = IdentityProvider(server)
    provider.install()
    for name, value in {
        "REQUESTS_CA_BUNDLE": str(ca_file),
        "BLUEKIT_AUTHORITY": provider.base,
        "BLUEKIT_TENANT_ID": TENANT,
        "BLUEKIT_CLIENT_ID": CLIENT_ID,
        "BLUEKIT_TOKEN_CACHE": str(tmp_path / "token-cache" / "msal.bin"),
    }.items():
        monkeypatch.setenv(name, value)
    try:
        yield provider
    finally:
        server.clear()
        server.stop()


@dataclass
class OAuthSink(MailSink):
    """Exchange's side of XOAUTH2: the bearer token must be one the provider issued for this
    user with SMTP.Send and still valid; otherwise the JSON error challenge, then 535."""

    provider: IdentityProvider | None = None
    tokens_used: list[str] = field(default_factory=list)
    logins: int = 0

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        if len(args) > 2:
            initial = base64.b64decode(args[2])
        else:
            answer = await server.challenge_auth("")
            initial = answer if isinstance(answer, bytes) else b""
        user, token = xoauth2_parts(initial)
        assert self.provider is not None
        if self.provider.valid(token, user, SMTP_SCOPE):
            self.tokens_used.append(token)
            self.logins += 1
            return AuthResult(success=True, auth_data=user)
        error = json.dumps({"status": "401", "schemes": "bearer", "scope": SMTP_SCOPE})
        await server.challenge_auth(error)  # the client answers with an empty line
        return AuthResult(
            success=False, handled=False, message="535 5.7.3 Authentication unsuccessful"
        )


def _refuse_passwords(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    return AuthResult(
        success=False, handled=False,
        message="550 5.7.30 Basic authentication is not supported for Client Submission",
    )


@contextmanager
def smtp(sink: MailSink) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1 that requires AUTH: XOAUTH2 (the sink's hook), and
    LOGIN/PLAIN answered the way a tenant without Basic authentication answers them."""
    controller = Controller(
        sink, hostname="127.0.0.1", port=_free_port(), authenticator=_refuse_passwords,
        auth_required=True, auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
