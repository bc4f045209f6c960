"""Opening bluekit's state store, the one database of the send journal, lighting replies,
orders and stock: the `Store`, its engine, and how its transactions start.

SQLite by default (`orders/bluekit.db`, the folder is in the repository, the file is not), any
database SQLAlchemy speaks by URL (`BLUEKIT_DATABASE_URL`, e.g. a shared PostgreSQL) later.
SQLAlchemy Core only: the tables (`tables.py`) are plain and the SQL is explicit. The schema
carries a version and is migrated forward on opening, in one transaction (`migrations.py`).
SQLite runs with foreign keys on, WAL journaling and a busy timeout, and every transaction
starts with BEGIN IMMEDIATE: it takes the write lock before it reads, so two processes that
read-then-write (the next order number, the stock still available) wait for each other instead
of failing with "database is locked".
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bluekit.errors import BluekitError
from bluekit.store.migrations import MIGRATIONS, apply_from, current_version
from bluekit.store.tables import schema_version

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_PATH = Path("orders") / "bluekit.db"
ENV_URL = "BLUEKIT_DATABASE_URL"


class StoreError(BluekitError):
    """The database cannot be opened or is newer than this bluekit."""


def database_url(path: Path | None = None) -> str:
    """The database to use: an explicit file, else BLUEKIT_DATABASE_URL, else orders/bluekit.db."""
    if path is not None:
        return f"sqlite:///{path}"
    return os.environ.get(ENV_URL) or f"sqlite:///{DEFAULT_PATH}"


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # pysqlite's own transaction handling is switched off, so that _sqlite_begin decides how a
    # transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # The busy timeout first: switching a new file to WAL needs a lock another process may hold.
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")  # with WAL: safe against crashes, and fast
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Changes (`Store.transaction`) take the write lock at once; reads start a plain
    # transaction and never wait behind a writer (WAL).
    immediate = connection.get_execution_options().get("bluekit_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def insert_ignore(connection: Connection, table: sa.Table, **values: object) -> bool:
    """Insert a row unless one with the same key exists; True if it was inserted."""
    statement: sa.Insert
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    # an INSERT's row count is kept only when asked for (SQLAlchemy 2.1 with psycopg)
    return connection.execute(statement.execution_options(preserve_rowcount=True)).rowcount == 1


class Store:
    """An open state store; `transaction()` gives a connection inside one transaction."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = sa.create_engine(self.url)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise StoreError(
                f"cannot use the database {self.url!r}: {exc}",
                hint=f"set {ENV_URL} to a URL such as sqlite:///orders/bluekit.db",
            ) from None
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        self.migrate()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction that may change data: committed on success, rolled
        back on any error. On SQLite it holds the write lock from its first statement."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(bluekit_write=True)
            with connection.begin():
                yield connection

    def version(self) -> int:
        with self.engine.connect() as connection:
            return current_version(connection)

    def migrate(self) -> int:
        """Bring the schema to the current version; returns it. One transaction, which on SQLite
        holds the write lock from the start: two processes opening a new file at once cannot
        both create the tables."""
        # SQLite answers "database is locked" at once, without waiting, to a process that opens
        # a brand-new file while another is switching it to WAL: try again for a few seconds.
        for attempt in range(50):
            try:
                return self._migrate()
            except StoreError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def _migrate(self) -> int:
        try:
            with self.transaction() as connection:
                if connection.dialect.name == "postgresql":
                    # the same guarantee on PostgreSQL: one migrating process at a time
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(2019073001)"))
                schema_version.create(connection, checkfirst=True)
                current = current_version(connection)
                if current > len(MIGRATIONS):
                    raise StoreError(
                        f"the database {self.url} has schema version {current}, newer than "
                        f"this bluekit knows ({len(MIGRATIONS)})",
                        hint="upgrade bluekit",
                    )
                apply_from(connection, current)
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot open the database {self.url}: {exc.orig}") from None
        return len(MIGRATIONS)

    def close(self) -> None:
        self.engine.dispose()


