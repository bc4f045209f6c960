"""The languages bluekit writes in: Dutch, French, German and English, by their ISO 639-1 codes
(a root module like `errors`: every layer speaks of languages).

A campaign is made in some of them; every text of the campaign file is given in each of those.
"""

from __future__ import annotations

import typing
from typing import Literal

Language = Literal["nl", "fr", "de", "en"]
LANGUAGES: tuple[Language, ...] = typing.get_args(Language)
LANGUAGE_NAMES: dict[Language, str] = {
    "nl": "Dutch", "fr": "French", "de": "German", "en": "English",
}
