"""Bringing a database to the current schema with Alembic, on a connection in a transaction
the caller holds (`Store.upgrade`): a new database gets every revision, one made before
Alembic is stamped with the version it records and then brought forward.

Alembic takes about half a second to load: only this module imports it, and only when a
database is not up to date (`schema.py` tells that without it) or `bluekit db` asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from bluekit.store.schema import HEAD, SchemaState

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPTS = Path(__file__).with_name("migrations")


def _config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, state: SchemaState, target: str = HEAD) -> None:
    """Apply the revisions after `state` up to `target`, in the caller's transaction."""
    from alembic import command

    config = _config(connection)
    if state.legacy and state.revision is not None:
        command.stamp(config, state.revision)
    command.upgrade(config, target)


def script_revisions() -> list[str]:
    """The revisions of `migrations/versions`, oldest first, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(SCRIPTS))
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]
