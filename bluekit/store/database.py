"""bluekit's state store: the send journal, lighting replies, orders and stock in one database.

SQLite by default (`orders/bluekit.db`, the folder is in the repository, the file is not), any
database SQLAlchemy speaks by URL (`BLUEKIT_DATABASE_URL`, e.g. a shared PostgreSQL) later.
SQLAlchemy Core only: the tables are plain and the SQL is explicit. The schema carries a version
and is migrated forward automatically, in one transaction. SQLite runs with foreign keys on, WAL
journaling and a busy timeout, and every transaction starts with BEGIN IMMEDIATE: it takes the
write lock before it reads, so two processes that read-then-write (the next order number, the
stock still available) wait for each other instead of failing with "database is locked".
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bluekit.errors import BluekitError

DEFAULT_PATH = Path("orders") / "bluekit.db"
ENV_URL = "BLUEKIT_DATABASE_URL"

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

# One row per message bluekit tried to send: the journal that makes sending idempotent.
# status: "sending" (handed to the server, outcome unknown if the run died), "sent", "failed".
sends = sa.Table(
    "sends",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # invitation, reminder, order-shipped...
    sa.Column("code", sa.String(20), nullable=False),  # REFNIS code, or an order number
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("message_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("year", "kind", "code", name="uq_sends_once"),
)

# The answer of a municipality to the invitation: one row per campaign year and municipality.
replies = sa.Table(
    "lighting_replies",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(5), primary_key=True),
    sa.Column("accepted", sa.Boolean, nullable=False),
    sa.Column("building", sa.Text, nullable=True),
    sa.Column("lit_from", sa.String(5), nullable=True),  # HH:MM
    sa.Column("lit_until", sa.String(5), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)


# --- orders and stock (schema version 2) ---

# The last order number given out per year: numbers are never reused, not even after a cancel.
order_counters = sa.Table(
    "order_counters",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(12), nullable=False, unique=True),  # 2024-0001
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("telephone", sa.String(40), nullable=True),
    sa.Column("street", sa.Text, nullable=False),
    sa.Column("postcode", sa.String(4), nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("municipality", sa.String(5), nullable=True),  # REFNIS code from the postcode
    sa.Column("remarks", sa.Text, nullable=True),
    sa.Column("source", sa.String(10), nullable=False),  # command, csv, email
    # What the order came from (a Message-ID, a CSV row's digest): importing it again is a no-op.
    sa.Column("source_ref", sa.String(400), nullable=True, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column(
        "order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("item", sa.String(40), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_line_quantity"),
)

# Every status an order went through, with when and who: the history is never rewritten.
order_events = sa.Table(
    "order_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Column("carrier", sa.String(100), nullable=True),
    sa.Column("tracking", sa.String(100), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)

# Stock per campaign year and item. The checks make a negative stock impossible in the database
# itself, whatever the code above it does.
stock_items = sa.Table(
    "stock_items",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("item", sa.String(40), primary_key=True),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False),
    sa.CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
    sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved"),
)

# The stock ledger: every change to on hand or reserved, with its reason.
stock_moves = sa.Table(
    "stock_moves",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("item", sa.String(40), nullable=False),
    sa.Column("on_hand_change", sa.Integer, nullable=False),
    sa.Column("reserved_change", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(12), nullable=False),  # opening, receive, reserve, release, ship
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.ForeignKeyConstraint(["year", "item"], ["stock_items.year", "stock_items.item"]),
)

# Messages that could not be read as an order: kept whole, with the reason, for a person to look at.
order_review = sa.Table(
    "order_review",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("source_ref", sa.String(400), nullable=False, unique=True),
    sa.Column("source_name", sa.Text, nullable=False),  # the file (and message) it came from
    sa.Column("sender", sa.Text, nullable=True),
    sa.Column("subject", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("original", sa.LargeBinary, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)


# A review item dealt with by a person: typed in by hand, imported once the catalogue or the
# rules allowed it, or no order at all. The item and its original stay; it leaves the open list.
order_review_handled = sa.Table(
    "order_review_handled",
    metadata,
    sa.Column("review_id", sa.Integer, sa.ForeignKey("order_review.id"), primary_key=True),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("handled_by", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("order_number", sa.String(20), nullable=True),  # the order it became, if any
)


def _v1(connection: Connection) -> None:
    for table in (sends, replies):
        table.create(connection)


def _v2(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":  # SQLite does not enforce VARCHAR lengths
        connection.execute(sa.text("ALTER TABLE sends ALTER COLUMN code TYPE VARCHAR(20)"))
    for table in (order_counters, orders, order_lines, order_events, stock_items, stock_moves,
                  order_review):
        table.create(connection)


def _v3(connection: Connection) -> None:
    order_review_handled.create(connection)


# Migrations, applied in order; never edit a released one, append a new one.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2, _v3]


class StoreError(BluekitError):
    """The database cannot be opened or is newer than this bluekit."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def database_url(path: Path | None = None) -> str:
    """The database to use: an explicit file, else BLUEKIT_DATABASE_URL, else orders/bluekit.db."""
    if path is not None:
        return f"sqlite:///{path}"
    return os.environ.get(ENV_URL) or f"sqlite:///{DEFAULT_PATH}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
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
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    result = connection.execute(insert(table).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1


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
            return _version(connection)

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
                current = _version(connection)
                if current > len(MIGRATIONS):
                    raise StoreError(
                        f"the database {self.url} has schema version {current}, newer than "
                        f"this bluekit knows ({len(MIGRATIONS)})",
                        hint="upgrade bluekit",
                    )
                for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
                    migration(connection)
                    connection.execute(
                        schema_version.insert().values(version=number, applied_at=now())
                    )
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot open the database {self.url}: {exc.orig}") from None
        return len(MIGRATIONS)

    def close(self) -> None:
        self.engine.dispose()


def _version(connection: Connection) -> int:
    if not sa.inspect(connection).has_table("schema_version"):
        return 0
    found = connection.execute(sa.select(sa.func.max(schema_version.c.version)))
    return found.scalar() or 0
