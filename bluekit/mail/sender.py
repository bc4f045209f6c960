"""Sending built messages safely, step by step.

Sending follows mailmerge's safe defaults and goes further: a dry run unless told otherwise,
one message unless told otherwise, a rate limit, retries with back-off on temporary failures,
a permanent failure logged and the run going on, a CSV of failures, and a journal in the state
store (`mail.journal`) so a message is never sent twice, also when a run is interrupted and run
again.
"""

from __future__ import annotations

import datetime as dt
import signal
import smtplib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from bluekit.errors import InputFileError
from bluekit.files.atomic import write_atomic
from bluekit.files.excel_csv import excel_csv
from bluekit.mail import journal
from bluekit.mail.message import POLICY
from bluekit.mail.smtp import TEMPORARY, Connection, SmtpSettings, reply_text

if TYPE_CHECKING:
    from bluekit.store.database import Store

Progress = Callable[[str, str], None]  # (code, "sent" or "failed"), after each message


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


class SendOptions(TypedDict, total=False):
    """How a run sends, as the caller chooses it; each has its default in `send_messages`."""

    dry_run: bool
    limit: int | None
    per_minute: float
    retries: int
    backoff: float
    force: bool
    retry_uncertain: bool
    progress: Progress | None
    sleep: Callable[[float], None]


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
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send each message once. Journal first ("sending"), then SMTP, then "sent": a run that dies
    between the two leaves "sending", which a later run reports as uncertain instead of
    sending again (unless `retry_uncertain`)."""
    report = SendReport(dry_run=dry_run)
    todo = _to_send(outgoing, store, year, kind, report, force, retry_uncertain)
    if limit is not None:
        todo = todo[:limit]
    if dry_run:
        report.would_send = [item.code for item in todo]
        return report
    if not todo:
        return report
    assert settings is not None
    run = _Run(
        store=store,
        year=year,
        kind=kind,
        report=report,
        connection=Connection(settings),
        pace=_Pace(per_minute, sleep),
        retries=retries,
        backoff=backoff,
        sleep=sleep,
        progress=progress,
    )
    try:
        with _stop_on_ctrl_c() as stop_requested:
            for item in todo:
                if stop_requested():
                    report.stopped = True
                    break
                run.send(item)
    finally:
        run.connection.drop()
        if report.failed and failures_dir is not None:
            report.failures_csv = _write_failures(failures_dir, kind, outgoing, report.failed)
    return report


def _to_send(
    outgoing: Sequence[Outgoing],
    store: Store,
    year: int,
    kind: str,
    report: SendReport,
    force: bool,
    retry_uncertain: bool,
) -> list[Outgoing]:
    """The messages the journal lets go out; those sent already or with an unknown outcome are
    put in the report instead (unless `force`, or `retry_uncertain` for the latter)."""
    todo: list[Outgoing] = []
    for item in outgoing:
        state = journal.state(store, year, kind, item.code)
        if state == "sent" and not force:
            report.already_sent.append(item.code)
        elif state == "sending" and not (force or retry_uncertain):
            report.uncertain.append(item.code)
        else:
            todo.append(item)
    return todo


@dataclass
class _Pace:
    """The rate limit: at most `per_minute` messages a minute (no limit at 0), counted from the
    end of one message's hand-over to the start of the next."""

    per_minute: float
    sleep: Callable[[float], None]
    last_sent: float = 0.0

    def wait(self) -> None:
        interval = 60.0 / self.per_minute if self.per_minute > 0 else 0.0
        wait = self.last_sent + interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)

    def handed_over(self) -> None:
        self.last_sent = time.monotonic()


@dataclass
class _Run:
    """One run's sending: each message journaled, paced, delivered with retries and reported."""

    store: Store
    year: int
    kind: str
    report: SendReport
    connection: Connection
    pace: _Pace
    retries: int
    backoff: float
    sleep: Callable[[float], None]
    progress: Progress | None

    def send(self, item: Outgoing) -> None:
        message = message_from_bytes(item.message, policy=POLICY)
        msg_id = str(message["Message-ID"])
        del message["Date"]
        message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        self.pace.wait()
        journal.write(self.store, self.year, self.kind, item, "sending", msg_id)
        error = self._deliver(message, item.email)
        self.pace.handed_over()
        if error is None:
            journal.write(self.store, self.year, self.kind, item, "sent", msg_id)
            self.report.sent.append(item.code)
            if self.progress:
                self.progress(item.code, "sent")
        else:
            journal.write(self.store, self.year, self.kind, item, "failed", msg_id, error)
            self.report.failed.append((item.code, error))
            if self.progress:
                self.progress(item.code, "failed")

    def _deliver(self, message: EmailMessage, to: str) -> str | None:
        """Hand the message to the server: None once it took it, else the last error. A
        temporary failure (a 4xx reply, a lost connection) drops the connection and is tried
        again after a growing pause, up to `retries` times; a permanent one is not."""
        error: str | None = None
        for attempt in range(self.retries + 1):
            try:
                self.connection.send(message, to)
                return None
            except smtplib.SMTPResponseException as exc:
                error = f"{exc.smtp_code} {reply_text(exc.smtp_error)}"
                if not 400 <= exc.smtp_code < 500:
                    return error  # permanent: no retry
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                error = f"{code} {reply_text(text)}"
                if not 400 <= code < 500:
                    return error
            except TEMPORARY as exc:
                error = f"{exc.__class__.__name__}: {exc}"
            self.connection.drop()
            if attempt < self.retries:
                self.sleep(self.backoff * (2**attempt))
        return error


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


def _write_failures(
    folder: Path, kind: str, outgoing: Sequence[Outgoing], failed: Sequence[tuple[str, str]]
) -> Path:
    """The failures as a CSV for Excel (`failed-<kind>-<time>.csv`), to follow them up by hand."""
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
    """A message the build wrote, to send it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(
            f"{path} is missing", hint="run `bluekit invitations build` first"
        ) from None
