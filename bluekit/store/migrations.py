"""The schema versions of the database: what each version adds, and how a database is brought
from the version it has to the current one.

Applied in order, each recorded in `schema_version`; a released migration is never edited, a
new one is appended. `Store.migrate` runs them in one transaction, one process at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bluekit.store.tables import (
    lighting_inbox,
    mailbox_state,
    now,
    order_counters,
    order_events,
    order_lines,
    order_review,
    order_review_handled,
    orders,
    replies,
    schema_version,
    sends,
    stock_items,
    stock_moves,
    trello_items,
    trello_runs,
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


def _v4(connection: Connection) -> None:
    for table in (trello_items, trello_runs):
        table.create(connection)


def _v5(connection: Connection) -> None:
    for table in (mailbox_state, lighting_inbox):
        table.create(connection)


def _v6(connection: Connection) -> None:
    """The send journal says which run holds a message (so that two runs at once cannot both
    send it) and keeps a note; a failure that was temporary (a 4xx answer, a lost connection)
    becomes "deferred", to be tried again, while one refused for good (5xx) stays "failed"."""
    # a database made new at version 6 got the columns from `sends.create()` in _v1 already
    present = {column["name"] for column in sa.inspect(connection).get_columns("sends")}
    for name, kind in (("claimed_by", "VARCHAR(200)"), ("note", "TEXT")):
        if name not in present:
            connection.execute(sa.text(f"ALTER TABLE sends ADD COLUMN {name} {kind}"))
    connection.execute(
        sends.update()
        .where(sends.c.status == "failed", sa.not_(sends.c.error.like("5%")))
        .values(status="deferred")
    )


# Migrations, applied in order; never edit a released one, append a new one.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]


def current_version(connection: Connection) -> int:
    """The schema version the database has; 0 for a new one."""
    if not sa.inspect(connection).has_table("schema_version"):
        return 0
    found = connection.execute(sa.select(sa.func.max(schema_version.c.version)))
    return found.scalar() or 0


def apply_from(connection: Connection, current: int) -> None:
    """Apply the migrations after version `current`, recording each, in the caller's
    transaction."""
    for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
        migration(connection)
        connection.execute(schema_version.insert().values(version=number, applied_at=now()))
