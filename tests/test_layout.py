"""The shape of the code: packages whose `__init__` costs nothing, modules a reader holds in mind,
and a command line that loads only what the command at hand uses. (The layering of the packages
is checked by `lint-imports`, part of the test command.)"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from bluekit.cli import app
from bluekit.cli.groups import BluekitGroup, command_group, load_command
from bluekit.cli.params import with_options

from .conftest import CAMPAIGN_2024, ROOT

PACKAGE = ROOT / "bluekit"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
HEAVY = ("pydantic", "sqlalchemy", "typst", "jinja2", "PIL", "qrcode", "babel", "requests")


def _python_modules() -> list:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_package_init_holds_a_docstring_and_nothing_else() -> None:
    inits = [p for p in _python_modules() if p.name == "__init__.py" and p.parent != PACKAGE]
    assert len(inits) >= 10
    for path in inits:
        if path.parent.name == "cli":  # the command line's root: the app itself
            continue
        body = ast.parse(path.read_text("utf-8")).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr), f"{path}: docstring only"
        assert isinstance(body[0].value, ast.Constant) and len(body[0].value.value) > 80


def test_no_module_is_longer_than_a_reader_holds_in_mind() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _python_modules()
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_a_screen() -> None:
    long = {}
    for path in _python_modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert long == {}


def test_every_command_of_the_root_is_listed_with_its_own_summary() -> None:
    for name, entry in BluekitGroup.entries.items():
        command = load_command(name, entry)
        own = " ".join((command.help or "").split("\n\n")[0].split())
        assert own == entry.summary, f"the summary of {name!r} differs from its help"
        assert command.name == name


def test_the_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.strip()]
    assert listed == list(BluekitGroup.entries)


_LOADED = """
import json, sys
from bluekit.cli import main
sys.argv = ["bluekit", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print("\\nLOADED " + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> set[str]:
    """The modules a real `bluekit ARGS` process has loaded when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, json.dumps(args)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    marker = done.stderr.rindex("LOADED ")
    return set(json.loads(done.stderr[marker + len("LOADED "):]))


@pytest.mark.parametrize("args", [("--version",), ("--help",), ()])
def test_version_and_help_load_no_command_and_no_library_but_typer(args: tuple[str, ...]) -> None:
    loaded = _loaded(*args)
    commands = {m for m in loaded if m.startswith("bluekit.cli.")}
    assert commands == {"bluekit.cli.groups", "bluekit.cli.output"}
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    assert not [m for m in loaded if m.startswith("bluekit.") and not m.startswith("bluekit.cli")
                and m != "bluekit.errors"]


def test_a_command_loads_its_own_module_and_not_the_renderer(tmp_path) -> None:
    loaded = _loaded("stock", str(CAMPAIGN_2024), "--db", str(tmp_path / "state.db"))
    assert "bluekit.cli.stock" in loaded and "bluekit.cli.orders" not in loaded
    assert {"pydantic", "sqlalchemy"} <= loaded  # the campaign and the ledger: its own work
    assert not {"typst", "PIL", "jinja2", "qrcode", "requests"} & loaded


@dataclass(frozen=True)
class _Size:
    """A toy option group."""

    width: Annotated[int, typer.Option(help="Width.")] = 3
    tall: Annotated[bool, typer.Option("--tall", help="Tall.")] = False


def test_an_option_group_gives_its_options_and_arrives_as_one_value(runner: CliRunner) -> None:
    toy = command_group()
    received: list[object] = []

    @toy.command()
    @with_options(size=_Size)
    def draw(name: Annotated[str, typer.Argument()], size: _Size,
             colour: Annotated[str, typer.Option()] = "blue") -> None:
        received.append((name, size, colour))

    result = runner.invoke(toy, ["heart", "--width", "5", "--tall", "--colour", "navy"])
    assert result.exit_code == 0, result.output
    assert received == [("heart", _Size(width=5, tall=True), "navy")]
    help_text = runner.invoke(toy, ["--help"]).output
    assert "--width" in help_text and "--tall" in help_text and "--colour" in help_text
    assert "--size" not in help_text


def test_the_architecture_page_names_only_modules_that_exist() -> None:
    import re

    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    packages = "|".join(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    named = set(re.findall(rf"\b((?:{packages})/[a-z_]+(?:/[a-z_]+)?)\b", text))
    assert len(named) > 30
    missing = [n for n in named
               if not (PACKAGE / f"{n}.py").exists() and not (PACKAGE / n).is_dir()]
    assert missing == []
