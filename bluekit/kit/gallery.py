"""`dist/<year>/index.html`: every file of the build on one page, pictures as thumbnails, so staff
review the whole kit in a browser before anything is printed or sent.

Thumbnails are made from a picture's JPEG where there is one (the posters), else rendered by
Typst from the same template and data at a sixth of the resolution; the page is a planned file
like any other.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from functools import partial
from importlib.resources import files
from pathlib import PurePosixPath
from typing import Any

from bluekit.campaign.model import Campaign
from bluekit.kit import brand
from bluekit.kit.gallery_visuals import (
    counts,
    shown_images,
    signature_html,
    social_visual,
    visual_cards,
)
from bluekit.kit.visual_system import PAGE as VISUAL_SYSTEM_PAGE
from bluekit.pipeline.jinja_templates import render_html
from bluekit.pipeline.jobs import LazyJob, PlannedOutput
from bluekit.pipeline.raster import JpegFromPngJob, ThumbnailJob
from bluekit.pipeline.render import Job

THUMBNAILS = "thumbnails"
THUMBNAIL_SCALE = 6  # a sixth of the picture's resolution
THUMBNAIL_WIDTH = 300  # pixels, for thumbnails made from a JPEG
PAGE = "index.html"


def _thumbnail_path(path: str) -> str:
    return f"{THUMBNAILS}/{PurePosixPath(path).with_suffix('.png')}"


def plan_thumbnails(planned: Sequence[PlannedOutput]) -> dict[str, PlannedOutput]:
    """Picture path -> its thumbnail. A picture with a JPEG (the posters) gets one made from the
    JPEG in a few milliseconds; another is rendered by Typst at a sixth of its resolution: the
    screen posters, and of the social images one per visual and language (the others are the
    same picture at other sizes). The PNG and JPEG of a poster share one thumbnail."""
    shown = shown_images([p.path for p in planned])
    by_stem: dict[str, PlannedOutput] = {}
    for item in planned:  # JPEGs first: the cheaper source
        job = item.job
        is_jpeg = isinstance(job, JpegFromPngJob) or (isinstance(job, Job) and job.format == "jpg")
        if is_jpeg:
            by_stem[_stem(item.path)] = PlannedOutput(_thumbnail_path(item.path), ThumbnailJob(
                item.path, job.fingerprint(), THUMBNAIL_WIDTH, label=f"thumbnail {job.label}"
            ))
    result: dict[str, PlannedOutput] = {}
    for item in planned:
        job = item.job
        stem = _stem(item.path)
        social = social_visual(item.path) is not None
        if (isinstance(job, Job) and job.format == "png" and job.ppi and stem not in by_stem
                and (not social or item.path in shown)):
            small = dataclasses.replace(
                job, ppi=job.ppi / THUMBNAIL_SCALE, label=f"thumbnail {job.label}"
            )
            by_stem[stem] = PlannedOutput(_thumbnail_path(item.path), small)
        if stem in by_stem and (isinstance(job, JpegFromPngJob | ThumbnailJob)
                                or (isinstance(job, Job) and job.format in ("png", "jpg"))):
            result[item.path] = by_stem[stem]
    return result


def _stem(path: str) -> str:
    return str(PurePosixPath(path).with_suffix(""))


def _link(path: str) -> dict[str, str]:
    return {"href": path, "label": PurePosixPath(path).name}


def _group(paths: Sequence[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(str(PurePosixPath(path).with_suffix("")), []).append(path)
    return groups


def _municipalities(count: int) -> str:
    return f"{count} municipalit{'y' if count == 1 else 'ies'}"


def gallery_sections(
    planned: Sequence[PlannedOutput],
    thumbnails: dict[str, PlannedOutput],
    languages: Sequence[str],
) -> list[dict[str, Any]]:
    """The page's sections: posters and social images as cards with thumbnails, invitations as
    a table per municipality, everything else as links."""
    paths = [p.path for p in planned if not p.path.startswith(f"{THUMBNAILS}/")]
    sections: list[dict[str, Any]] = []

    def take(predicate: Any) -> list[str]:
        chosen = [p for p in paths if predicate(p)]
        for p in chosen:
            paths.remove(p)
        return chosen

    def cards(chosen: Sequence[str]) -> list[dict[str, Any]]:
        result = []
        for stem, files in _group(chosen).items():
            pictures = [f for f in files if f in thumbnails]
            result.append({
                "title": PurePosixPath(stem).name,
                "thumb": thumbnails[pictures[0]].path if pictures else None,
                "href": pictures[0] if pictures else files[0],
                "links": [{"href": f, "label": PurePosixPath(f).suffix.lstrip(".").upper()}
                          for f in sorted(files)],
            })
        return result

    posters = take(lambda p: p.startswith("posters/"))
    if posters:
        sections.append({"id": "posters", "title": "Posters", "cards": cards(posters)})
    found = {PurePosixPath(p).parts[1] for p in paths
             if p.startswith("social/") and len(PurePosixPath(p).parts) > 2}
    for lang in [lang for lang in languages if lang in found]:
        images = take(lambda p, lang=lang: p.startswith(f"social/{lang}/")
                      and social_visual(p) is not None)
        files = take(lambda p, lang=lang: p.startswith(f"social/{lang}/"))
        sections.append({"id": f"social-{lang}", "title": f"Social media kit ({lang})",
                         "cards": visual_cards(images, thumbnails),
                         "links": [_link(f) for f in files]})
    folders: dict[str, list[str]] = {}
    for path in take(lambda p: p.startswith("invitations/") and p.count("/") == 2):
        folders.setdefault(PurePosixPath(path).parts[1], []).append(path)
    if folders:
        sections.append({
            "id": "invitations", "title": f"Invitations ({_municipalities(len(folders))})",
            "rows": [{"name": name, "links": [_link(f) for f in sorted(files)]}
                     for name, files in sorted(folders.items())],
        })
    sections += _file_sections(take)
    return [{"cards": [], "links": [], "rows": []} | s for s in sections]


def _file_sections(take: Any) -> list[dict[str, Any]]:
    """The sections of files shown as links: order form, ZIPs, overview, the rest."""
    sections = []
    titles = {"order-form": "Order form", "kits": "Kits to download (one ZIP per language)",
              "social": "Social media kits as ZIP files", "invitations": "Invitations overview"}
    for folder, title in titles.items():
        files = take(lambda p, folder=folder: p.startswith(f"{folder}/"))
        if files:
            sections.append({"id": f"files-{folder}", "title": title,
                             "links": [_link(f) for f in files]})
    rest = take(lambda p: p not in (PAGE, VISUAL_SYSTEM_PAGE))
    if rest:
        sections.append({"id": "other", "title": "Other files", "links": [_link(f) for f in rest]})
    return sections


def gallery_page(
    campaign: Campaign,
    planned: Sequence[PlannedOutput],
    thumbnails: dict[str, PlannedOutput],
    *,
    for_partners: bool = False,
) -> bytes:
    """The HTML of `index.html`: for staff to review the build, or (`for_partners`) the page of
    the published kit."""
    return render_html(
        "gallery.html.j2",
        for_partners=for_partners,
        year=campaign.year,
        slogans=[(lang, campaign.slogan[lang]) for lang in campaign.languages],
        signature=signature_html(campaign),
        sections=gallery_sections(planned, thumbnails, campaign.languages),
        counts=counts([p.path for p in planned], campaign.languages),
        visual_system=VISUAL_SYSTEM_PAGE if any(p.path == VISUAL_SYSTEM_PAGE for p in planned)
        else None,
        count=len(planned),
        colours={k: c.rgb for k, c in brand.PALETTE.items()},
    ).encode("utf-8")


def plan_gallery(campaign: Campaign, planned: Sequence[PlannedOutput]) -> list[PlannedOutput]:
    """The thumbnails and the page that shows every planned file. The page is written only when
    the list of files changed (it shows names and links, not contents)."""
    thumbnails = plan_thumbnails(planned)
    template = (files("bluekit") / "templates" / "gallery.html.j2").read_text("utf-8")
    key = json.dumps([
        "gallery-v4", campaign.year, campaign.slogan, campaign.languages,
        campaign.signature.model_dump(), campaign.dates.world_day.isoformat(),
        [p.path for p in planned], {k: v.path for k, v in thumbnails.items()}, template,
        {k: c.rgb for k, c in brand.PALETTE.items()},
    ])
    page = LazyJob(key=key, make=partial(gallery_page, campaign, planned, thumbnails),
                   label="gallery")
    unique = {t.path: t for t in thumbnails.values()}
    return [*unique.values(), PlannedOutput(PAGE, page)]
