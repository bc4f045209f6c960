"""`dist/<year>/visual-system.html`: the campaign's visual system as the templates use it, on a
page of the gallery: the signature in every language, the colours in sRGB and CMYK, the text
pairs with their contrast, the type scale, the mark with its clear space, and the grid. It is
made from `kit/brand.py` and `kit/signature.py`, the same values every template reads.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Any

from bluekit.campaign.model import Campaign
from bluekit.kit import brand
from bluekit.kit.signature import signature_lines
from bluekit.pipeline.jinja_templates import render_html
from bluekit.pipeline.jobs import PlannedOutput, StaticJob

PAGE = "visual-system.html"


@cache
def heart_path() -> str:
    """The outline of bluekit's heart (assets/heart.svg), for drawing it in HTML."""
    svg = (files("bluekit") / "assets" / "heart.svg").read_text("utf-8")
    match = re.search(r'\bd="([^"]+)"', svg)
    assert match, "assets/heart.svg has a path"
    return match.group(1)


def page_data(campaign: Campaign) -> dict[str, Any]:
    """Everything the page shows, from the brand's own definitions."""
    pairs = [
        {"text": p.text, "background": p.background, "use": p.use,
         "text_rgb": brand.PALETTE[p.text].rgb, "background_rgb": brand.PALETTE[p.background].rgb,
         "ratio": f"{p.ratio:.2f}", "required": f"{p.required:g}", "large_only": p.large_only,
         "passes": p.ratio >= p.required}
        for p in brand.TEXT_PAIRS
    ]
    colours = [
        {"name": name, "rgb": c.rgb, "cmyk": " ".join(f"{v}" for v in c.cmyk), "use": c.use}
        for name, c in brand.PALETTE.items()
    ]
    steps = [{"name": name, "size": s.size, "weight": s.weight, "use": s.use}
             for name, s in brand.TYPE_SCALE.items()]
    return {
        "year": campaign.year,
        "signatures": signature_lines(campaign, campaign.languages),
        "colours": colours,
        "pairs": pairs,
        "steps": steps,
        "mark": brand.MARK,
        "signature": brand.SIGNATURE,
        "grid": brand.GRID,
        "heart": heart_path(),
        "font": brand.FONT_FAMILY,
        "palette": {k: c.rgb for k, c in brand.PALETTE.items()},
    }


def plan_visual_system(campaign: Campaign) -> list[PlannedOutput]:
    """The page, made while planning (a few milliseconds): its bytes are its fingerprint."""
    html = render_html("visual_system.html.j2", **page_data(campaign))
    return [PlannedOutput(PAGE, StaticJob(html.encode("utf-8"), label="visual system page"))]
