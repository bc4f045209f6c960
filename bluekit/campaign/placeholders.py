"""The {placeholders} of campaign texts: which names a text may use, finding them, filling them
in, and their values written the way each language writes them.

The model checks texts against these names while it validates; the kit fills them in when it
writes a poster, a post or a letter.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from bluekit.errors import OutputError
from bluekit.language import Language, written_date

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.municipalities.registry import Municipality

# Placeholders a letter or poster text may contain, written {name}; nothing else is expanded.
PLACEHOLDERS = {
    "municipality",
    "world_day",
    "reply_by",
    "reminder_reply_by",
    "letter_date",
    "kickoff",
    "year",
    "url",
    "telephone",
    "hashtags",
}



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
    inv = campaign.invitation
    kickoff = campaign.dates.kickoff
    result = {
        "world_day": written_date(campaign.dates.world_day, lang),
        "reply_by": written_date(inv.reply_by, lang),
        # the rules refuse a text with {reminder_reply_by} when the date is not set
        "reminder_reply_by": (
            written_date(inv.reminder_reply_by, lang) if inv.reminder_reply_by else ""
        ),
        "letter_date": written_date(inv.date_on_letters, lang, "long"),
        "kickoff": written_date(kickoff.date, lang) if kickoff else "",
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
