"""The command groups of the command line: the root, which loads a command's module only when
that command runs and turns core errors into one message and an exit code; groups with a default
command (`bluekit stock CAMPAIGN`); and the settings every group shares.

The root knows each command by name, module and summary (as pip does), so `bluekit --help` and
`bluekit --version` load none of the command modules: Typer builds a command's options from its
signature, which for some forty commands costs more than all the rest of starting up.
"""

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from bluekit.cli.output import Options
from bluekit.errors import BluekitError


def command_group(**settings: Any) -> typer.Typer:
    """A Typer app with bluekit's settings: plain help (no markup), no shell-completion options,
    never the local variables (secrets) in a traceback."""
    return typer.Typer(
        add_completion=False, rich_markup_mode=None, pretty_exceptions_show_locals=False,
        **settings,
    )


@dataclass(frozen=True)
class Entry:
    """A command of the root: the module under bluekit.cli that defines it (as its `commands`),
    whether it is that module's group itself, the summary `bluekit --help` shows (the first
    paragraph of the command's own help; a test holds the two equal), and the modules that add
    more commands to the group."""

    module: str
    summary: str
    group: bool = False
    more: tuple[str, ...] = ()


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, a system shutting down, a scheduled job cancelled): handled as Ctrl-C
    is, so that nothing half-written is left behind and the renderers end with bluekit."""


class BluekitGroup(TyperGroup):
    """The root command group: loads commands as they are asked for, turns core errors into
    messages and exit codes."""

    entries: dict[str, Entry] = {}  # noqa: RUF012  (set once by bluekit.cli)

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.commands, *(name for name in self.entries if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.entries:
            self.commands[cmd_name] = load_command(cmd_name, self.entries[cmd_name])
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The list of commands with their summaries, as Click writes it, without loading them."""
        if not self.entries:
            return
        limit = formatter.width - 6 - max(len(name) for name in self.entries)
        rows = [
            (name, TyperCommand(name, help=entry.summary).get_short_help_str(limit))
            for name, entry in self.entries.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BluekitError as exc:
            options = ctx.obj if isinstance(ctx.obj, Options) else Options()
            if options.debug:
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except Terminated:
            typer.echo("stopped by SIGTERM: nothing half-written was left behind", err=True)
            raise typer.Exit(143) from None
        except KeyboardInterrupt:
            typer.echo("interrupted: nothing half-written was left behind", err=True)
            raise typer.Exit(130) from None


def load_command(name: str, entry: Entry) -> Any:
    """The Click command `name` of the module `entry` names, built from its Typer app."""
    module = importlib.import_module(f"bluekit.cli.{entry.module}")
    for more in entry.more:  # they register their commands on the group as they load
        importlib.import_module(f"bluekit.cli.{more}")
    found = typer.main.get_command(module.commands)
    if not entry.group and isinstance(found, TyperGroup):
        found = found.commands[name]
    found.name = name
    return found


def default_command_group(default: str) -> type[TyperGroup]:
    """A command group in which `bluekit GROUP CAMPAIGN` means `bluekit GROUP <default>
    CAMPAIGN` (`bluekit social campaigns/2024.yaml`, `bluekit stock campaigns/2024.yaml`)."""

    class DefaultCommandGroup(TyperGroup):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            if args and args[0] not in self.commands and not args[0].startswith("-"):
                args = [default, *args]
            return super().parse_args(ctx, args)

    return DefaultCommandGroup
