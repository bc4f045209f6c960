"""The README's two set-up commands stay true: CI runs the test command verbatim."""

from __future__ import annotations

import re

from .conftest import ROOT


def _command(marker: str) -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", text, re.DOTALL)
    assert match, f"README has no {marker} block"
    return match.group(1).strip()


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert _command("test-command") in ci.splitlines()


def test_the_main_command_installs_and_runs_bluekit_on_2024() -> None:
    main = _command("main-command")
    assert "pip install -e ." in main
    assert "campaigns/2024.yaml" in main


def test_every_test_the_reliability_promises_name_exists() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Reliability", 1)[1].split("\n## ", 1)[0]
    named = 0
    for cell in re.findall(r"\| (`tests/.+?) \|\n", section):
        path = None
        for ref in re.findall(r"`([^`]+)`", cell):
            file, _, name = ref.rpartition("::")
            path = ROOT / file if file else path
            assert path is not None and path.exists(), ref
            assert re.search(rf"^def {re.escape(name)}\(", path.read_text("utf-8"), re.M), ref
            named += 1
    assert named >= 25
