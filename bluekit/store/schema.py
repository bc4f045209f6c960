"""Which schema version a database has, read without loading Alembic: opening a database that
is up to date (nearly every time) costs one small query, and Alembic (`upgrade.py`) is loaded
only to bring one forward.

The versions are Alembic revisions, `bluekit/store/migrations/versions/`; their ids are the
schema versions as four digits, and `REVISIONS` lists them in order (a test holds it equal to
Alembic's history). A database made before Alembic carries its version in `schema_version`
only; it is stamped with the same revision on its first upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # SQLAlchemy is loaded by whoever has a connection
    from sqlalchemy.engine import Connection

# Every schema version, oldest first: append a new one (and its file in migrations/versions).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
HEAD = REVISIONS[-1]


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision (None for a new one) and whether it was made
    before bluekit used Alembic (then only `schema_version` records it)."""

    revision: str | None
    legacy: bool = False

    @property
    def current(self) -> bool:
        return self.revision == HEAD and not self.legacy

    @property
    def newer(self) -> bool:
        """Made by a newer bluekit: a revision this one does not know."""
        return self.revision is not None and self.revision not in REVISIONS

    @property
    def pending(self) -> tuple[str, ...]:
        """The revisions an upgrade would apply, in order."""
        if self.newer:
            return ()
        start = 0 if self.revision is None else REVISIONS.index(self.revision) + 1
        return REVISIONS[start:]

    def as_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "head": HEAD,
            "pending": list(self.pending),
            "newer": self.newer,
        }


def _table_names(connection: Connection) -> set[str]:
    import sqlalchemy as sa

    return set(sa.inspect(connection).get_table_names())


def schema_state(connection: Connection) -> SchemaState:
    """The schema version of the database behind `connection`, in its transaction."""
    import sqlalchemy as sa

    tables = _table_names(connection)
    if "alembic_version" in tables:
        found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        versions = list(found)
        if len(versions) == 1:
            return SchemaState(versions[0])
        return SchemaState(",".join(versions) or None)
    if "schema_version" in tables:
        number = connection.execute(sa.text("SELECT max(version) FROM schema_version")).scalar()
        if number:
            return SchemaState(f"{int(number):04d}", legacy=True)
    return SchemaState(None)
