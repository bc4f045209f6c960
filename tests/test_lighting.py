"""Replies to the invitations, status counts and the list of blue buildings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.errors import ValidationFailed
from bluekit.ledger.lighting import Reply, ReplyError, import_replies, record, status
from bluekit.ledger.lighting_report import plan_report
from bluekit.mail import journal
from bluekit.municipalities import registry
from bluekit.pipeline.outputs import write_outputs
from bluekit.store.database import Store

from .conftest import CAMPAIGN_2024


def _invite(store: Store, *names: str) -> None:
    for name in names:
        m = registry.find(name)
        journal.mark_sent(store, journal.Key(2024, "invitation", m.code),
                          f"x@{m.code}.example.org", f"<{m.code}@x>", "sent in a test")


def test_an_acceptance_needs_a_building_and_a_refusal_has_none(store) -> None:
    kortrijk = registry.find("Kortrijk")
    with pytest.raises(ReplyError, match="needs the building"):
        record(store, 2024, Reply(kortrijk, True))
    with pytest.raises(ReplyError, match="has no building"):
        record(store, 2024, Reply(kortrijk, False, building="Belfort"))


def test_a_later_reply_replaces_the_earlier_one(store) -> None:
    _invite(store, "Kortrijk")
    kortrijk = registry.find("Kortrijk")
    record(store, 2024, Reply(kortrijk, False, reason="werken"))
    record(store, 2024, Reply(kortrijk, True, "Stadhuis", "21:00", "01:00"))
    counts = status(store, 2024)["total"]
    assert counts == {"invited": 1, "accepted": 1, "declined": 0, "no_answer": 0}


def test_status_counts_per_region_and_province(store) -> None:
    _invite(store, "Kortrijk", "Brugge", "Liège", "Schaerbeek", "Eupen")
    record(store, 2024, Reply(registry.find("Kortrijk"), True, "Stadhuis"))
    record(store, 2024, Reply(registry.find("Liège"), False))
    counts = status(store, 2024)
    assert counts["total"] == {"invited": 5, "accepted": 1, "declined": 1, "no_answer": 3}
    assert counts["regions"]["flanders"]["accepted"] == 1
    assert counts["provinces"]["West-Vlaanderen / Flandre occidentale"]["invited"] == 2
    assert counts["provinces"]["Brussel / Bruxelles"]["no_answer"] == 1


def _replies_csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "replies.csv"
    path.write_bytes(("\ufeffrefnis;status;building;from;until;reason\r\n" + body).encode("utf-8"))
    return path


def test_importing_the_same_file_twice_changes_nothing(store, tmp_path: Path) -> None:
    path = _replies_csv(
        tmp_path,
        "34022;ja;Stadhuis;21u00;01.00;\r\nLuik;non;;;;budget\r\nEupen;accepted;Rathaus;22:00;;\r\n",
    )
    assert import_replies(store, 2024, path) == 3
    first = status(store, 2024)
    assert import_replies(store, 2024, path) == 3
    assert status(store, 2024) == first
    assert first["total"]["accepted"] == 2 and first["total"]["declined"] == 1


def test_a_bad_replies_file_names_every_bad_line_and_imports_nothing(store, tmp_path) -> None:
    path = _replies_csv(
        tmp_path,
        "34022;ja;Stadhuis;21:00;;\r\nAtlantis;ja;Toren;;;\r\n62063;misschien;;;;\r\n"
        "63023;ja;;;;\r\n11002;ja;Het Steen;25:00;;\r\n",
    )
    with pytest.raises(ValidationFailed) as info:
        import_replies(store, 2024, path)
    assert [p.location.line for p in info.value.problems] == [3, 4, 5, 6]
    assert status(store, 2024)["total"]["accepted"] == 0


def test_the_report_lists_blue_buildings_and_draws_the_chart(store, tmp_path: Path) -> None:
    campaign = load_campaign(CAMPAIGN_2024)
    _invite(store, "Kortrijk", "Liège", "Eupen", "Braine-l'Alleud")
    record(store, 2024, Reply(registry.find("Kortrijk"), True, "Belfort & Stadhuis", "21:00"))
    record(store, 2024, Reply(registry.find("25014"), True, "Hôtel communal <b>"))
    write_outputs(plan_report(campaign, store), tmp_path)
    rows = list(
        csv.reader(
            io.StringIO((tmp_path / "lighting" / "blue-buildings.csv").read_text("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[0][:4] == ["province", "refnis", "municipality", "building"]
    assert {r[2] for r in rows[1:]} == {"Kortrijk", "Braine-l’Alleud"}
    page = (tmp_path / "lighting" / "blue-buildings.html").read_text("utf-8")
    assert "Belfort &amp; Stadhuis" in page and "Hôtel communal &lt;b&gt;" in page
    chart = Image.open(tmp_path / "lighting" / "participation.png")
    assert chart.size == (1600, 900)


def test_lighting_commands(runner, tmp_path: Path, db_url: str) -> None:
    db = db_url
    ok = runner.invoke(
        app,
        [
            "lighting",
            "record",
            str(CAMPAIGN_2024),
            "Kortrijk",
            "--accepted",
            "--building",
            "Stadhuis",
            "--from",
            "21:00",
            "--db",
            db,
        ],
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["lighting", "record", str(CAMPAIGN_2024), "Kortrijk", "--db", db])
    assert bad.exit_code == 2 and "--accepted or --declined" in bad.output
    result = runner.invoke(app, ["lighting", "status", str(CAMPAIGN_2024), "--json", "--db", db])
    assert json.loads(result.stdout)["total"]["accepted"] == 1
    report = runner.invoke(
        app, ["lighting", "report", str(CAMPAIGN_2024), "--db", db, "--out", str(tmp_path / "dist")]
    )
    assert report.exit_code == 0 and (tmp_path / "dist" / "lighting" / "participation.png").exists()
