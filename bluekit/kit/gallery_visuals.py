"""The gallery's view of the visuals: the social images grouped by visual (a card per visual and
language, its thumbnail from one size, links to every size), the numbers of the kit (visuals per
language, images per platform) and the signature at the head of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from bluekit.campaign.model import Campaign
from bluekit.kit import brand
from bluekit.kit.platforms import PLATFORMS
from bluekit.kit.signature import signature_lines
from bluekit.kit.visual_system import heart_path
from bluekit.pipeline.jobs import PlannedOutput

# The size a social visual is shown at in the gallery, in this order of preference.
SHOWN_SIZES = ("portrait", "feed", "link", "wide", "linkedin", "landscape", "story")


def social_visual(path: str) -> tuple[str, str] | None:
    """'social/nl/images/signal-3-feed-1080x1350.png' -> ('signal-3', 'feed'); a carousel's
    slides and document belong to one visual, 'carousel'. None for any other file."""
    parts = PurePosixPath(path).parts
    if len(parts) != 4 or parts[0] != "social" or parts[2] != "images":
        return None
    words = PurePosixPath(path).stem.split("-")
    if len(words) < 3:
        return ("carousel", "document") if words[0] == "carousel" else None
    key = "-".join(words[:-2])
    return ("carousel" if key.startswith("carousel-") else key, words[-2])


def shown_images(paths: Sequence[str]) -> set[str]:
    """The one image per social visual and language that the gallery shows as a thumbnail."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for path in paths:
        found = social_visual(path)
        if found is None or found[1] not in SHOWN_SIZES or not path.endswith(".png"):
            continue
        slide_one = "/carousel-" not in path or "/carousel-1-" in path
        rank = SHOWN_SIZES.index(found[1]) + (0 if slide_one else 100)
        group = (PurePosixPath(path).parts[1], found[0])
        if group not in best or rank < best[group][0]:
            best[group] = (rank, path)
    return {path for _, path in best.values()}


def _label(path: str) -> str:
    """A size's link: '1080 × 1440', a carousel slide '3 · 1080 × 1440', the document 'PDF'."""
    stem = PurePosixPath(path).stem
    if path.endswith(".pdf"):
        return "LinkedIn PDF"
    words = stem.split("-")
    size = words[-1].replace("x", " × ")  # '1080x1440' in a file name, '1080 × 1440' to read
    return f"{words[1]} · {size}" if words[0] == "carousel" else size


def visual_cards(
    paths: Sequence[str], thumbnails: dict[str, PlannedOutput]
) -> list[dict[str, Any]]:
    """A card per visual: its thumbnail and a link to each of its sizes (and slides)."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        found = social_visual(path)
        if found is not None:
            groups.setdefault(found[0], []).append(path)
    cards = []
    for key, files in groups.items():
        pictures = [f for f in files if f in thumbnails]
        cards.append({
            "title": key,
            "thumb": thumbnails[pictures[0]].path if pictures else None,
            "href": pictures[0] if pictures else files[0],
            "links": [{"href": f, "label": _label(f)} for f in sorted(files)],
        })
    return cards


def counts(paths: Sequence[str], languages: Sequence[str]) -> dict[str, Any]:
    """The kit's numbers: per language its visuals and images, and the images each platform's
    posts use (a size a platform shows), for the head of the gallery."""
    per_language = []
    for lang in languages:
        mine = [p for p in paths if p.startswith(f"social/{lang}/images/")]
        if mine:
            visuals = {v[0] for p in mine if (v := social_visual(p)) is not None}
            per_language.append({"lang": lang, "visuals": len(visuals), "images": len(mine)})
    per_platform = []
    for platform in PLATFORMS.values():
        names = {f.name for f in platform.images}
        if platform.key == "linkedin":
            names.add("document")  # the carousel's PDF
        used = [p for p in paths if (v := social_visual(p)) is not None and v[1] in names]
        if used:
            per_platform.append({"name": platform.name, "images": len(used),
                                 "sizes": ", ".join(f"{f.width}x{f.height}"
                                                    for f in platform.images)})
    return {"languages": per_language, "platforms": per_platform}


def signature_html(campaign: Campaign) -> dict[str, Any]:
    """The signature as the gallery's head shows it: the heart's outline and a line per
    language."""
    return {"heart": heart_path(), "fill": brand.PALETTE["heart"].rgb,
            "lines": signature_lines(campaign, campaign.languages)}
