"""`bluekit db`: the state database itself: where it stands, bringing it forward, moving a
ledger into the team's shared database, and backups to a JSON file."""

from pathlib import Path
from typing import Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import print_json, say
from bluekit.cli.params import AsJson, Db

commands = command_group(
    help="The state database: its schema version, upgrading it, moving a ledger into another "
    "database, backups.\n\n"
    "Example: bluekit db copy --to postgresql://db.example.org/bluekit",
    no_args_is_help=True,
)

JsonFile = Annotated[Path, typer.Argument(help="The JSON file, e.g. ledger-2024-07-01.json.")]


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "no rows"


@commands.command("status")
def status_command(db: Db = None, as_json: AsJson = False) -> None:
    """Show which database bluekit uses, its schema version and what an upgrade would do.

    The database is only looked at, never changed. Exit code 1 when it needs an upgrade or is
    newer than this bluekit.

    Example: bluekit db status
    """
    from bluekit.store.database import Store
    from bluekit.store.transfer import table_counts

    store = Store(db, upgrade=False)
    state = store.state()
    counts: dict[str, int] = {}
    if state.current:
        with store.reading() as connection:
            counts = table_counts(connection)
    if as_json:
        print_json({"database": store.name, "backend": store.backend, **state.as_dict(),
                    "rows": counts})
    else:
        typer.echo(f"database: {store.name}")
        if state.newer:
            typer.echo(f"schema:   version {state.revision}, newer than this bluekit "
                       f"({state.as_dict()['head']}): install the bluekit your colleagues use")
        elif state.current:
            typer.echo(f"schema:   version {state.revision}, up to date")
            typer.echo(f"rows:     {_counts_line(counts)}")
        else:
            typer.echo(f"schema:   {'version ' + state.revision if state.revision else 'none yet'}"
                       f"; an upgrade applies {', '.join(state.pending)} "
                       "(`bluekit db upgrade`, or any command that uses the database)")
    if not state.current:
        raise typer.Exit(1)


@commands.command("upgrade")
def upgrade_command(ctx: typer.Context, db: Db = None) -> None:
    """Bring the database's schema to this bluekit's version (every command does so on its
    own; this does it at a moment of your choosing, e.g. after installing a new bluekit).

    Example: bluekit db upgrade
    """
    from bluekit.store.database import Store

    store = Store(db, upgrade=False)
    before = store.upgrade()
    after = store.state()
    if before.current:
        say(ctx, f"{store.name}: schema version {after.revision}, already up to date")
    else:
        say(ctx, f"{store.name}: schema version {before.revision or 'none'} -> "
                 f"{after.revision}")


@commands.command("copy")
def copy_command(
    ctx: typer.Context,
    to: Annotated[str, typer.Option(
        "--to", help="The new, empty database, e.g. postgresql://HOST/DATABASE (the password "
        "from PGPASSWORD or the password file, not in the URL).",
    )],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Copy the ledger (orders, stock, replies, the send journal) into a new, empty database:
    all or nothing, every table's count checked.

    The ledger copied is --db, else BLUEKIT_DATABASE_URL, else orders/bluekit.db; it is left as
    it was. Afterwards set BLUEKIT_DATABASE_URL to the new database.

    Example: bluekit db copy --db orders/bluekit.db --to postgresql://db.example.org/bluekit
    """
    from bluekit.store.database import Store
    from bluekit.store.transfer import copy_ledger

    source, target = Store(db), Store(to)
    counts = copy_ledger(source, target)
    if as_json:
        print_json({"from": source.name, "to": target.name, "rows": counts})
    else:
        say(ctx, f"copied {source.name} to {target.name}: {_counts_line(counts)}")
        say(ctx, "to work in it, each colleague sets BLUEKIT_DATABASE_URL to the address given "
                 "with --to")


@commands.command("export")
def export_command(ctx: typer.Context, file: JsonFile, db: Db = None) -> None:
    """Write the whole ledger to a JSON file (a backup; `bluekit db import` restores it).

    Example: bluekit db export ledger-2024-07-01.json
    """
    from bluekit.store.database import Store
    from bluekit.store.transfer import export_ledger

    store = Store(db)
    done = export_ledger(store, file)
    say(ctx, f"exported {store.name} to {file}: {_counts_line(done.counts)}")


@commands.command("import")
def import_command(ctx: typer.Context, file: JsonFile, db: Db = None) -> None:
    """Restore a ledger exported with `bluekit db export` into a new, empty database: all or
    nothing, every table's count checked.

    Example: bluekit db import ledger-2024-07-01.json --db orders/restored.db
    """
    from bluekit.store.database import Store
    from bluekit.store.transfer import import_ledger

    store = Store(db, upgrade=False)
    counts = import_ledger(store, file)
    say(ctx, f"imported {file} into {store.name}: {_counts_line(counts)}")
