"""bluekit's state store: the send journal, lighting replies (and, later, orders) in one database.

SQLite by default (`orders/bluekit.db`, the folder is in the repository, the file is not), any
database SQLAlchemy speaks by URL (`BLUEKIT_DATABASE_URL`, e.g. a shared PostgreSQL) later.
SQLAlchemy Core only: the tables are plain and the SQL is explicit. The schema carries a version
and is migrated forward automatically, each migration in its own transaction. SQLite runs with
foreign keys on, WAL journaling and a busy timeout so that two processes can share the file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .errors import BluekitError

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
    sa.Column("kind", sa.String(20), nullable=False),  # invitation, reminder
    sa.Column("code", sa.String(5), nullable=False),  # REFNIS code of the municipality
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


def _v1(connection: Connection) -> None:
    for table in (sends, replies):
        table.create(connection)


# Migrations, applied in order; never edit a released one, append a new one.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1]


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
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.close()


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
        self.migrate()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on any error."""
        with self.engine.begin() as connection:
            yield connection

    def version(self) -> int:
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("schema_version"):
                return 0
            found = connection.execute(sa.select(sa.func.max(schema_version.c.version)))
            return found.scalar() or 0

    def migrate(self) -> int:
        """Bring the schema to the current version; returns it."""
        try:
            with self.engine.begin() as connection:
                schema_version.create(connection, checkfirst=True)
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot open the database {self.url}: {exc.orig}") from None
        current = self.version()
        if current > len(MIGRATIONS):
            raise StoreError(
                f"the database {self.url} has schema version {current}, newer than this "
                f"bluekit knows ({len(MIGRATIONS)})",
                hint="upgrade bluekit",
            )
        for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.engine.begin() as connection:
                migration(connection)
                connection.execute(schema_version.insert().values(version=number, applied_at=now()))
        return len(MIGRATIONS)

    def close(self) -> None:
        self.engine.dispose()
