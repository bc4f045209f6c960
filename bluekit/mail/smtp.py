"""The SMTP side of sending: where and how to connect (STARTTLS, SSL or neither), how to sign
in (a password, or an OAuth 2.0 token with SASL XOAUTH2 for Microsoft 365), one connection that
is opened on first use, dropped after a failure and opened again with a fresh token before the
old one runs out, and the errors that stop sending at all. The password and the tokens are
never printed, logged or stored.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Literal

from bluekit.errors import BluekitError
from bluekit.mail.oauth import AccessToken, TokenSource, xoauth2


class SendError(BluekitError):
    """Sending cannot go on at all (no connection, refused login)."""


# Failures that may pass: the message is tried again on a new connection.
TEMPORARY = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    socket.timeout,
    TimeoutError,
)


class _Client(smtplib.SMTP):
    """smtplib's client, which tells its caller the moment a message's content goes to the
    server (the DATA command): only from then on can a message have arrived."""

    handing_over: Callable[[], None] | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        if self.handing_over is not None:
            self.handing_over()
        return super().data(msg)


class _SslClient(smtplib.SMTP_SSL):
    """The same, over SSL (port 465)."""

    handing_over: Callable[[], None] | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        if self.handing_over is not None:
            self.handing_over()
        return super().data(msg)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. The password is never printed, logged or stored."""

    host: str
    port: int
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    auth: Literal["password", "oauth"] = "password"
    tokens: TokenSource | None = field(default=None, repr=False, compare=False)

    def token(self) -> AccessToken | None:
        """The token to sign in with (None with a password): the cached one, or a fresh one
        when it ends within the margin."""
        if self.tokens is None:
            return None
        token = self.tokens()
        return self.tokens(force_refresh=True) if token.expires_soon() else token

    def connect(self, token: AccessToken | None = None) -> _Client | _SslClient:
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                server: _Client | _SslClient = _SslClient(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                server = _Client(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    server.starttls(context=context)
            self._sign_in(server, token)
        except smtplib.SMTPAuthenticationError as exc:
            raise refused(self.host, self.user, exc, oauth=token is not None) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SendError(
                f"{self.host}: {exc}", hint="try --security ssl or --security none"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(
                f"cannot connect to {self.host}:{self.port} ({exc.__class__.__name__}: {exc})",
                hint="check --host, --port and --security, and the network",
            ) from None
        return server

    def _sign_in(self, server: smtplib.SMTP, token: AccessToken | None) -> None:
        if token is not None:
            server.ehlo_or_helo_if_needed()
            if "XOAUTH2" not in server.esmtp_features.get("auth", "").upper().split():
                raise SendError(
                    f"{self.host} does not offer OAuth sign-in (SASL XOAUTH2)",
                    hint="use --auth password for this server",
                )
            user = self.user or token.account
            # An empty answer to the server's error challenge, which then says 535.
            server.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(user, token))
        elif self.user:
            server.login(self.user, self.password or "")


# What servers that refuse passwords answer: Exchange Online "550 5.7.30 Basic authentication is
# not supported for Client Submission", "535 5.7.139 Authentication unsuccessful, basic
# authentication is disabled", and others a plain 535.
PASSWORD_REFUSED = ("5.7.30", "5.7.139", "basic auth")


def refused(
    host: str, user: str | None, exc: smtplib.SMTPAuthenticationError, *, oauth: bool
) -> SendError:
    """The error for a refused sign-in, naming the fix: OAuth for a server that takes no
    passwords, the sign-in and the mailbox's settings for a refused token."""
    text = f"{exc.smtp_code} {reply_text(exc.smtp_error)}"
    if oauth:
        return SendError(
            f"the server {host} refused the OAuth sign-in of {user or 'the account'} ({text})",
            hint="run `bluekit auth login` again; if it persists, IT must enable authenticated "
            "SMTP for the mailbox and grant the app SMTP.Send (README, \"Sending from "
            "Microsoft 365\")",
        )
    if any(mark in text.lower() for mark in PASSWORD_REFUSED) or exc.smtp_code == 535:
        return SendError(
            f"the server {host} refused the login of {user!r} ({text})",
            hint="Microsoft 365 takes no passwords: sign in with `bluekit auth login`, then "
            "send with --auth oauth; elsewhere check the user name and BLUEKIT_SMTP_PASSWORD",
        )
    return SendError(
        f"the server {host} refused the login of {user!r} ({text})",
        hint="check the user name and the password (BLUEKIT_SMTP_PASSWORD), or use --auth oauth",
    )


def reply_text(value: bytes | str) -> str:
    """The text of a server's reply, as smtplib hands it over (bytes, mostly)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Connection:
    """The connection a run sends over: opened when the first message goes out, and opened
    again for the next message after a failure dropped it."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._server: _Client | _SslClient | None = None
        self._token: AccessToken | None = None

    def send(
        self, message: Message, to: str, handing_over: Callable[[], None] | None = None
    ) -> None:
        """Send one message; `handing_over` is called just before its content goes to the
        server, after the connection, the sign-in and the envelope were accepted."""
        if self._server is not None and self._token is not None and self._token.expires_soon():
            self.drop()  # the token runs out: the next connection signs in with a fresh one
        if self._server is None:
            self._token = self._settings.token()
            self._server = self._settings.connect(self._token)
        server = self._server
        server.handing_over = handing_over
        try:
            server.send_message(message, to_addrs=[to])
        finally:
            server.handing_over = None

    def drop(self) -> None:
        """Say goodbye, or just close when the server does not answer any more."""
        server, self._server = self._server, None
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
