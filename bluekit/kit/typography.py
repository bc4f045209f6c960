"""Punctuation that differs between bluekit's languages, where bluekit writes it itself."""

from __future__ import annotations


def colon(lang: str) -> str:
    """What follows a label or a title: French puts a no-break space before the colon
    ("Visuel : ...", "Organisation : ..."); the other languages do not."""
    return "\u00a0: " if lang == "fr" else ": "
