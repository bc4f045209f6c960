"""The campaign's signature: the heart mark, the campaign's name and the date and name of World
Day, in the language(s) of an output. Every poster, screen, social image, letterhead and the
gallery carry it, drawn by common.typ's `signature()` (or the gallery's page) from this data, so
it reads and sits the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from bluekit.campaign.model import Campaign
from bluekit.kit.accessibility import heart_alt
from bluekit.language import LOCALES, Language


@cache
def day_and_month(day_iso: str, lang: Language) -> str:
    """'30 juli', '30 juillet', '30. Juli', '30 July': the date as each language writes it."""
    import datetime as dt

    from babel.dates import format_skeleton

    return format_skeleton("MMMMd", dt.date.fromisoformat(day_iso), locale=LOCALES[lang])


def signature_lines(campaign: Campaign, langs: Sequence[Language]) -> list[dict[str, str]]:
    """Per language: the campaign's name, and World Day's date and name."""
    sig = campaign.signature
    when = campaign.dates.world_day.isoformat()
    return [
        {"lang": lang, "name": sig.name[lang], "date": day_and_month(when, lang),
         "world_day": sig.day_name[lang]}
        for lang in langs
    ]


def signature_data(campaign: Campaign, langs: Sequence[Language]) -> dict[str, Any]:
    """The signature as template data: the names (the same name is given once on a bilingual
    output: "Blue Heart · Cœur bleu"), a line per language with World Day, and the heart's
    alternative text for tagged PDFs."""
    lines = signature_lines(campaign, langs)
    names = list(dict.fromkeys(line["name"] for line in lines))
    return {"name": " · ".join(names), "lines": lines, "mark_alt": heart_alt(langs)}
