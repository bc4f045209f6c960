"""The {placeholders} of campaign texts: which names a text may use, finding them, filling them
in, and their values written the way each language writes them.

The model checks texts against these names while it validates; the kit fills them in when it
writes a poster, a post or a letter.
"""

from __future__ import annotations

import datetime as dt
import string
from functools import cache
from typing import TYPE_CHECKING

from bluekit.errors import OutputError
from bluekit.language import Language

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.municipalities.registry import Municipality

# Placeholders a letter or poster text may contain, written {name}; nothing else is expanded.
PLACEHOLDERS = {
    "municipality",
    "world_day",
    "reply_by",
    "kickoff",
    "year",
    "url",
    "telephone",
    "hashtags",
}

# Babel locales for Belgian usage; English uses British conventions ("Tuesday 30 July 2024").
LOCALES: dict[Language, str] = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}


def placeholders_in(text: str) -> set[str]:
    """The {names} used in a text (`{{` and `}}` stand for literal braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def placeholders_in_safe(text: str) -> set[str]:
    """Like placeholders_in, but a malformed brace counts as an unknown placeholder."""
    try:
        return placeholders_in(text)
    except ValueError:
        return {"<unbalanced brace>"}


def fill(text: str, **values: str) -> str:
    """Replace {placeholders} in a campaign text; values are never themselves expanded."""
    try:
        return text.format_map(values)
    except KeyError as exc:
        raise OutputError(
            f"the text {text[:60]!r} uses {{{exc.args[0]}}}, which has no value here",
            hint=f"remove {{{exc.args[0]}}} from this text in the campaign file",
        ) from None


@cache
def long_date(day: dt.date, lang: Language) -> str:
    """'dinsdag 30 juli 2024', 'mardi 30 juillet 2024', 'Dienstag, 30. Juli 2024'."""
    # Imported here: validating a campaign file reads the names above but writes no dates.
    from babel.dates import format_date

    return format_date(day, "full", locale=LOCALES[lang])


def values(
    campaign: Campaign,
    lang: Language,
    *,
    municipality: Municipality | None = None,
    url: str = "",
    hashtags: int | None = None,
) -> dict[str, str]:
    """Every placeholder's value in `lang` (the municipality's only when one is given; the
    first `hashtags` hashtags only, for a platform that takes no more)."""
    result = {
        "world_day": long_date(campaign.dates.world_day, lang),
        "reply_by": long_date(campaign.invitation.reply_by, lang),
        "kickoff": long_date(campaign.dates.kickoff.date, lang) if campaign.dates.kickoff else "",
        "year": str(campaign.year),
        "url": url or campaign.reporting_point.url[lang],
        "telephone": campaign.reporting_point.telephone or "",
        "hashtags": " ".join(campaign.hashtags[:hashtags]),
    }
    if municipality is not None:
        result["municipality"] = municipality.name(lang)
    return result


def render_text(
    text: str,
    campaign: Campaign,
    lang: Language,
    *,
    municipality: Municipality | None = None,
    url: str = "",
    hashtags: int | None = None,
) -> str:
    """A campaign text with its placeholders filled in for `lang`."""
    return fill(
        text, **values(campaign, lang, municipality=municipality, url=url, hashtags=hashtags)
    )
