"""The command line, run as a user runs it (Typer's CliRunner)."""

from __future__ import annotations

import json
import shutil

import pytest

from bluekit import __version__
from bluekit.cli import app

from .conftest import CAMPAIGN_2024, EXAMPLE_CONTACTS


def test_version(runner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["schema"],
        ["init"],
        ["municipalities", "list"],
        ["municipalities", "show"],
        ["municipalities", "template"],
        ["municipalities", "contacts"],
    ],
)
def test_every_command_has_help_with_an_example(runner, command) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example: bluekit" in result.output


def test_validate_accepts_the_2024_campaign(runner) -> None:
    result = runner.invoke(app, ["validate", str(CAMPAIGN_2024)])
    assert result.exit_code == 0, result.output
    assert "valid - campaign 2024" in result.output


def test_validate_reports_problems_with_exit_code_1(runner, write_campaign) -> None:
    path = write_campaign(lambda d: d["centres"][0].__setitem__("website", "http://www.pag-asa.be"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "centres[0].website" in result.output
    assert "Traceback" not in result.output


def test_validate_json_lists_problems(runner, write_campaign) -> None:
    path = write_campaign(lambda d: d.__setitem__("sloganx", "x"))
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["problems"][0]["field"] == "sloganx" and data["problems"][0]["line"] >= 1


def test_validate_a_missing_file_exits_2_without_traceback(runner, tmp_path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "2031.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.output and "Traceback" not in result.output


def test_validate_a_yaml_syntax_error_exits_2_with_the_line(runner, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("year: 2024\nslogan:\n\tnl: x\n", "utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3:" in result.output


def test_schema_writes_json_schema(runner, tmp_path) -> None:
    out = tmp_path / "campaign.schema.json"
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text("utf-8"))["title"] == "bluekit campaign definition"


def test_init_writes_next_year_and_refuses_to_overwrite(runner, tmp_path) -> None:
    source = tmp_path / "2024.yaml"
    shutil.copy(CAMPAIGN_2024, source)
    first = runner.invoke(app, ["init", "2025", "--from", str(source)])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "2025.yaml").exists()
    second = runner.invoke(app, ["init", "2025", "--from", str(source)])
    assert second.exit_code == 2 and "already exists" in second.output
    check = runner.invoke(app, ["validate", "--strict", str(tmp_path / "2025.yaml")])
    assert check.exit_code == 1 and "flagged for review" in check.output


def test_municipalities_list_filters_and_prints_json(runner) -> None:
    result = runner.invoke(app, ["municipalities", "list", "--language", "de", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data) == 11  # nine German-speaking, plus Malmedy and Waimes
    brussels = runner.invoke(app, ["municipalities", "list", "--region", "Bruxelles"])
    assert brussels.stdout.count("\n") == 19


def test_municipalities_list_csv_is_excel_ready(runner) -> None:
    result = runner.invoke(app, ["municipalities", "list", "--province", "Limburg", "--csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("refnis;municipality")


def test_municipalities_show_is_forgiving(runner) -> None:
    for query in ("Luik", "liege", "Liège"):
        result = runner.invoke(app, ["municipalities", "show", query, "--json"])
        assert result.exit_code == 0
        assert json.loads(result.stdout)["code"] == "62063"


def test_municipalities_show_unknown_exits_2_with_a_suggestion(runner) -> None:
    result = runner.invoke(app, ["municipalities", "show", "Kortrik"])
    assert result.exit_code == 2
    assert "did you mean Kortrijk" in result.output


def test_municipalities_template_and_contacts(runner, tmp_path) -> None:
    out = tmp_path / "contacts.csv"
    result = runner.invoke(app, ["municipalities", "template", "--out", str(out)])
    assert result.exit_code == 0 and "565" in result.output
    checked = runner.invoke(app, ["municipalities", "contacts", str(EXAMPLE_CONTACTS), "--json"])
    assert checked.exit_code == 0
    eupen = next(c for c in json.loads(checked.stdout) if c["code"] == "63023")
    assert eupen["languages"] == ["de", "fr"]


def test_debug_shows_the_traceback(runner, tmp_path) -> None:
    result = runner.invoke(app, ["--debug", "validate", str(tmp_path / "none.yaml")])
    assert result.exit_code != 0 and result.exception is not None
