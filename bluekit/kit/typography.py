"""Typography bluekit applies itself: punctuation that differs between its languages, and the
pieces of a text that must never be broken across two lines of a printed page."""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Mapping
from functools import cache, lru_cache
from typing import Any

from bluekit.language import LOCALES, Language

# A piece of a paragraph for a Typst template: {"text": ..., "keep": bool, "whole": bool}
Run = dict[str, Any]


def colon(lang: str) -> str:
    """What follows a label or a title: French puts a no-break space before the colon
    ("Visuel : ...", "Organisation : ..."); the other languages do not."""
    return "\u00a0: " if lang == "fr" else ": "


# What a reader must see whole on one line: an e-mail or web address, a hashtag, a Belgian
# telephone number, a number with thousands separators, a postcode and its town, a street and
# its number. Dates are added per language (`_patterns`). Words are taken whole (atomic groups)
# and street names checked by their ending, so that a paragraph is read in linear time.
_STREET_ENDINGS = (
    "straat", "laan", "plein", "markt", "steenweg", "weg", "dreef", "lei", "kaai", "rue",
    "avenue", "boulevard", "place", "chaussée", "quai", "straße", "strasse", "platz", "gasse",
    "street", "road", "square",
)
_WORD = r"(?>[\w’'-]+)"
_FIXED = [
    r"(?<![\w.+-])(?>[\w.+-]+)@[\w-]+(?:\.[\w-]+)+",
    r"(?:https?://|www\.)[^\s()<>]*[^\s()<>.,;:!?’'\"»]",
    r"#\w+",
    r"(?:\+32[\s\u00a0]?|\b0)\d{1,3}(?:[\s\u00a0./]\d{2,3}){2,3}\b",
    r"\b\d{1,3}(?:[\u00a0\u202f .]\d{3})+\b",
    r"\b[1-9]\d{3}[\s\u00a0]+[A-ZÀ-Þ][\w’'-]*(?:[\s\u00a0]+\([\w’' -]+\))?",
    rf"\b{_WORD}(?:{'|'.join(f'(?<={e})' for e in _STREET_ENDINGS)})"
    rf"(?:[\s\u00a0]+{_WORD}){{0,3}}[\s\u00a0]+\d+[A-Za-z]?\b",
]


@cache
def _patterns(lang: Language) -> list[re.Pattern[str]]:
    # Imported here: only the letters need month names.
    from babel.dates import get_month_names

    months = "|".join(get_month_names("wide", locale=LOCALES[lang]).values())
    date = rf"\b\d{{1,2}}(?:er|\.)?[\s\u00a0]+(?:{months})(?:[\s\u00a0]+\d{{4}})?\b"
    return [re.compile(p, re.IGNORECASE) for p in (date, *_FIXED)]


def runs(text: str, lang: Language) -> list[Run]:
    """`text` cut into runs for a Typst template, which sets a kept run in a box so that no
    line ends inside it: every e-mail or web address, hashtag, telephone number, date and
    address in it."""
    return [dict(run) for run in _runs(text, lang)]


@lru_cache(maxsize=4096)
def _runs(text: str, lang: Language) -> tuple[Run, ...]:
    spans = sorted(m.span() for pattern in _patterns(lang) for m in pattern.finditer(text))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    result: list[Run] = []
    position = 0
    for start, end in merged:
        if start > position:
            result += _free(text[position:start])
        result.append({"text": text[start:end], "keep": True})
        position = end
    if position < len(text):
        result += _free(text[position:])
    return tuple(result)


# A compound written with hyphens (Blue-Heart-Kampagne, Blue Heart-campagne): letters only
_COMPOUND = re.compile(r"(?>[^\W\d_]+)(?:-(?>[^\W\d_]+))+")


def _free(text: str) -> list[Run]:
    """A piece that may break anywhere, with each hyphenated compound a run of its own marked
    `whole`: the template sets it unhyphenated, so it breaks only at its own hyphens (a regex
    show rule in Typst did the same at about 3.5 ms a letter)."""
    result: list[Run] = []
    position = 0
    for match in _COMPOUND.finditer(text):
        if match.start() > position:
            result.append({"text": text[position:match.start()], "keep": False})
        result.append({"text": match.group(), "keep": False, "whole": True})
        position = match.end()
    if position < len(text):
        result.append({"text": text[position:], "keep": False})
    return result


def template_runs(
    template: str, lang: Language, values: Mapping[str, str], *, read: Collection[str] = ()
) -> list[Run]:
    """A campaign text filled in with `values`, as runs: each value bluekit fills in (a date,
    the municipality's name, a number, an address) is one kept run, except those named in
    `read`, which are read like the text around them (a list of hashtags breaks between
    them). The text between the placeholders is the same in every letter, so it is read once."""
    result: list[Run] = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            result += runs(literal, lang)
        if field is not None and values[field]:
            if field in read:
                result += runs(values[field], lang)
            else:
                result.append({"text": values[field], "keep": True})
    return result
