"""The `bluekit` command line: argument parsing and printing only; the work is in the core.

Each command group lives in its own module. Errors from the core (`BluekitError`) are turned
into one message on stderr and an exit code here, in one place; `--debug` shows the traceback.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from bluekit import __version__
from bluekit.errors import EXIT_BAD_INPUT, BluekitError
from bluekit.pipeline.report import BuildReport, ProgressCallback

if TYPE_CHECKING:
    from bluekit.store.database import Store


@dataclass
class Options:
    """Global options, shared with every command through the context."""

    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    started: float = field(default_factory=time.monotonic)  # the command's summary counts from here


class BluekitGroup(TyperGroup):
    """The root command group: turns core errors into messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BluekitError as exc:
            options = ctx.obj if isinstance(ctx.obj, Options) else Options()
            if options.debug:
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted: nothing half-written was left behind", err=True)
            raise typer.Exit(130) from None


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


def options(ctx: typer.Context) -> Options:
    """The global options of this invocation."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Options) else Options()


def say(ctx: typer.Context, message: str) -> None:
    """Print a progress or success message unless --quiet."""
    if not options(ctx).quiet:
        typer.echo(message)


Db = Annotated[
    Path | None, typer.Option("--db", help="State database file (default: orders/bluekit.db).")
]


def open_store(db: Path | None) -> Store:
    """The state database: the file given with --db, else the default (see store.py)."""
    from bluekit.store.database import (
        Store,  # SQLAlchemy is loaded only by the commands that use it
    )

    return Store(f"sqlite:///{db}" if db else None)


def default_command_group(default: str) -> type[TyperGroup]:
    """A command group in which `bluekit GROUP CAMPAIGN` means `bluekit GROUP <default>
    CAMPAIGN` (`bluekit social campaigns/2024.yaml`, `bluekit stock campaigns/2024.yaml`)."""

    class DefaultCommandGroup(TyperGroup):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            if args and args[0] not in self.commands and not args[0].startswith("-"):
                args = [default, *args]
            return super().parse_args(ctx, args)

    return DefaultCommandGroup


def print_json(data: Any) -> None:
    """Machine-readable output for --json."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def progress_bar(ctx: typer.Context, total: int, label: str) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr fed by the output pipeline's callback (none with --quiet)."""
    if options(ctx).quiet or total == 0 or not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda path, status: bar.update(1)


def report_outputs(ctx: typer.Context, out_dir: Path, report: BuildReport, as_json: bool) -> None:
    """Print what a run of the output pipeline did."""
    if as_json:
        print_json({"out": str(out_dir), **report.as_dict()})
        return
    if options(ctx).verbose:
        for path in report.rendered:
            typer.echo(f"  made {out_dir / path}")
    say(
        ctx,
        f"{out_dir}: {len(report.rendered)} file(s) made, "
        # the time of the whole command (reading and planning too), as staff wait for it
        f"{len(report.unchanged)} already up to date, in "
        f"{time.monotonic() - options(ctx).started:.1f} s",
    )


from . import build as _build  # noqa: E402  (the modules register their commands on app)
from . import campaign as _campaign  # noqa: E402
from . import invitations as _invitations  # noqa: E402
from . import lighting as _lighting  # noqa: E402
from . import links as _links  # noqa: E402
from . import municipalities as _municipalities  # noqa: E402
from . import orders as _orders  # noqa: E402
from . import posters as _posters  # noqa: E402
from . import social as _social  # noqa: E402
from . import stock as _stock  # noqa: E402

_ = (
    _build, _campaign, _invitations, _lighting, _links, _municipalities, _orders, _posters,
    _social, _stock,
)


def main() -> None:
    """Entry point of the `bluekit` console script."""
    _light_rendering_processes()
    try:
        app()
    except BluekitError as exc:  # raised outside a command, e.g. while parsing
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)


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
