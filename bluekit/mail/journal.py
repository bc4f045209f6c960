"""The send journal: for each year, kind of message and recipient, where its sending stands, in
the `sends` table of the state database. It is what makes a message go out once, also when a
run is interrupted and run again, and when two runs send at the same moment.

A run takes each message for itself just before it hands it over (`claim`): one conditional
statement, an insert that does nothing when the row exists or an update that only matches the
state the run read, so of two runs at once exactly one wins, on SQLite as on PostgreSQL. The
states of a message:

    claimed   a run took it and has not handed it over yet (nothing reached a server)
    sending   its content went to the server (the DATA command): if the run dies now, nobody
              knows whether it arrived ("uncertain")
    sent      the server took it, or staff recorded it as arrived (`mark_sent`)
    failed    the server refused it for good (a 5xx answer): final until staff say otherwise
    deferred  not sent, and nothing against sending it: a temporary failure after the
              retries, or a run that stopped before handing it over (no connection, a refused
              login, Ctrl-C)

The database and SQLAlchemy are imported where they are used: building messages (as
`bluekit build` does) needs neither, and every command starts faster without them.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import secrets
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bluekit.errors import BluekitError
from bluekit.files.processes import running

if TYPE_CHECKING:
    from typing import Any

    import sqlalchemy as sa
    from sqlalchemy.engine import Connection

    from bluekit.store.database import Store

Status = Literal["claimed", "sending", "sent", "failed", "deferred"]

# How long a run may hold a message without a word before another run may take it over: far
# longer than a run holds one (a connection attempt and the answer to DATA, 30 s each, four
# times with the pauses between them), so only a run that has died leaves a claim this old.
LEASE = dt.timedelta(minutes=15)

_LIVE_RUNS: set[str] = set()  # the runs of this process that are sending now


@dataclass(frozen=True)
class Key:
    """A message in the journal: once per campaign year, kind and recipient."""

    year: int
    kind: str  # invitation, reminder, order-confirmed...
    code: str  # the REFNIS code, or an order number


@dataclass(frozen=True)
class Entry:
    """What the journal holds for one message."""

    status: Status
    attempts: int
    updated_at: dt.datetime
    claimed_by: str | None = None  # the run that claimed it last (see Run.holder)
    error: str | None = None
    note: str | None = None

    def holder_gone(self, now: dt.datetime | None = None) -> bool:
        """Whether the run that claimed it has ended: a run of this process that is over, a
        process of this machine that no longer runs, or no word from it for longer than
        LEASE (another machine, or a system that cannot tell)."""
        if self.claimed_by is None:
            return True  # journaled by an older bluekit, which did not say who
        if (now or _now()) - self.updated_at > LEASE:
            return True
        host, pid, token = _parse_holder(self.claimed_by)
        if host != socket.gethostname() or pid is None:
            return False
        if pid == os.getpid():
            return token not in _LIVE_RUNS
        return not running(pid)

    def holder_text(self) -> str:
        """Who holds it and since when, for people."""
        since = self.updated_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        host, pid, _ = _parse_holder(self.claimed_by or "")
        user = (self.claimed_by or "?").rpartition("@")[0] or "?"
        return f"{user} on {host or '?'}, process {pid or '?'}, since {since}"


@dataclass
class Run:
    """One run of a sending command, as the journal names it: who, where, which process, and a
    token telling it from another run of the same process; live until `end()`."""

    started: dt.datetime = field(default_factory=lambda: _now())
    token: str = field(default_factory=lambda: secrets.token_hex(4))

    def __post_init__(self) -> None:
        _LIVE_RUNS.add(self.token)

    @property
    def holder(self) -> str:
        return f"{user()}@{socket.gethostname()}:{os.getpid()}:{self.token}"

    def end(self) -> None:
        _LIVE_RUNS.discard(self.token)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def user() -> str:
    """The login name of whoever runs bluekit."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def _parse_holder(holder: str) -> tuple[str, int | None, str]:
    """'user@host:pid:token' -> (host, pid, token)."""
    _, _, where = holder.rpartition("@")
    host, _, rest = where.partition(":")
    pid, _, token = rest.partition(":")
    return host, int(pid) if pid.isdecimal() else None, token


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without their zone; they are all UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _entry(row: sa.Row[Any]) -> Entry:
    return Entry(status=row.status, attempts=row.attempts, updated_at=_aware(row.updated_at),
                 claimed_by=row.claimed_by, error=row.error, note=row.note)


def _where(key: Key) -> tuple[sa.ColumnElement[bool], ...]:
    from bluekit.store.tables import sends

    return (sends.c.year == key.year, sends.c.kind == key.kind, sends.c.code == key.code)


def entries(store: Store, year: int, kind: str) -> dict[str, Entry]:
    """Every message of one year and kind the journal knows, by recipient code."""
    import sqlalchemy as sa

    from bluekit.store.tables import sends

    with store.engine.connect() as db:
        rows = db.execute(sa.select(sends).where(sends.c.year == year, sends.c.kind == kind))
        return {row.code: _entry(row) for row in rows}


def entry(store: Store, key: Key) -> Entry | None:
    """What the journal holds for one message, or None when it was never tried."""
    with store.engine.connect() as db:
        return _read(db, key)


def _read(db: Connection, key: Key) -> Entry | None:
    import sqlalchemy as sa

    from bluekit.store.tables import sends

    row = db.execute(sa.select(sends).where(*_where(key))).first()
    return _entry(row) if row is not None else None


@dataclass(frozen=True)
class Takeover:
    """What a run may send again besides what was never sent or was deferred: staff's choice."""

    force: bool = False  # what was sent (before this run started)
    retry_uncertain: bool = False  # what was handed over by a run that died ("uncertain")
    retry_failed: bool = False  # what a server refused for good


def may_take(found: Entry, run: Run, takeover: Takeover) -> bool:
    """Whether `run` may claim a message in the state `found`."""
    if found.status == "deferred":
        return True
    if found.status == "claimed":
        return found.holder_gone()  # nothing was handed over: safe to take
    if found.status == "sending":
        return takeover.retry_uncertain and found.holder_gone()
    if found.status == "failed":
        return takeover.retry_failed
    # sent: again only with --force, and not what another forced run sent meanwhile
    return takeover.force and found.updated_at < run.started


def claim(
    store: Store, key: Key, email: str, message_id: str, run: Run, takeover: Takeover
) -> Entry | None:
    """Take the message for `run`, unless another run has it or its state keeps it (see
    `may_take`). None when the run has it now; else what the journal holds, which kept it.
    Of two runs at once exactly one gets it: the insert does nothing when the row exists, and
    the update matches only the state and attempt the run read."""
    from bluekit.store.database import insert_ignore
    from bluekit.store.tables import sends

    values = {"email": email, "message_id": message_id, "status": "claimed",
              "claimed_by": run.holder, "error": None, "note": None, "updated_at": _now()}
    with store.transaction() as db:
        found = _read(db, key)
        if found is None:
            taken = insert_ignore(db, sends, year=key.year, kind=key.kind, code=key.code,
                                  attempts=1, **values)
        elif may_take(found, run, takeover):
            taken = db.execute(
                sends.update()
                .where(*_where(key), sends.c.status == found.status,
                       sends.c.attempts == found.attempts)
                .values(attempts=found.attempts + 1, **values)
            ).rowcount == 1
        else:
            return found
        if taken:
            return None
        held = _read(db, key)
    assert held is not None  # the row that kept the insert or the update out
    return held


def settle(
    store: Store, key: Key, run: Run, status: Status, error: str | None = None,
    *, only_if: Status | None = None,
) -> bool:
    """Move a message `run` holds to `status` (with the error that led there), if it still
    holds it (and, with `only_if`, if it is in that state); True if it did."""
    from bluekit.store.tables import sends

    where = [*_where(key), sends.c.claimed_by == run.holder]
    if only_if is not None:
        where.append(sends.c.status == only_if)
    with store.transaction() as db:
        changed = db.execute(
            sends.update().where(*where)
            .values(status=status, error=error, updated_at=_now())
        ).rowcount
    return changed == 1


def mark_sent(store: Store, key: Key, email: str, message_id: str, note: str) -> Entry | None:
    """Record a message as arrived without sending it (staff checked the mailbox, or sent it
    by other means); returns what the journal held before. Refused while a run holds it."""
    from bluekit.store.database import insert_ignore
    from bluekit.store.tables import sends

    values = {"email": email, "message_id": message_id, "status": "sent", "claimed_by": None,
              "note": note, "updated_at": _now()}
    with store.transaction() as db:
        found = _read(db, key)
        if found is not None and found.status in ("claimed", "sending") \
                and not found.holder_gone():
            raise ClaimHeld(key, found)
        if found is None:
            done = insert_ignore(db, sends, year=key.year, kind=key.kind, code=key.code,
                                 attempts=0, error=None, **values)
        else:
            done = db.execute(
                sends.update()
                .where(*_where(key), sends.c.attempts == found.attempts,
                       sends.c.status == found.status)
                .values(**values)
            ).rowcount == 1
        now_held = None if done else _read(db, key)
    if now_held is not None:  # another run claimed it between the read and the write
        raise ClaimHeld(key, now_held)
    return found


class ClaimHeld(BluekitError):
    """Another run holds the message right now."""

    def __init__(self, key: Key, held: Entry) -> None:
        super().__init__(
            f"{key.code}: another run is sending it right now ({held.holder_text()})",
            hint="wait until that run has ended, then look again",
        )
        self.key = key
        self.held = held
