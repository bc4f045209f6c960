"""The SMTP side of sending: where and how to connect (STARTTLS, SSL or neither, with a login),
one connection that is opened on first use and dropped after a failure, and the errors that
stop sending at all. The password is never printed, logged or stored.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import Message
from typing import Literal

from bluekit.errors import BluekitError


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


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. The password is never printed, logged or stored."""

    host: str
    port: int
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    def connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                server: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    server.starttls(context=context)
            if self.user:
                server.login(self.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"the server {self.host} refused the login of {self.user!r} "
                f"({exc.smtp_code} {reply_text(exc.smtp_error)})",
                hint="check the user name and the password (BLUEKIT_SMTP_PASSWORD)",
            ) from None
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


def reply_text(value: bytes | str) -> str:
    """The text of a server's reply, as smtplib hands it over (bytes, mostly)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Connection:
    """The connection a run sends over: opened when the first message goes out, and opened
    again for the next message after a failure dropped it."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._server: smtplib.SMTP | None = None

    def send(self, message: Message, to: str) -> None:
        if self._server is None:
            self._server = self._settings.connect()
        self._server.send_message(message, to_addrs=[to])

    def drop(self) -> None:
        """Say goodbye, or just close when the server does not answer any more."""
        server, self._server = self._server, None
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
