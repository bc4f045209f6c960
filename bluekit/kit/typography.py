"""Typography bluekit applies itself: punctuation that differs between its languages, and the
pieces of a text that must never be broken across two lines of a printed page."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from bluekit.language import LOCALES, Language

Run = dict[str, Any]  # {"text": ..., "keep": bool}: a piece of a paragraph for a Typst template


def colon(lang: str) -> str:
    """What follows a label or a title: French puts a no-break space before the colon
    ("Visuel : ...", "Organisation : ..."); the other languages do not."""
    return "\u00a0: " if lang == "fr" else ": "


# What a reader must see whole on one line: an e-mail or web address, a hashtag, a Belgian
# telephone number, a number with thousands separators, a postcode and its town, a street and
# its number. Dates are added per language (`_pattern`).
_FIXED = [
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"(?:https?://|www\.)[^\s()<>]*[^\s()<>.,;:!?’'\"»]",
    r"#\w+",
    r"(?:\+32[\s\u00a0]?|\b0)\d{1,3}(?:[\s\u00a0./]\d{2,3}){2,3}\b",
    r"\b\d{1,3}(?:[\u00a0\u202f .]\d{3})+\b",
    r"\b[1-9]\d{3}[\s\u00a0]+[A-ZÀ-Þ][\w’'-]*(?:[\s\u00a0]+\([\w’' -]+\))?",
    r"\b[\w’'-]*(?:straat|laan|plein|markt|steenweg|weg|dreef|lei|kaai|rue|avenue|boulevard"
    r"|place|chaussée|quai|straße|strasse|platz|gasse|street|road|square)"
    r"(?:[\s\u00a0]+[\w’'-]+){0,3}[\s\u00a0]+\d+[A-Za-z]?\b",
]


@cache
def _pattern(lang: Language) -> re.Pattern[str]:
    # Imported here: only the letters need month names.
    from babel.dates import get_day_names, get_month_names

    months = "|".join(get_month_names("wide", locale=LOCALES[lang]).values())
    days = "|".join(get_day_names("wide", locale=LOCALES[lang]).values())
    date = (
        rf"\b(?:(?:{days}),?[\s\u00a0]+)?\d{{1,2}}(?:er|\.)?[\s\u00a0]+(?:{months})"
        r"(?:[\s\u00a0]+\d{4})?\b"
    )
    return re.compile("|".join([date, *_FIXED]), re.IGNORECASE)


def runs(text: str, lang: Language, kept: Iterable[str] = ()) -> list[Run]:
    """`text` cut into runs for a Typst template, which sets a kept run in a box so that no
    line ends inside it: the values bluekit filled in (`kept`: a date, a name, a number, an
    address) and every e-mail or web address, hashtag, telephone number, date and address."""
    spans = [m.span() for m in _pattern(lang).finditer(text)]
    for value in {v for v in kept if v.strip()}:
        start = text.find(value)
        while start != -1:
            spans.append((start, start + len(value)))
            start = text.find(value, start + 1)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    result: list[Run] = []
    position = 0
    for start, end in merged:
        if start > position:
            result.append({"text": text[position:start], "keep": False})
        result.append({"text": text[start:end], "keep": True})
        position = end
    if position < len(text):
        result.append({"text": text[position:], "keep": False})
    return result
