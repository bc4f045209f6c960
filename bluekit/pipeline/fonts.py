"""The fonts every machine renders with: an open-licence family installed from PyPI with bluekit,
never the system's, so a poster comes out the same on every laptop.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import font_lato
from fontTools.ttLib import TTFont

FAMILY = "Lato"  # SIL Open Font Licence
FACES = ("Lato-Regular.ttf", "Lato-Bold.ttf", "Lato-Black.ttf", "Lato-Italic.ttf")


def font_directory() -> Path:
    """Folder of the pip-installed font files."""
    return Path(font_lato.font_directory)


@cache
def font_coverage() -> frozenset[int]:
    """Code points every bundled font face can draw (the intersection over the faces used)."""
    covered: set[int] | None = None
    for name in FACES:
        path = font_directory() / name
        if path.exists():
            cmap = set(TTFont(path, lazy=True).getBestCmap())
            covered = cmap if covered is None else covered & cmap
    return frozenset(covered or ())


def drawable(char: str) -> bool:
    """Whether the bundled font can draw `char` (spaces and control marks need no glyph)."""
    return (
        char.isspace()
        or unicodedata.category(char) in ("Cc", "Cf")
        or ord(char) in font_coverage()
    )


@cache
def _advances(face: str) -> tuple[dict[int, int], int]:
    """The advance width of each code point in font units, and the units per em."""
    font = TTFont(font_directory() / face, lazy=True)
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
    return widths, font["head"].unitsPerEm


def text_width(text: str, size: float, face: str = "Lato-Regular.ttf") -> float:
    """How wide `text` sets on one line at `size` points, in points (without kerning, which
    only narrows it): to tell at once that a short text fits a box, before any rendering."""
    widths, per_em = _advances(face)
    widest = max(widths.values())
    return sum(widths.get(ord(c), widest) for c in text) * size / per_em


def unprintable(text: str) -> list[str]:
    """The characters of `text` the bundled font cannot draw."""
    if font_coverage().issuperset(map(ord, text)):  # nearly always: one set operation
        return []
    return [char for char in dict.fromkeys(text) if not drawable(char)]
