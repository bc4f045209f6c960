"""The campaign's content rules, which read what the texts say rather than their shape: no
"free" about a number charged at the national rate, only known placeholders, no stale year, and
the texts still flagged for review; the invitation's own rules are in `letter_rules`.

They run on a campaign the schema has accepted, so each rule may rely on its structure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import phonenumbers

from bluekit.campaign.letter_rules import letter_problems
from bluekit.campaign.placeholders import PLACEHOLDERS, placeholders_in_safe
from bluekit.campaign.problems import format_path, loc_from_path
from bluekit.errors import Problem
from bluekit.language import LANGUAGE_NAMES, Language

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.campaign.yaml_source import YamlSource

# Words that present a telephone number as free of charge. 078 numbers are charged at the
# national rate, so a campaign text must never say this about the reporting point's number.
_FREE_WORDS = re.compile(
    r"\b(gratis|gratuit\w*|kostenlos\w*|gebührenfrei\w*|toll[- ]free|free of charge|freephone"
    r"|free(?= (?:number|call|line|phone)))\b",
    re.IGNORECASE,
)


def content_problems(campaign: Campaign, source: YamlSource) -> list[Problem]:
    """Checks that read the meaning of the texts rather than their shape."""
    problems: list[Problem] = []
    free_ok = _is_toll_free(campaign.reporting_point.telephone)
    for path, text in campaign.localized_texts():
        for lang, value in text.items():
            problems += _text_problems(campaign, source, path, lang, value, free_ok=free_ok)
    problems += letter_problems(campaign, source)
    for item in campaign.review:
        problems.append(
            Problem(
                source.location(("review",)),
                f"{item!r} was carried over from last year and is flagged for review",
                "review",
                "check the text, then remove it from the `review` list",
                kind="warning",
            )
        )
    return problems


def _is_toll_free(telephone: str | None) -> bool:
    """Whether the reporting point's number is free to call (so a text may say so)."""
    if not telephone:
        return False
    number = phonenumbers.parse(telephone, "BE")
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE


def _text_problems(
    campaign: Campaign,
    source: YamlSource,
    path: str,
    lang: Language,
    value: str,
    *,
    free_ok: bool,
) -> list[Problem]:
    """The problems of one text in one language: a word saying free, an unknown placeholder,
    another year than the campaign's."""
    problems: list[Problem] = []
    loc = loc_from_path(path) + (lang,)
    match = _FREE_WORDS.search(value)
    if match and not free_ok:
        problems.append(
            Problem(
                source.location(loc),
                f"the {LANGUAGE_NAMES[lang]} text says {match.group(0)!r}, but the "
                "reporting point's number is charged at the national rate, not free",
                format_path(loc),
                "remove the word; say 'national rate' if cost must be mentioned",
            )
        )
    unknown = placeholders_in_safe(value) - PLACEHOLDERS
    if unknown:
        problems.append(
            Problem(
                source.location(loc),
                f"unknown placeholder {{{sorted(unknown)[0]}}}",
                format_path(loc),
                f"allowed: {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}; "
                "write {{ and }} for literal braces",
            )
        )
    for year in set(re.findall(r"\b(20\d\d)\b", value)) - {str(campaign.year)}:
        problems.append(
            Problem(
                source.location(loc),
                f"mentions the year {year}, but this is the {campaign.year} campaign",
                format_path(loc),
                "check that the text is up to date",
                kind="warning",
            )
        )
    return problems
