"""What bluekit put on a Trello board, kept in the state store (`trello_items`): for each list,
card and attachment, Trello's id and a digest of what was written. It is what makes a
publication a sync: the next run changes what the campaign changed, and nothing twice.

Before Trello is asked to make anything, the intent is recorded ("creating"); Trello's answer
is recorded right after ("live"). A run that dies in between leaves the intent, and the next
run looks for the object on the board instead of making it again. A run holds the board
(`trello_runs`) so that two runs at the same moment cannot both make a card.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from bluekit.errors import BluekitError
from bluekit.store.database import Store
from bluekit.store.tables import now, trello_items, trello_runs

State = Literal["creating", "live", "archived"]
STALE_AFTER = dt.timedelta(minutes=5)  # a run that wrote nothing for this long has died


class BoardBusy(BluekitError):
    """Another run is publishing to the same board."""


@dataclass(frozen=True)
class Item:
    key: str
    trello_id: str | None
    state: State
    digest: str | None


class Mapping:
    """The record of one board (by the name it was published under)."""

    def __init__(self, store: Store, board: str):
        self.store = store
        self.board = board
        self.run_id = uuid.uuid4().hex

    def items(self) -> dict[str, Item]:
        with self.store.transaction() as db:
            rows = db.execute(sa.select(trello_items).where(trello_items.c.board == self.board))
            return {
                r.key: Item(r.key, r.trello_id, r.state, r.digest) for r in rows
            }

    def intend(self, key: str, digest: str | None, keep_id: str | None = None) -> None:
        """Record that `key` is about to be made on Trello (keeping the id it replaces)."""
        self._write(key, keep_id, "creating", digest)

    def record(self, key: str, trello_id: str, digest: str | None, state: State = "live") -> None:
        self._write(key, trello_id, state, digest)

    def forget(self, key: str) -> None:
        with self.store.transaction() as db:
            db.execute(trello_items.delete().where(
                trello_items.c.board == self.board, trello_items.c.key == key
            ))
            self._beat(db)

    def forget_board(self) -> None:
        """The board is gone from Trello: everything recorded on it is too."""
        with self.store.transaction() as db:
            db.execute(trello_items.delete().where(trello_items.c.board == self.board))

    def _write(self, key: str, trello_id: str | None, state: State, digest: str | None) -> None:
        values = {"trello_id": trello_id, "state": state, "digest": digest, "updated_at": now()}
        where = (trello_items.c.board == self.board, trello_items.c.key == key)
        with self.store.transaction() as db:
            if db.execute(trello_items.update().where(*where).values(**values)).rowcount == 0:
                db.execute(trello_items.insert().values(board=self.board, key=key, **values))
            self._beat(db)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the board for this run; refuses while another live run holds it."""
        host, pid = socket.gethostname(), os.getpid()
        with self.store.transaction() as db:
            row = db.execute(
                sa.select(trello_runs).where(trello_runs.c.board == self.board)
            ).first()
            if row is not None and _alive(row.host, row.pid, _aware(row.heartbeat)):
                raise BoardBusy(
                    f"another `bluekit publish trello` is publishing to the board "
                    f"{self.board!r} (on {row.host}, process {row.pid})",
                    hint="wait until it has finished, then run this one again (a run that was "
                    f"stopped lets go of the board {STALE_AFTER.seconds // 60} minutes after "
                    "its last step)",
                )
            db.execute(trello_runs.delete().where(trello_runs.c.board == self.board))
            db.execute(trello_runs.insert().values(
                board=self.board, run_id=self.run_id, host=host, pid=pid, heartbeat=now()
            ))
        try:
            yield
        finally:
            with self.store.transaction() as db:
                db.execute(trello_runs.delete().where(
                    trello_runs.c.board == self.board, trello_runs.c.run_id == self.run_id
                ))

    def heartbeat(self) -> None:
        """Tell other runs this one is alive (also while it waits for Trello)."""
        with self.store.transaction() as db:
            self._beat(db)

    def _beat(self, db: sa.Connection) -> None:
        db.execute(trello_runs.update().where(
            trello_runs.c.board == self.board, trello_runs.c.run_id == self.run_id
        ).values(heartbeat=now()))


def _alive(host: str, pid: int, heartbeat: dt.datetime) -> bool:
    """Whether the run that holds a board may still be going: its heartbeat is recent and, on
    this computer, its process exists (a run killed a minute ago need not be waited for)."""
    if now() - heartbeat >= STALE_AFTER:
        return False
    if host != socket.gethostname() or os.name != "posix":
        return True  # (on Windows, os.kill would end the process rather than look at it)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
