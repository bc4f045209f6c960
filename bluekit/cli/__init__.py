"""The `bluekit` command line: argument parsing and printing only; the work is in the core.

Each command group lives in its own module (its `commands`), loaded when one of its commands
runs, and imports the core inside its commands: `bluekit --help` loads Typer and this module
only, and a command loads just what it uses.
Errors from the core (`BluekitError`) are turned into one message on stderr and an exit code in
one place (`groups.BluekitGroup`); `--debug` shows the traceback.
"""

import io
import signal
import sys
from typing import Annotated, Any

import typer

from bluekit import __version__
from bluekit.cli.groups import BluekitGroup, Entry, Terminated
from bluekit.cli.output import Options, show_notes
from bluekit.errors import EXIT_BAD_INPUT, BluekitError

app = typer.Typer(
    cls=BluekitGroup,
    name="bluekit",
    help="The campaign toolkit of the Belgian Blue Heart Campaign against human trafficking.\n\n"
    "Example: bluekit validate campaigns/2024.yaml",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # never print local variables (secrets) in a traceback
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bluekit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print more detail.")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """bluekit: posters, social kits, invitations and orders for the Blue Heart campaign."""
    ctx.obj = Options(quiet=quiet, verbose=verbose, debug=debug)
    show_notes(ctx.obj)


# Every command by name, with its module and summary; a module is loaded when its command runs.
BluekitGroup.entries = {
    "build": Entry("build", "Build everything the campaign sends out into dist/<year>: posters, "
                   "social kits, invitations."),
    "db": Entry("db", "The state database: its schema version, upgrading it, moving a ledger "
                "into another database, backups.", group=True),
    "validate": Entry("campaign", "Check a campaign file and report every problem with its line."),
    "schema": Entry("campaign", "Write the JSON Schema of campaign files, for editors that check "
                    "YAML as you type."),
    "init": Entry("campaign", "Prepare next year's campaign file: dates moved, texts kept and "
                  "flagged for review."),
    "links": Entry("links", "Check every web address of the campaign: QR codes, posts, e-mails, "
                   "sites, texts."),
    "posters": Entry("posters", 'Make the "Maak mensenhandel zichtbaar" posters: print PDF and '
                     "images."),
    "preflight": Entry("preflight", "Check the print PDFs as a print shop's preflight does, and "
                       "report per file."),
    "auth": Entry("auth", "Sign in to Microsoft 365 for sending and reading mail: login, "
                  "status, logout.", group=True),
    "invitations": Entry("invitations", "Invitations to light a building blue on 30 July: "
                         "letters, e-mails, sending.", group=True),
    "lighting": Entry("lighting", "Replies to the invitations, and the list of blue buildings for "
                      "the press.", group=True),
    "municipalities": Entry("municipalities", "Belgium's 565 municipalities, their languages, and "
                            "the contacts CSV.", group=True),
    "orders": Entry("orders", "Material orders: add, import from e-mail or CSV, confirm, pack, "
                    "ship, report.", group=True, more=("order_review", "order_papers", "order_fetch")),
    "publish": Entry("publish", "Publish the built kit where partners pick it up: a Trello board, "
                     "or a web folder.", group=True),
    "social": Entry("social", "Social-media kits per language, and the Blue Heart "
                    "profile-picture frame.", group=True),
    "stock": Entry("stock", "Stock of posters, pins and brochures: on hand, reserved, available, "
                   "low.", group=True),
}


def main() -> None:
    """Entry point of the `bluekit` console script."""
    _utf8_output()
    _light_rendering_processes()
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except BluekitError as exc:  # raised outside a command, e.g. while parsing
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def _utf8_output() -> None:
    """Output is UTF-8 wherever it goes. Python 3.11 on Windows writes output redirected to a
    file or a pipe in the ANSI code page (cp1252), which has no "Ł" or "ő": `orders list
    --json > orders.json` would stop with an error at the first such name."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if isinstance(stream, io.TextIOWrapper) and encoding != "utf8":
            stream.reconfigure(encoding="utf-8")


def _light_rendering_processes() -> None:
    """Rendering processes are started with "spawn", which first imports the main module again:
    for the `bluekit` console script that is this whole command line, half a second per process
    for nothing. Naming `bluekit.__main__` as the main module's origin makes multiprocessing
    skip that import (it never re-imports a `*.__main__` module); the renderers import what
    they need themselves."""
    main_module = sys.modules.get("__main__")
    if main_module is not None and getattr(main_module, "__spec__", None) is None:
        import importlib.util

        main_module.__spec__ = importlib.util.find_spec("bluekit.__main__")
