"""Named locks for work that two processes must not do at the same moment even where every
change is its own transaction (two `orders fetch` of one folder would move a message twice).

On PostgreSQL a session advisory lock, which every bluekit sharing the database sees; on SQLite
an exclusive lock on a file beside the database (portalocker: fcntl on Linux and macOS, msvcrt
on Windows). Either is released by the system when the process dies, so a killed run never
blocks the next one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from bluekit.errors import BluekitError
from bluekit.store.address import sqlite_file
from bluekit.store.database import Store


class Busy(BluekitError):
    """Another process holds the lock for longer than we wait."""


@contextmanager
def held(store: Store, name: str, *, timeout: float = 600.0) -> Iterator[None]:
    """Hold the lock `name` for the block, waiting up to `timeout` seconds for it."""
    digest = hashlib.sha256(name.encode()).digest()
    if store.engine.dialect.name == "postgresql":
        key = int.from_bytes(digest[:8], "big", signed=True)
        with store.engine.connect() as connection:
            connection.execute(sa.text(f"SET lock_timeout = '{int(timeout * 1000)}ms'"))
            try:
                connection.execute(sa.select(sa.func.pg_advisory_lock(key)))
            except sa.exc.OperationalError:
                raise _busy(name) from None
            try:
                yield
            finally:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))
        return
    import portalocker

    database = sqlite_file(store.url)  # an in-memory database: a lock file of the folder
    path = Path(f"{database or 'bluekit-memory'}.{digest.hex()[:16]}.lock")
    try:
        with portalocker.Lock(path, timeout=timeout, check_interval=0.2):
            yield
    except portalocker.exceptions.LockException:
        raise _busy(name) from None


def _busy(name: str) -> Busy:
    return Busy(f"{name} is in use by another bluekit", hint="wait for it to finish, then run "
                "the command again")
