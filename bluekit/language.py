"""The languages bluekit writes in: Dutch, French, German and English, by their ISO 639-1 codes,
and how each writes a date, a time of day and a number (a root module like `errors`: every
layer speaks of languages).

A campaign is made in some of them; every text of the campaign file is given in each of those.
Dates, times and numbers are written the Belgian way (British for English), with Babel's data
and the few corrections a native reader expects of it: the French "1er juillet", no comma after
the English weekday ("Tuesday 30 July 2024", as British style guides write it), "10.00 uur",
"10 h", "10:00 Uhr".
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from functools import cache
from typing import Literal

Language = Literal["nl", "fr", "de", "en"]
LANGUAGES: tuple[Language, ...] = typing.get_args(Language)
LANGUAGE_NAMES: dict[Language, str] = {
    "nl": "Dutch", "fr": "French", "de": "German", "en": "English",
}

# Babel locales for Belgian usage; English uses British conventions.
LOCALES: dict[Language, str] = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}

# The day of the month in a Babel pattern: a lone `d` outside quotes.
_DAY = re.compile(r"(?<![d'])d(?![d'])")


@cache
def written_date(day: dt.date, lang: Language, length: Literal["full", "long"] = "full") -> str:
    """'dinsdag 30 juli 2024', 'lundi 1er juillet 2024', 'Dienstag, 30. Juli 2024',
    'Tuesday 30 July 2024'; `long` leaves out the weekday ('1er juillet 2024')."""
    # Imported here: most commands never write a date, and Babel's data takes time to load.
    from babel.dates import format_date, get_date_format

    pattern = get_date_format(length, locale=LOCALES[lang]).pattern
    if lang == "en":
        pattern = pattern.replace("EEEE, ", "EEEE ")  # 'Tuesday 30 July 2024'
    if lang == "fr" and day.day == 1:
        pattern = _DAY.sub("d'er'", pattern, count=1)  # 'le 1er juillet'
    return format_date(day, pattern, locale=LOCALES[lang])


def written_time(time: dt.time, lang: Language) -> str:
    """A time of day as a Belgian (or British) reader writes it in a sentence: '10.00 uur',
    '10 h' ('10 h 30'), '9:00 Uhr', '09:00' (British 24-hour times keep the zero)."""
    if lang == "nl":
        return f"{time.hour}.{time:%M}\u00a0uur"
    if lang == "fr":
        return f"{time.hour}\u00a0h" + (f"\u00a0{time:%M}" if time.minute else "")
    if lang == "de":
        return f"{time.hour}:{time:%M}\u00a0Uhr"
    return f"{time:%H:%M}"


def written_number(value: int, lang: Language) -> str:
    """An integer with the language's thousands separator: '63.206', '63 206' (a narrow
    no-break space), '63.206', '63,206'."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=LOCALES[lang]))


def written_list(items: typing.Sequence[str], lang: Language) -> str:
    """'#A en #B', '#A et #B', '#A und #B', '#A and #B': a list in a sentence."""
    return _written_list(tuple(items), lang)


@cache
def _written_list(items: tuple[str, ...], lang: Language) -> str:
    from babel.lists import format_list

    return str(format_list(list(items), locale=LOCALES[lang])) if items else ""
