"""Sending built messages safely, step by step.

Sending follows mailmerge's safe defaults and goes further: a dry run unless told otherwise,
one message unless told otherwise, a rate limit, retries with back-off on temporary failures,
a permanent failure logged and the run going on (and not tried again by the next run), a CSV of
failures, and a journal in the state store (`mail.journal`) so a message is never sent twice:
not when a run is interrupted and run again, nor when two runs send at the same moment.
"""

from __future__ import annotations

import datetime as dt
import signal
import smtplib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from bluekit.errors import InputFileError, NotFound
from bluekit.files.atomic import write_atomic
from bluekit.files.excel_csv import excel_csv
from bluekit.mail import journal
from bluekit.mail.message import POLICY
from bluekit.mail.send_report import SendReport
from bluekit.mail.smtp import TEMPORARY, Connection, SmtpSettings, reply_text

if TYPE_CHECKING:
    from bluekit.store.database import Store

# (code, "sent", "failed" or "uncertain"), after each message this run tried
Progress = Callable[[str, str], None]
Outcome = Literal["sent", "failed", "deferred", "uncertain"]

__all__ = ["Outgoing", "SendOptions", "SendReport", "read_eml", "record_sent", "send_messages"]


@dataclass(frozen=True)
class Outgoing:
    """A message to send: who, in the journal under which key, and the .eml bytes."""

    code: str
    name: str
    email: str
    message: bytes

    def message_id(self) -> str:
        return str(BytesHeaderParser(policy=POLICY).parsebytes(self.message)["Message-ID"])


class SendOptions(TypedDict, total=False):
    """How a run sends, as the caller chooses it; each has its default in `send_messages`."""

    dry_run: bool
    limit: int | None
    per_minute: float
    retries: int
    backoff: float
    force: bool
    retry_uncertain: bool
    retry_failed: bool
    mark_sent: Sequence[str]
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
    retry_failed: bool = False,
    mark_sent: Sequence[str] = (),
    failures_dir: Path | None = None,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send each message once. Each is claimed in the journal just before it goes out (another
    run sending at the same moment skips it), marked "sending" when its content goes to the
    server and "sent" once the server took it: a run that dies in between leaves "sending",
    which a later run reports as uncertain instead of sending again (unless
    `retry_uncertain`). A message refused for good is not tried again unless `retry_failed`;
    one already sent only with `force`. With `mark_sent`, those messages are recorded as
    arrived (`record_sent`) and nothing is sent."""
    if mark_sent:
        return record_sent(outgoing, mark_sent, store=store, year=year, kind=kind)
    report = SendReport(dry_run=dry_run)
    run = journal.Run()
    takeover = journal.Takeover(force, retry_uncertain, retry_failed)
    try:
        todo = _to_send(outgoing, store, year, kind, run, takeover, report)
        if dry_run or not todo:
            report.would_send = [item.code for item in todo[:limit]] if dry_run else []
            return report
        assert settings is not None
        sender = _Sender(store, year, kind, run, takeover, report, Connection(settings),
                         _Pace(per_minute, sleep), retries, backoff, sleep, progress)
        try:
            with _stop_requested() as stop_requested:
                for item in todo:
                    if limit is not None and sender.tried >= limit:
                        break
                    if stop_requested():
                        report.stopped = True
                        break
                    sender.send(item)
        finally:
            sender.connection.drop()
            if report.failed and failures_dir is not None:
                report.failures_csv = _write_failures(failures_dir, kind, outgoing, report.failed)
    finally:
        run.end()
    return report


def _to_send(
    outgoing: Sequence[Outgoing], store: Store, year: int, kind: str, run: journal.Run,
    takeover: journal.Takeover, report: SendReport,
) -> list[Outgoing]:
    """The messages the journal lets this run send; the others go in the report, with why."""
    known = journal.entries(store, year, kind)
    todo: list[Outgoing] = []
    for item in outgoing:
        found = known.get(item.code)
        if found is None or journal.may_take(found, run, takeover):
            todo.append(item)
        else:
            _kept(report, item.code, found)
    return todo


def _kept(report: SendReport, code: str, found: journal.Entry) -> None:
    """Note in the report why the journal keeps a message from this run."""
    if found.status == "sent":
        report.already_sent.append(code)
    elif found.status == "failed":
        report.failed_before.append((code, found.error or "refused"))
    elif found.status == "sending" and found.holder_gone():
        report.uncertain.append(code)
    else:  # claimed or sending by a run that is still at it
        report.busy.append((code, found.holder_text()))


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
class _Sender:
    """One run's sending: each message claimed, paced, delivered with retries, journaled and
    reported."""

    store: Store
    year: int
    kind: str
    run: journal.Run
    takeover: journal.Takeover
    report: SendReport
    connection: Connection
    pace: _Pace
    retries: int
    backoff: float
    sleep: Callable[[float], None]
    progress: Progress | None
    tried: int = 0  # messages this run claimed and tried

    def send(self, item: Outgoing) -> None:
        message = message_from_bytes(item.message, policy=POLICY)
        msg_id = str(message["Message-ID"])
        del message["Date"]
        message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        self.pace.wait()
        key = journal.Key(self.year, self.kind, item.code)
        held = journal.claim(self.store, key, item.email, msg_id, self.run, self.takeover)
        if held is not None:  # another run took it since this one looked
            _kept(self.report, item.code, held)
            return
        self.tried += 1
        try:
            outcome, error = self._deliver(key, message, item.email)
        except ClaimLost:
            self.connection.drop()
            now_held = journal.entry(self.store, key)
            if now_held is not None:
                _kept(self.report, item.code, now_held)
            return
        except BaseException:
            # no connection, a refused login, a second Ctrl-C, a crash: unless its content
            # went out already, the message did not reach the server and is free to send again
            journal.settle(self.store, key, self.run, "deferred",
                           "the run stopped before handing it over", only_if="claimed")
            raise
        self.pace.handed_over()
        journal.settle(self.store, key, self.run,
                       "sending" if outcome == "uncertain" else outcome, error)
        if outcome == "sent":
            self.report.sent.append(item.code)
        elif outcome == "uncertain":
            self.report.uncertain.append(item.code)
        else:
            self.report.failed.append((item.code, error or ""))
        if self.progress:
            self.progress(item.code, outcome if outcome != "deferred" else "failed")

    def _deliver(self, key: journal.Key, message: EmailMessage, to: str) -> tuple[Outcome, str]:
        """Hand the message to the server: "sent" once it took it. A temporary failure (a 4xx
        answer, a connection lost before the content went out) drops the connection and is
        tried again after a growing pause, up to `retries` times ("deferred" after the last);
        a permanent one (5xx) is not ("failed"). A connection lost while the server had the
        content is "uncertain": it may have arrived, so it is not sent again."""
        error = ""
        handed: list[bool] = []  # whether this attempt's content went to the server

        def handing_over() -> None:
            if not journal.settle(self.store, key, self.run, "sending", only_if="claimed"):
                raise ClaimLost(key.code)  # another run took it over: send nothing
            handed.append(True)

        for attempt in range(self.retries + 1):
            handed.clear()
            try:
                self.connection.send(message, to, handing_over)
                return "sent", ""
            except smtplib.SMTPResponseException as exc:  # an answer: it was not taken
                error, permanent = _answer(exc.smtp_code, exc.smtp_error)
            except smtplib.SMTPRecipientsRefused as exc:
                error, permanent = _answer(*next(iter(exc.recipients.values())))
            except TEMPORARY as exc:
                error, permanent = f"{exc.__class__.__name__}: {exc}", False
                if handed:
                    self.connection.drop()
                    return "uncertain", error
            except smtplib.SMTPException as exc:  # the server cannot take it (SMTPUTF8...)
                error, permanent = f"{exc.__class__.__name__}: {exc}", True
            if handed:  # the server answered the content with a refusal: it did not arrive
                journal.settle(self.store, key, self.run, "claimed", only_if="sending")
            if permanent:
                return "failed", error
            self.connection.drop()
            if attempt < self.retries:
                self.sleep(self.backoff * (2**attempt))
        return "deferred", error


class ClaimLost(Exception):
    """Another run took the message over while this one held it (after LEASE without a word)."""


def _answer(code: int, text: bytes | str) -> tuple[str, bool]:
    """A server's refusal in words, and whether it is for good (5xx) or for now (4xx)."""
    return f"{code} {reply_text(text)}", not 400 <= code < 500


@contextmanager
def _stop_requested() -> Iterator[Callable[[], bool]]:
    """The first Ctrl-C (or SIGTERM) lets the message being sent finish and then stops the
    run; a second one stops at once."""
    stop = {"requested": False}

    def handler(signum: int, frame: Any) -> None:
        if stop["requested"]:
            raise KeyboardInterrupt
        stop["requested"] = True

    signals = [signal.SIGINT, *([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])]
    try:
        previous = {s: signal.signal(s, handler) for s in signals}
    except ValueError:  # not the main thread (tests): no handler, no graceful stop
        yield lambda: False
        return
    try:
        yield lambda: stop["requested"]
    finally:
        for number, before in previous.items():
            signal.signal(number, before)


def record_sent(
    outgoing: Sequence[Outgoing], codes: Sequence[str], *, store: Store, year: int, kind: str
) -> SendReport:
    """Record messages as arrived without sending them: staff checked the mailbox after a run
    left them uncertain (or sent them by other means)."""
    report = SendReport(dry_run=False)
    by_code = {item.code: item for item in outgoing}
    for code in codes:
        if code not in by_code:
            raise NotFound(
                f"--mark-sent {code}: there is no {kind} to {code!r} to record",
                hint="give the code the report names (a REFNIS code, or an order number)",
            )
    for code in dict.fromkeys(codes):
        item = by_code[code]
        before = journal.mark_sent(
            store, journal.Key(year, kind, code), item.email, item.message_id(),
            note=f"recorded as sent by {journal.user()} on {dt.date.today().isoformat()}",
        )
        report.marked.append((code, before.status if before else "never sent"))
    return report


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
