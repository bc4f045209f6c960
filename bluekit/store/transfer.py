"""Moving a whole ledger: copying it into another, empty database (a laptop's SQLite file into
the team's PostgreSQL), and exporting it to a JSON file and importing that back (a backup).

Each is all or nothing: the rows go into the target in one transaction, the count of every
table is checked against the source before it commits, and a target that holds anything is
refused. Ids, order numbers and the order counters are copied as they are (a number is never
given out twice, also after a move), and PostgreSQL's id sequences are set past the copied ids.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bluekit import __version__
from bluekit.errors import BluekitError, InputFileError
from bluekit.files.atomic import write_atomic
from bluekit.store.database import MIGRATION_LOCK, Store
from bluekit.store.schema import HEAD, REVISIONS, schema_state
from bluekit.store.tables import metadata

FORMAT = "bluekit-ledger"
FORMAT_VERSION = 1
CHUNK = 1000  # rows per INSERT batch
# every table of the ledger, parents before children; the schema's own records are not data
TABLES = [t for t in metadata.sorted_tables if t.name != "schema_version"]


class TransferError(BluekitError):
    """A ledger cannot be copied, exported or imported as asked."""


def table_counts(db: Connection, tables: list[sa.Table] | None = None) -> dict[str, int]:
    """The number of rows of each table of the ledger."""
    return {
        t.name: int(db.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
        for t in tables or TABLES
    }


def _refuse_unless_empty(db: Connection, target: Store) -> None:
    present = set(sa.inspect(db).get_table_names())
    held = {
        name: n for name, n in table_counts(db, [t for t in TABLES if t.name in present]).items()
        if n
    }
    if held:
        listed = ", ".join(f"{n} {name}" for name, n in held.items())
        raise TransferError(
            f"the database {target.name} is not empty ({listed}); nothing was changed",
            hint="a ledger is moved into a new, empty database: ask IT for one, or give "
            "another file",
        )


def _rows(db: Connection, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in the order of its key, a chunk at a time."""
    result = db.execute(sa.select(table).order_by(*table.primary_key.columns))
    while chunk := result.mappings().fetchmany(CHUNK):
        yield [dict(row) for row in chunk]


def _reset_sequences(db: Connection) -> None:
    """On PostgreSQL, make each id sequence give out ids after the copied ones."""
    if db.dialect.name != "postgresql":
        return  # SQLite takes the largest id in the table, plus one
    for table in TABLES:
        if "id" in table.c and table.c.id.autoincrement is True:
            db.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
            ))


def _snapshot(db: Connection) -> Connection:
    """One consistent view of the source while it is read (others may be working on it)."""
    if db.dialect.name == "postgresql":
        return db.execution_options(isolation_level="REPEATABLE READ")
    return db


def copy_ledger(source: Store, target: Store) -> dict[str, int]:
    """Copy every row of `source` into the empty `target`, in one transaction; returns the
    counts (checked equal on both sides before the copy commits)."""
    if source.url == target.url:
        raise TransferError(f"the database to copy to is the one copied from ({source.name})",
                            hint="give --to the address of the new database")
    with source.reading() as plain, target.transaction() as into:
        src = _snapshot(plain)
        with src.begin():
            _refuse_unless_empty(into, target)
            for table in TABLES:
                for chunk in _rows(src, table):
                    into.execute(table.insert(), chunk)
            _reset_sequences(into)
            expected = table_counts(src)
            _check_counts(expected, table_counts(into), target)
    return expected


def _check_counts(expected: dict[str, int], found: dict[str, int], target: Store) -> None:
    if expected != found:  # never seen; if it were, the rollback leaves the target empty
        differ = ", ".join(f"{t}: {expected[t]} != {found.get(t)}" for t in expected
                           if expected[t] != found.get(t))
        raise TransferError(f"the copy into {target.name} does not hold what it copied "
                            f"({differ}); nothing was kept")


# --- export to and import from JSON --------------------------------------------------------------


def _to_json(value: Any, column: sa.Column[Any]) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite: stored in UTC
        return moment.astimezone(dt.UTC).isoformat()
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _from_json(value: Any, column: sa.Column[Any]) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    return value


@dataclass(frozen=True)
class Exported:
    path: Path
    revision: str
    counts: dict[str, int]


def export_ledger(store: Store, path: Path) -> Exported:
    """Write every row of the ledger to a JSON file (written whole or not at all)."""
    with store.reading() as plain:
        db = _snapshot(plain)
        with db.begin():
            revision = schema_state(db).revision or HEAD
            tables: dict[str, dict[str, list[Any]]] = {
                table.name: {
                    "columns": [c.name for c in table.columns],
                    "rows": [[_to_json(row[c.name], c) for c in table.columns]
                             for chunk in _rows(db, table) for row in chunk],
                }
                for table in TABLES
            }
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "schema": revision,
        "bluekit": __version__, "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "tables": tables,
    }
    write_atomic(path, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
    return Exported(path, revision, {name: len(t["rows"]) for name, t in tables.items()})


def read_export(path: Path) -> dict[str, Any]:
    """An export file, checked for what importing it needs; the problem named with the file."""
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise InputFileError(f"{path}: not a ledger export ({exc})",
                             hint="give a file written by `bluekit db export`") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputFileError(f"{path}: not a ledger export (no \"format\": \"{FORMAT}\")",
                             hint="give a file written by `bluekit db export`")
    revision = document.get("schema")
    if revision not in REVISIONS:
        raise InputFileError(
            f"{path}: exported from a ledger with schema version {revision}, which this bluekit "
            f"does not know (it knows up to {HEAD})",
            hint="install the bluekit that wrote it (pip install --upgrade bluekit)",
        )
    known = {t.name: t for t in TABLES}
    for name, table in (document.get("tables") or {}).items():
        columns = table.get("columns", [])
        if name not in known or not set(columns) <= set(known[name].c.keys()):
            raise InputFileError(f"{path}: table {name!r} with columns {columns} is not one of "
                                 "the ledger's", hint="give a file written by `bluekit db export`")
        if any(len(row) != len(columns) for row in table.get("rows", [])):
            raise InputFileError(f"{path}: table {name!r} has a row of the wrong length")
    return document


def import_ledger(target: Store, path: Path) -> dict[str, int]:
    """Load an export into an empty database, in one transaction; returns the counts. A new
    database is given the export's schema version first and brought forward after, so an
    export of an older bluekit restores as that bluekit left it."""
    from bluekit.store.upgrade import upgrade

    document = read_export(path)
    revision = str(document["schema"])
    with target.transaction() as db:
        if db.dialect.name == "postgresql":
            db.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        state = schema_state(db)
        if state.revision is None:
            upgrade(db, state, revision)
        elif state.revision != revision or state.legacy:
            raise TransferError(
                f"{path} holds a ledger of schema version {revision}, the database "
                f"{target.name} has version {state.revision}; nothing was changed",
                hint="import into a new database (a new file, or an empty PostgreSQL database)",
            )
        _refuse_unless_empty(db, target)
        try:
            expected = _load(db, document)
        except sa.exc.IntegrityError as exc:
            raise TransferError(
                f"{path}: its rows do not fit together ({str(exc.orig).splitlines()[0]}); "
                "nothing was changed", hint="give a file written by `bluekit db export`",
            ) from None
        found = table_counts(db, [t for t in TABLES if t.name in expected])
        _check_counts(expected, found, target)
        if revision != HEAD:
            upgrade(db, schema_state(db))
        _reset_sequences(db)
    return expected


def _load(db: Connection, document: dict[str, Any]) -> dict[str, int]:
    tables = document["tables"]
    counts: dict[str, int] = {}
    for table in TABLES:  # parents before children, whatever the file's order
        if table.name not in tables:
            continue
        columns = [table.c[name] for name in tables[table.name]["columns"]]
        rows = tables[table.name]["rows"]
        for start in range(0, len(rows), CHUNK):
            db.execute(table.insert(), [
                {c.name: _from_json(value, c) for c, value in zip(columns, row, strict=True)}
                for row in rows[start:start + CHUNK]
            ])
        counts[table.name] = len(rows)
    return counts
