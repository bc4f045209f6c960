"""Opening bluekit's state store, the one database of the send journal, lighting replies,
orders and stock: the `Store`, its engine, and how its transactions start.

SQLite by default (`orders/bluekit.db`, the folder is in the repository, the file is not), or a
shared PostgreSQL named by `BLUEKIT_DATABASE_URL` (`address.py`). SQLAlchemy Core only: the
tables (`tables.py`) are plain and the SQL is explicit. Opening brings the schema to the current
version (`schema.py`, `upgrade.py`), one process at a time.

SQLite runs with foreign keys on, WAL journaling and a busy timeout, and every transaction that
changes data starts with BEGIN IMMEDIATE: it takes the write lock before it reads, so two
processes that read-then-write (the next order number, the stock still available) wait for each
other instead of failing with "database is locked". On PostgreSQL such a transaction locks the
rows it is about to change (the year's order counter, the order, the stock item) before reading
them; see the modules of the ledger.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bluekit.errors import BluekitError
from bluekit.store.address import ENV_URL, backend_of, database_url, describe, scrub, sqlite_file
from bluekit.store.reader import Reader, sqlite_time
from bluekit.store.schema import HEAD, SchemaState, schema_state

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.pool import ConnectionPoolEntry

# Any number both sides agree on: PostgreSQL's lock for "one process at a time brings the
# schema forward" (30 July 2019, the first Blue Heart day in Belgium).
MIGRATION_LOCK = 2019073001


class StoreError(BluekitError):
    """The database cannot be opened or is newer than this bluekit."""


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


# parameters in one statement: below SQLite's limit (32,766) and PostgreSQL's (65,535)
MAX_PARAMETERS = 30_000


def insert_many(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the caller's transaction, the quick way of each backend: on SQLite
    a few thousand to a statement (`INSERT ... VALUES (...), (...)`), on PostgreSQL with COPY,
    its own way of loading rows in bulk. An import's 10,000 orders go in a tenth of the time
    SQLAlchemy takes to bind each value one row at a time. The values are plain (text,
    numbers, times: SQLite keeps times as text, as SQLAlchemy writes them)."""
    if not rows:
        return
    names = list(rows[0])
    values: list[Any] = [list(row.values()) for row in rows]
    if connection.dialect.name != "sqlite":
        _copy(connection, table, names, values)
        return
    times = [i for i, name in enumerate(names) if isinstance(table.c[name].type, sa.DateTime)]
    for row in values:
        for i in times:
            if row[i] is not None:
                row[i] = sqlite_time(row[i])
    marks = "(" + ", ".join("?" * len(names)) + ")"
    per_statement = max(1, MAX_PARAMETERS // len(names))
    for start in range(0, len(values), per_statement):
        chunk = values[start:start + per_statement]
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) VALUES "
               + ", ".join([marks] * len(chunk)))
        connection.exec_driver_sql(sql, tuple(v for row in chunk for v in row))


def _copy(connection: Connection, table: sa.Table, names: list[str], rows: list[Any]) -> None:
    # psycopg's own connection, in the same transaction as `connection`
    driver: Any = connection.connection.dbapi_connection
    with driver.cursor() as cursor, cursor.copy(
        f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)


def _engine(url: str) -> Engine:
    backend = backend_of(url)
    if backend == "sqlite":
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    # a server that does not answer is reported after 10 s, not after the system's minutes
    return sa.create_engine(
        url, connect_args={"connect_timeout": 10, "application_name": "bluekit"}
    )


class Store:
    """An open state store; `transaction()` gives a connection inside one transaction.

    `db` is a file, a URL or None (BLUEKIT_DATABASE_URL, else orders/bluekit.db). Opening brings
    the schema forward unless `upgrade` is False (`bluekit db status` looks without changing).
    """

    def __init__(self, db: str | Path | None = None, *, upgrade: bool = True):
        self.url = database_url(db)
        self.name = describe(self.url)  # never the password
        self.backend = backend_of(self.url)
        try:
            self.engine: Engine = _engine(self.url)
        except (sa.exc.ArgumentError, ImportError, ValueError) as exc:
            raise StoreError(
                f"cannot use the database {self.name}: {scrub(str(exc), self.url)}",
                hint=f"set {ENV_URL} to a URL such as postgresql://HOST/DATABASE",
            ) from None
        if upgrade:
            self.upgrade()

    def _file_missing(self) -> bool:
        path = sqlite_file(self.url)
        return path is not None and not path.exists()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction that may change data: committed on success, rolled
        back on any error. On SQLite it holds the write lock from its first statement."""
        if self._file_missing():  # a new ledger: its folder too
            path = sqlite_file(self.url)
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
        with self.engine.connect() as connection:
            connection = connection.execution_options(bluekit_write=True)
            with connection.begin():
                yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reading: it never waits behind a writer."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """The ledger through the driver's own connection, for plain SQL (`reader.py`)."""
        connection = self.engine.raw_connection()
        try:
            yield Reader(connection, self.backend)
        finally:
            connection.close()  # back to the pool

    def state(self) -> SchemaState:
        """The schema version the database has, without changing it (an SQLite file that
        does not exist yet is not made)."""
        if self._file_missing():
            return SchemaState(None)
        try:
            with self.reading() as connection:
                return schema_state(connection)
        except sa.exc.DBAPIError as exc:
            raise self.unreachable(exc) from None

    def unreachable(self, exc: sa.exc.DBAPIError) -> StoreError:
        """The error to give when the database cannot be reached or read."""
        reason = " ".join(scrub(str(exc.orig), self.url).split())  # one line
        return StoreError(
            f"cannot open the database {self.name}: {reason}",
            hint="check the address, the network and the password (PGPASSWORD or the "
            "password file)" if self.backend == "postgresql" else "check the file and folder",
        )

    def upgrade(self) -> SchemaState:
        """Bring the schema to the current version; returns the state it was in. Checked
        without Alembic first; the upgrade itself is one transaction that one process at a time
        runs (the write lock on SQLite, an advisory lock on PostgreSQL)."""
        before = self.state()
        self._refuse_newer(before)
        if before.current:
            return before
        # SQLite answers "database is locked" at once, without waiting, to a process that opens
        # a brand-new file while another is switching it to WAL: try again for a few seconds.
        for attempt in range(50):
            try:
                return self._upgrade()
            except StoreError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def _upgrade(self) -> SchemaState:
        try:
            with self.transaction() as connection:
                if self.backend == "postgresql":
                    connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                before = schema_state(connection)  # again: another process may have done it
                self._refuse_newer(before)
                if not before.current:
                    from bluekit.store.upgrade import upgrade

                    upgrade(connection, before)
        except sa.exc.DBAPIError as exc:
            raise self.unreachable(exc) from None
        return before

    def _refuse_newer(self, state: SchemaState) -> None:
        if state.newer:
            raise StoreError(
                f"the database {self.name} has schema version {state.revision}, made by a newer "
                f"bluekit than this one (which knows up to {HEAD}); it was not changed",
                hint="install the bluekit your colleagues use (pip install --upgrade bluekit), "
                "then run the command again",
            )

    def close(self) -> None:
        self.engine.dispose()
