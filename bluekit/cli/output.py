"""What the commands print: messages (silenced by --quiet), JSON for scripts, a progress bar on
the terminal, and the summary of a run of the output pipeline.

Output is for people and scripts alike: messages go to stdout unless they are remarks about the
run (stderr), and `--json` prints one JSON document that a script can read.
"""

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from bluekit.pipeline.report import BuildReport, ProgressCallback


@dataclass
class Options:
    """Global options, shared with every command through the context."""

    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    started: float = field(default_factory=time.monotonic)  # the command's summary counts from here


def options(ctx: typer.Context) -> Options:
    """The global options of this invocation."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Options) else Options()


class _Notes(logging.Handler):
    """The core's remarks about a run (logged as INFO under "bluekit": a CSV read as cp1252,
    say), printed as notes on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"note: {record.getMessage()}", err=True)


_NOTES = _Notes()


def show_notes(global_options: Options) -> None:
    """Print the core's notes on stderr from now on (only its warnings with --quiet)."""
    logger = logging.getLogger("bluekit")
    if _NOTES not in logger.handlers:
        logger.addHandler(_NOTES)
        logger.propagate = False
    logger.setLevel(logging.WARNING if global_options.quiet else logging.INFO)


def say(ctx: typer.Context, message: str) -> None:
    """Print a progress or success message unless --quiet."""
    if not options(ctx).quiet:
        typer.echo(message)


def note(ctx: typer.Context, message: str) -> None:
    """A remark about the run on stderr (stdout stays clean for --json), unless --quiet."""
    if not options(ctx).quiet:
        typer.echo(message, err=True)


def print_json(data: Any) -> None:
    """Machine-readable output for --json. A long list (10,000 orders) is written one element
    to a line: json's C encoder writes each, where an indented dump is written in Python, ten
    times slower."""
    if isinstance(data, list) and len(data) > 20:
        encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
        items = (encode(item) for item in data)
        typer.echo("[\n  " + ",\n  ".join(items) + "\n]")
        return
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def progress_bar(ctx: typer.Context, total: int, label: str) -> "Iterator[ProgressCallback | None]":
    """A progress bar on stderr fed by the output pipeline's callback (none with --quiet)."""
    if options(ctx).quiet or total == 0 or not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda path, status: bar.update(1)


def report_outputs(ctx: typer.Context, out_dir: Path, report: "BuildReport", as_json: bool) -> None:
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
