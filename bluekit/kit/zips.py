"""One download per language for municipalities and partners, `kits/blue-heart-<year>-<lang>.zip`,
with the posters (print PDFs, JPEGs, the screen version), the social-media kit and the order form
of that language. The bilingual Brussels poster goes into the Dutch and the French kit.

The ZIP is made from files already planned by the other generators (a `ZipJob`), so it holds
exactly what is in `dist/` and is made again only when one of them changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from bluekit.campaign.model import Campaign
from bluekit.pipeline.jobs import PlannedOutput, ZipJob

# What of the posters goes into a kit: print PDFs, light images, the screen version (the PNGs
# of the print posters are the same pictures as the JPEGs, several times larger).
POSTER_SUFFIXES = (".pdf", ".jpg")


def _poster_languages(path: str) -> tuple[str, ...]:
    """'posters/poster-A3-nl-fr.pdf' -> ('nl', 'fr'); 'posters/screen-de.png' -> ('de',)."""
    stem = PurePosixPath(path).stem
    parts = stem.split("-")
    langs = parts[2:] if stem.startswith("poster-") else parts[1:]
    return tuple(langs)


def kit_name(campaign: Campaign, lang: str) -> str:
    return f"blue-heart-{campaign.year}-{lang}"


def plan_kits(campaign: Campaign, planned: Sequence[PlannedOutput]) -> list[PlannedOutput]:
    """A ZIP per campaign language of the municipality-facing files among `planned`."""
    kits = []
    for lang in campaign.languages:
        prefix = kit_name(campaign, lang)
        members: list[tuple[str, str, str]] = []
        for item in planned:
            path = PurePosixPath(item.path)
            if path.parts[0] == "posters" and len(path.parts) == 2:
                is_screen = path.name.startswith("screen-")
                wanted = is_screen or path.suffix in POSTER_SUFFIXES
                if wanted and lang in _poster_languages(item.path):
                    members.append((f"{prefix}/posters/{path.name}", item.path,
                                    item.job.fingerprint()))
            elif path.parts[:2] == ("social", lang):
                inner = "/".join(path.parts[2:])
                members.append((f"{prefix}/social/{inner}", item.path, item.job.fingerprint()))
            elif item.path == f"order-form/order-form-{lang}.txt":
                members.append((f"{prefix}/{path.name}", item.path, item.job.fingerprint()))
        if members:
            kits.append(PlannedOutput(
                f"kits/{prefix}.zip", ZipJob(tuple(members), label=f"kit {lang} ZIP")
            ))
    return kits
