"""The campaign's visual identity, defined once: colours (RGB for screens, CMYK for print) and
the type family (the bundled font, see `bluekit.pipeline.fonts`). Templates receive these values
as data; nothing in a template hard-codes a colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from bluekit.pipeline.fonts import FAMILY


@dataclass(frozen=True)
class Colour:
    """One brand colour: sRGB hex for screens, CMYK percentages for offset print."""

    rgb: str
    cmyk: tuple[int, int, int, int]

    def as_data(self) -> dict[str, object]:
        return {"rgb": self.rgb, "cmyk": list(self.cmyk)}


PALETTE: dict[str, Colour] = {
    "navy": Colour("#0A2352", (100, 80, 20, 45)),  # background of the headline band
    "blue": Colour("#0B5CAD", (95, 60, 0, 5)),  # call-to-action band, accents on white
    "heart": Colour("#2F8FE8", (75, 30, 0, 0)),  # the heart mark
    "sky": Colour("#A9D3FF", (30, 8, 0, 0)),  # secondary text on navy and blue
    "ink": Colour("#14213D", (90, 75, 30, 45)),  # body text on white
    "paper": Colour("#FFFFFF", (0, 0, 0, 0)),
    "mist": Colour("#EAF3FC", (8, 2, 0, 0)),  # light panel behind the centres
    "registration": Colour("#000000", (100, 100, 100, 100)),  # crop marks
}

# Text colour on background colour, as used by the templates; each pair must pass WCAG AA.
TEXT_PAIRS: list[tuple[str, str, str]] = [
    ("paper", "navy", "headline, telephone"),
    ("sky", "navy", "lead and co-branding line"),
    ("paper", "blue", "call to action, URL"),
    ("ink", "paper", "signals"),
    ("navy", "paper", "titles"),
    ("blue", "paper", "bullets and links"),
    ("ink", "mist", "centres"),
]

FONT_FAMILY = FAMILY


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two sRGB colours (1 to 21)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def palette_data() -> dict[str, object]:
    """The palette as template data."""
    return {name: colour.as_data() for name, colour in PALETTE.items()}
