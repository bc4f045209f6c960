"""E-mail: building messages (as planned outputs) and sending them safely over SMTP.

Sending follows mailmerge's safe defaults and goes further: a dry run unless told otherwise,
one message unless told otherwise, a rate limit, retries with back-off on temporary failures,
a permanent failure logged and the run going on, a CSV of failures, and a journal in the state
store so a message is never sent twice, also when a run is interrupted and run again.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import io
import json
import signal
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bluekit.errors import BluekitError, InputFileError, OutputError
from bluekit.files.atomic import write_atomic
from bluekit.files.excel_csv import excel_csv
from bluekit.pipeline.jobs import LazyJob

if TYPE_CHECKING:
    from bluekit.store.database import Store

POLICY = email.policy.SMTP.clone(max_line_length=78)


def message_id(campaign: Any, kind: str, code: str) -> str:
    """A stable Message-ID per campaign, kind and municipality: the same message keeps its id
    across runs, so a resend after an uncertain failure can be recognised by mail servers."""
    domain = campaign.invitation.sender.email.split("@")[-1]
    return f"<bluekit.{campaign.year}.{kind}.{code}@{domain}>"


@dataclass(frozen=True)
class EmailJob:
    """An e-mail with attachments taken from other planned files; built after them."""

    headers: tuple[tuple[str, str], ...]
    text: str
    html: str
    attachments: tuple[tuple[str, str, str, str], ...]  # (file name, path, mime type, fingerprint)
    date: dt.datetime
    label: str = ""
    template: str = "email"

    @property
    def needs(self) -> tuple[str, ...]:
        """The planned files it attaches: it is made once they are written."""
        return tuple(path for _, path, _, _ in self.attachments)

    def fingerprint(self) -> str:
        payload = json.dumps(
            ["email-v3", self.headers, self.text, self.html, self.attachments,
             self.date.isoformat()]
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def build(self, out_dir: Path) -> bytes:
        # Built with the classic email.mime classes: the same standard message as the newer
        # EmailMessage API makes, five times faster, which counts for 565 invitations.
        # Boundaries of our own, from the fingerprint: the same message gives the same bytes
        # (the generator would pick random ones, and compile a pattern per message to check
        # them). They start with "=_", which cannot occur in quoted-printable or base64 text,
        # the only encodings the parts use.
        token = self.fingerprint()[:32]
        alternative = MIMEMultipart("alternative", boundary=f"=_alternative_{token}")
        alternative.attach(MIMEText(self.text, "plain", _QP_UTF8))
        alternative.attach(MIMEText(self.html, "html", _QP_UTF8))
        message: MIMEBase = alternative
        if self.attachments:
            message = MIMEMultipart("mixed", boundary=f"=_mixed_{token}")
            message.attach(alternative)
        for filename, path, mime, _ in self.attachments:
            try:
                content = (out_dir / path).read_bytes()
            except FileNotFoundError:
                raise OutputError(f"{self.label}: the attachment {path} is missing") from None
            maintype, subtype = mime.split("/")
            part: MIMEBase
            if maintype == "text":
                part = MIMEText(content.decode("utf-8"), subtype, "utf-8")
            else:
                part = MIMEApplication(content, subtype)
            # RFC 2231: a file name with accents or a dash travels intact
            name: str | tuple[str, str, str] = (
                filename if filename.isascii() else ("utf-8", "", filename)
            )
            part.add_header("Content-Disposition", "attachment", filename=name)
            message.attach(part)
        for header, value in self.headers:
            message[header] = _encoded_header(header, value)
        message["Date"] = format_datetime(self.date)
        buffer = io.BytesIO()
        BytesGenerator(buffer, mangle_from_=False, policy=_GENERATOR_POLICY).flatten(message)
        return buffer.getvalue()


_QP_UTF8 = Charset("utf-8")
_QP_UTF8.body_encoding = QP
_GENERATOR_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=78)
_ADDRESS_HEADERS = {"from", "to", "cc", "reply-to"}


def _encoded_header(name: str, value: str) -> str | Header:
    """A header value as the standard wants it on the wire: addresses with their display name
    encoded, other non-ASCII text as an encoded word (RFC 2047)."""
    if name.lower() in _ADDRESS_HEADERS:
        display, address = parseaddr(value)
        return formataddr((display, address), charset="utf-8") if display else address
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name)


@dataclass(frozen=True)
class LazyEmailJob(LazyJob):
    """An e-mail whose texts are written only when it must be made (`make` gives its EmailJob):
    a rebuild with nothing changed does not write 565 invitations just to find them unchanged.
    Made after the files it attaches (`needs`)."""

    needs: tuple[str, ...] = ()  # the planned files it attaches
    template: str = "email"

    def build(self, out_dir: Path) -> bytes:
        return self.make().build(out_dir)  # type: ignore[no-any-return, union-attr]


# --- sending ----------------------------------------------------------------------------------


class SendError(BluekitError):
    """Sending cannot go on at all (no connection, refused login)."""


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
                f"({exc.smtp_code} {_decode(exc.smtp_error)})",
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


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Outgoing:
    """A message to send: who, in the journal under which key, and the .eml bytes."""

    code: str
    name: str
    email: str
    message: bytes


@dataclass
class SendReport:
    """What a send run did."""

    dry_run: bool
    sent: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)  # handed over, outcome unknown
    failed: list[tuple[str, str]] = field(default_factory=list)
    failures_csv: Path | None = None
    stopped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "sent": self.sent,
            "would_send": self.would_send,
            "already_sent": self.already_sent,
            "uncertain": self.uncertain,
            "failed": [{"code": c, "error": e} for c, e in self.failed],
            "failures_csv": str(self.failures_csv) if self.failures_csv else None,
            "stopped": self.stopped,
        }


TEMPORARY = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    socket.timeout,
    TimeoutError,
)


@contextmanager
def _stop_on_ctrl_c() -> Iterator[Callable[[], bool]]:
    """The first Ctrl-C lets the message being sent finish and then stops the run."""
    stop = {"requested": False}

    def handler(signum: int, frame: Any) -> None:
        if stop["requested"]:
            raise KeyboardInterrupt
        stop["requested"] = True

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (tests): no handler, no graceful stop
        yield lambda: False
        return
    try:
        yield lambda: stop["requested"]
    finally:
        signal.signal(signal.SIGINT, previous)


# The journal's database and SQLAlchemy are imported where they are used: building messages (as
# `bluekit build` does) needs neither, and every command starts faster without them.


def _journal_state(store: Store, year: int, kind: str, code: str) -> str | None:
    import sqlalchemy as sa

    from bluekit.store.database import sends

    with store.transaction() as db:
        row = db.execute(
            sa.select(sends.c.status).where(
                sends.c.year == year, sends.c.kind == kind, sends.c.code == code
            )
        ).first()
    return row.status if row else None


def _journal_write(
    store: Store,
    year: int,
    kind: str,
    item: Outgoing,
    status: str,
    message_id: str,
    error: str | None = None,
) -> None:
    import sqlalchemy as sa

    from bluekit.store.database import now, sends

    with store.transaction() as db:
        where = (sends.c.year == year, sends.c.kind == kind, sends.c.code == item.code)
        found = db.execute(sa.select(sends.c.attempts).where(*where)).first()
        values = {
            "status": status,
            "email": item.email,
            "message_id": message_id,
            "error": error,
            "updated_at": now(),
        }
        if found is None:
            db.execute(
                sends.insert().values(
                    year=year,
                    kind=kind,
                    code=item.code,
                    attempts=1 if status == "sending" else 0,
                    **values,
                )
            )
        else:
            attempts = found.attempts + (1 if status == "sending" else 0)
            db.execute(sends.update().where(*where).values(attempts=attempts, **values))


def send_messages(
    outgoing: Sequence[Outgoing],
    *,
    store: Store,
    year: int,
    kind: str,
    settings: SmtpSettings | None,
    dry_run: bool = True,
    limit: int | None = 1,
    per_minute: float = 30.0,
    retries: int = 3,
    backoff: float = 2.0,
    force: bool = False,
    retry_uncertain: bool = False,
    failures_dir: Path | None = None,
    progress: Callable[[str, str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send each message once. Journal first ("sending"), then SMTP, then "sent": a run that dies
    between the two leaves "sending", which a later run reports as uncertain instead of
    sending again (unless `retry_uncertain`)."""
    report = SendReport(dry_run=dry_run)
    todo: list[Outgoing] = []
    for item in outgoing:
        state = _journal_state(store, year, kind, item.code)
        if state == "sent" and not force:
            report.already_sent.append(item.code)
        elif state == "sending" and not (force or retry_uncertain):
            report.uncertain.append(item.code)
        else:
            todo.append(item)
    if limit is not None:
        todo = todo[:limit]
    if dry_run:
        report.would_send = [item.code for item in todo]
        return report
    if not todo:
        return report
    assert settings is not None
    interval = 60.0 / per_minute if per_minute > 0 else 0.0
    server: smtplib.SMTP | None = None
    last_sent = 0.0
    try:
        with _stop_on_ctrl_c() as stop_requested:
            for item in todo:
                if stop_requested():
                    report.stopped = True
                    break
                message = message_from_bytes(item.message, policy=POLICY)
                msg_id = str(message["Message-ID"])
                del message["Date"]
                message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
                wait = last_sent + interval - time.monotonic()
                if wait > 0:
                    sleep(wait)
                _journal_write(store, year, kind, item, "sending", msg_id)
                error: str | None = None
                for attempt in range(retries + 1):
                    try:
                        if server is None:
                            server = settings.connect()
                        server.send_message(message, to_addrs=[item.email])
                        error = None
                        break
                    except smtplib.SMTPResponseException as exc:
                        error = f"{exc.smtp_code} {_decode(exc.smtp_error)}"
                        if not 400 <= exc.smtp_code < 500:
                            break  # permanent: no retry
                        server = _drop(server)
                    except smtplib.SMTPRecipientsRefused as exc:
                        code, text = next(iter(exc.recipients.values()))
                        error = f"{code} {_decode(text)}"
                        if not 400 <= code < 500:
                            break
                        server = _drop(server)
                    except TEMPORARY as exc:
                        error = f"{exc.__class__.__name__}: {exc}"
                        server = _drop(server)
                    if attempt < retries:
                        sleep(backoff * (2**attempt))
                last_sent = time.monotonic()
                if error is None:
                    _journal_write(store, year, kind, item, "sent", msg_id)
                    report.sent.append(item.code)
                    if progress:
                        progress(item.code, "sent")
                else:
                    _journal_write(store, year, kind, item, "failed", msg_id, error)
                    report.failed.append((item.code, error))
                    if progress:
                        progress(item.code, "failed")
    finally:
        _drop(server)
        if report.failed and failures_dir is not None:
            report.failures_csv = _write_failures(failures_dir, kind, outgoing, report.failed)
    return report


def _drop(server: smtplib.SMTP | None) -> None:
    if server is not None:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()
    return None


def _write_failures(
    folder: Path, kind: str, outgoing: Sequence[Outgoing], failed: Sequence[tuple[str, str]]
) -> Path:
    by_code = {item.code: item for item in outgoing}
    table = excel_csv(
        ["refnis", "municipality", "email", "error"],
        ([code, by_code[code].name, by_code[code].email, error] for code, error in failed),
    )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"failed-{kind}-{stamp}.csv"
    write_atomic(path, table)
    return path


def read_eml(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(
            f"{path} is missing", hint="run `bluekit invitations build` first"
        ) from None
