"""Every layout fits every municipality: the co-branded posters and screens, laid out for the
longest names of the 565 municipalities in each language set they are addressed in, keep every
box apart (checked from the boxes the templates report, common.typ's `region`), inside the page.
Also the profile frame, which must stay inside the circle platforms crop an avatar to."""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from PIL import Image

from bluekit.campaign.load import load_campaign
from bluekit.kit.languages import campaign_languages
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.kit.social import frame_job
from bluekit.municipalities.registry import Municipality, municipalities
from bluekit.pipeline.render import layout_boxes, render

from .conftest import CAMPAIGN_2022, CAMPAIGN_2024


def overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The pairs of boxes whose areas share more than a hair (touching edges are fine)."""
    found = []
    for a, b in itertools.combinations(boxes, 2):
        wide = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
        tall = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
        if wide > 0.01 and tall > 0.01:
            found.append((a["name"], b["name"]))
    return found


def test_the_check_finds_two_boxes_that_overlap_and_not_two_that_touch() -> None:
    a = {"name": "a", "x": 0, "y": 0, "w": 10, "h": 10}
    assert overlaps([a, {"name": "b", "x": 10, "y": 0, "w": 5, "h": 5}]) == []
    assert overlaps([a, {"name": "c", "x": 9, "y": 9, "w": 5, "h": 5}]) == [("a", "c")]


def _longest(campaign: Any) -> dict[tuple[str, ...], Municipality]:
    """Per language set (nl; fr; de+fr; nl+fr; fr+nl...), the municipality whose co-branding
    line is the longest in any of its languages."""
    best: dict[tuple[str, ...], tuple[int, Municipality]] = {}
    for m in municipalities():
        langs = campaign_languages(campaign, m.languages)
        length = max(len(campaign.poster.supports[lang].format(municipality=m.name(lang)))
                     for lang in langs)
        if langs not in best or length > best[langs][0]:
            best[langs] = (length, m)
    return {langs: m for langs, (_, m) in best.items()}


CAMPAIGN = load_campaign(CAMPAIGN_2024)
LONGEST = _longest(CAMPAIGN)


def test_the_longest_names_cover_every_language_set() -> None:
    assert {("nl",), ("fr",), ("de", "fr"), ("nl", "fr"), ("fr", "nl")} <= set(LONGEST)
    assert LONGEST[("nl",)].name("nl") == "Beveren-Kruibeke-Zwijndrecht"


@pytest.mark.parametrize("langs", sorted(LONGEST), ids="+".join)
def test_cobranded_posters_and_screens_keep_every_box_apart(langs: tuple[str, ...]) -> None:
    municipality = LONGEST[langs]
    options = PosterOptions(sizes=("A4", "A2"), formats=("pdf",), municipality=municipality)
    planned = plan_posters(CAMPAIGN, options)
    assert len(planned) == 4  # A4, A2, the web version and the screen
    for item in planned:
        boxes = layout_boxes(item.job)
        names = {b["name"] for b in boxes}
        assert {"signature", "signature.mark", "organisation", "poster.supports", "slogan",
                "qr"} <= names, item.path
        assert overlaps(boxes) == [], (municipality.display_name, item.path)
        data = item.job.data
        if "trim" in data:  # a print poster: every box inside the trim, within the slug
            slug = data["slug"] * 72 / 25.4
            width, height = data["trim"]["w"] * 72 / 25.4, data["trim"]["h"] * 72 / 25.4
        else:
            slug, width, height = 0, 960, 540
        for box in boxes:
            assert box["x"] >= slug - 12 and box["y"] >= slug - 12, box  # the mark's margin
            assert box["x"] + box["w"] <= slug + width + 0.01, box
            assert box["y"] + box["h"] <= slug + height + 0.01, box


def test_the_posters_without_a_municipality_keep_their_boxes_apart() -> None:
    for campaign in (CAMPAIGN, load_campaign(CAMPAIGN_2022)):
        for item in plan_posters(campaign, PosterOptions(sizes=("A3",), formats=("pdf",))):
            assert overlaps(layout_boxes(item.job)) == [], item.path


def test_the_profile_frame_lies_inside_the_circle_avatars_are_cropped_to() -> None:
    frame = Image.open(io.BytesIO(render(frame_job()))).convert("RGBA")
    size = frame.width
    radius = size / 2
    alpha = frame.getchannel("A").load()
    outside = [
        (x, y) for y in range(0, size, 2) for x in range(0, size, 2)
        # (the ring's outer edge is the circle's: its anti-aliased pixels reach a pixel out)
        if alpha[x, y] > 8 and (x + 0.5 - radius) ** 2 + (y + 0.5 - radius) ** 2
        > (radius + 1) ** 2
    ]
    assert outside == []
    # and the badge is there: opaque white (its rim) on the lower right diagonal
    rim = [frame.getpixel((x, x)) for x in range(int(size * 0.55), int(size * 0.85))]
    assert any(p[3] > 200 and min(p[:3]) > 230 for p in rim)
