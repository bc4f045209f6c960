"""What an accessible document carries beyond its text: the title and author a tagged PDF/UA-1
file must have, and the alternative texts of its graphics (the heart, the QR code), in each
language of the document.

The letters, the packing slips and the posters' web versions are written as PDF/UA-1 (their
jobs name the standard, and Typst refuses a file that lacks any of this); the print PDFs stay
print PDFs. The words are in `templates/accessibility_strings.yaml`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from typing import Any, cast
from urllib.parse import urlsplit

from bluekit.campaign.yaml_source import load_plain
from bluekit.language import Language
from bluekit.pipeline.render import PdfStandard

# The standard of every accessible document bluekit writes.
ACCESSIBLE: tuple[PdfStandard, ...] = ("ua-1",)


@cache
def accessibility_strings() -> dict[str, dict[str, str]]:
    """The alternative texts and title words per language."""
    text = (files("bluekit") / "templates" / "accessibility_strings.yaml").read_text("utf-8")
    # the file maps each language code to its words, all of them strings
    return cast("dict[str, dict[str, str]]", load_plain(text))


def _each(langs: Sequence[Language], key: str, **values: str) -> str:
    """The text `key` in every language of a document, joined: a bilingual document says it in
    both, as it says everything."""
    texts = [accessibility_strings()[lang][key].format(**values) for lang in langs]
    return " / ".join(dict.fromkeys(texts))


def heart_alt(langs: Sequence[Language]) -> str:
    """What the heart is, for a screen reader."""
    return _each(langs, "heart_alt")


def readable_address(url: str) -> str:
    """An address as a screen reader should say it: host and path, no scheme, no tracking
    parameters ('www.stopmensenhandel.be/nl')."""
    parts = urlsplit(url)
    return parts.netloc + parts.path.rstrip("/")


def qr_alt(langs: Sequence[Language], url: str) -> str:
    """Where the QR code leads, for a screen reader."""
    return _each(langs, "qr_alt", url=readable_address(url))


def poster_word(lang: Language) -> str:
    """'affiche', 'Plakat': the word for a poster, for its title."""
    return accessibility_strings()[lang]["poster"]


def document_info(title: str, author: str) -> dict[str, Any]:
    """The document's title and author as template data (common.typ's `document-info`). No-break
    spaces that keep a headline's words together are plain spaces in a title."""
    return {"title": " ".join(title.split()), "author": author}
