"""`bluekit init`: next year's file from this year's."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bluekit.campaign.load import check_campaign
from bluekit.campaign.next_year import init_campaign, shift_date
from bluekit.errors import InputFileError

from .conftest import CAMPAIGN_2024


def test_a_date_moves_to_the_same_weekday_of_the_new_year() -> None:
    new = shift_date(dt.date(2024, 7, 22), 2025)
    assert new == dt.date(2025, 7, 21) and new.weekday() == 0


def test_init_moves_dates_keeps_texts_and_flags_them(tmp_path: Path) -> None:
    source = tmp_path / "2024.yaml"
    shutil.copy(CAMPAIGN_2024, source)
    out = init_campaign(2025, source)
    assert out == tmp_path / "2025.yaml"
    campaign, problems = check_campaign(out)
    assert campaign is not None
    assert not [p for p in problems if p.kind == "error"]
    assert campaign.year == 2025
    assert campaign.dates.world_day == dt.date(2025, 7, 30)
    assert campaign.dates.kickoff and campaign.dates.kickoff.date == dt.date(2025, 7, 21)
    assert campaign.invitation.reply_by.year == 2025
    assert {"poster", "slogan", "invitation", "social"} <= set(campaign.review)
    assert any("flagged for review" in p.message for p in problems)
    original = check_campaign(source)[0]
    assert original is not None and campaign.slogan == original.slogan
    # Comments of the source survive: the file was edited, not re-dumped.
    first_comment = next(
        line for line in source.read_text("utf-8").splitlines() if line.startswith("#")
    )
    assert first_comment in out.read_text("utf-8")


def test_init_never_overwrites(tmp_path: Path) -> None:
    source = tmp_path / "2024.yaml"
    shutil.copy(CAMPAIGN_2024, source)
    existing = tmp_path / "2025.yaml"
    existing.write_text("keep me", "utf-8")
    with pytest.raises(InputFileError, match="already exists"):
        init_campaign(2025, source)
    assert existing.read_text("utf-8") == "keep me"


def test_init_refuses_a_year_that_is_not_later(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not after 2024"):
        init_campaign(2023, CAMPAIGN_2024, tmp_path / "x.yaml")
