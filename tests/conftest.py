"""Shared fixtures: the real campaign files and a way to write broken variants of them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN_2024 = ROOT / "campaigns" / "2024.yaml"
CAMPAIGN_2022 = ROOT / "campaigns" / "2022.yaml"
EXAMPLE_CONTACTS = ROOT / "campaigns" / "contacts.example.csv"


@pytest.fixture(scope="session")
def campaign_data() -> dict[str, Any]:
    """The 2024 campaign as plain data."""
    return yaml.safe_load(CAMPAIGN_2024.read_text(encoding="utf-8"))


@pytest.fixture
def write_campaign(tmp_path: Path, campaign_data: dict[str, Any]) -> Callable[..., Path]:
    """Write the 2024 campaign after `change(data)` edits a deep copy of it; returns the path."""

    def write(change: Callable[[dict[str, Any]], None] | None = None, name: str = "c.yaml") -> Path:
        data = copy.deepcopy(campaign_data)
        if change:
            change(data)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    return write


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of `path` containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
