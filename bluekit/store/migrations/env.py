"""Alembic's environment for bluekit's database. bluekit hands over its connection, inside a
transaction it opened and holds (the write lock on SQLite, an advisory lock on PostgreSQL), so
that one process at a time brings a database forward and a failed step changes nothing.

Run by a developer through the `alembic` command (alembic.ini at the top of the repository),
it opens the database of `BLUEKIT_DATABASE_URL` (or orders/bluekit.db) itself, e.g. for
`alembic revision --autogenerate`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo

from bluekit.store.tables import metadata, now, schema_version


def _record_version(
    ctx: MigrationContext, step: MigrationInfo, heads: Any, run_args: Any
) -> None:
    """Write each version applied to the table bluekit used before Alembic: a bluekit of
    that time reads it and refuses a database newer than it knows, instead of using it."""
    if step.is_upgrade and not step.is_stamp and step.up_revision_id is not None:
        ctx.connection.execute(  # type: ignore[union-attr]  # online: there is a connection
            schema_version.insert().values(version=int(step.up_revision_id), applied_at=now())
        )


def _migrate(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite changes a column by copying its table: Alembic's batch mode does that
        render_as_batch=True,
        # column types compared where the database keeps them (SQLite keeps no VARCHAR length)
        compare_type=connection.dialect.name != "sqlite",
        on_version_apply=_record_version,
    )
    with context.begin_transaction():  # inside bluekit's transaction, when it opened one
        context.run_migrations()


def _run() -> None:
    given = context.config.attributes.get("connection")
    if isinstance(given, sa.Connection):
        _migrate(given)
        return
    from bluekit.store.address import database_url

    engine = sa.create_engine(database_url())
    with engine.connect() as connection:
        _migrate(connection)
        connection.commit()
    engine.dispose()


_run()
