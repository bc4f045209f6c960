"""Values for the {placeholders} of campaign texts, written the way each language writes them."""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel.dates import format_date

from bluekit.campaign.model import Campaign, fill
from bluekit.municipalities.registry import Municipality

# Babel locales for Belgian usage; English uses British conventions ("Tuesday 30 July 2024").
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}


@cache
def long_date(day: dt.date, lang: str) -> str:
    """'dinsdag 30 juli 2024', 'mardi 30 juillet 2024', 'Dienstag, 30. Juli 2024'."""
    return format_date(day, "full", locale=LOCALES[lang])


def values(
    campaign: Campaign, lang: str, *, municipality: Municipality | None = None, url: str = ""
) -> dict[str, str]:
    """Every placeholder's value in `lang` (the municipality's only when one is given)."""
    result = {
        "world_day": long_date(campaign.dates.world_day, lang),
        "reply_by": long_date(campaign.invitation.reply_by, lang),
        "kickoff": long_date(campaign.dates.kickoff.date, lang) if campaign.dates.kickoff else "",
        "year": str(campaign.year),
        "url": url or campaign.reporting_point.url[lang],
        "telephone": campaign.reporting_point.telephone or "",
        "hashtags": " ".join(campaign.hashtags),
    }
    if municipality is not None:
        result["municipality"] = municipality.name(lang)
    return result


def render_text(text: str, campaign: Campaign, lang: str, **kwargs: object) -> str:
    """A campaign text with its placeholders filled in for `lang`."""
    return fill(text, **values(campaign, lang, **kwargs))  # type: ignore[arg-type]
