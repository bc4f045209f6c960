"""The campaign's visual system, defined once: colours (sRGB for screens, CMYK for print), the
text/background pairs allowed and their contrast, the type scale, the heart mark with its clear
space, and the grid. Every template receives these values as data (`brand_data`); nothing in a
template hard-codes a colour, a size step or a margin, and the gallery shows the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

from bluekit.pipeline.fonts import FAMILY


@dataclass(frozen=True)
class Colour:
    """One brand colour: sRGB hex for screens, CMYK percentages for offset print, and for a
    colour of several inks its one-ink version for small text in print (`small_cmyk`): text
    below `PRINT["small_text_pt"]` in several inks misregisters on an offset press."""

    rgb: str
    cmyk: tuple[int, int, int, int]
    use: str = ""
    small_cmyk: tuple[int, int, int, int] | None = None

    def as_data(self) -> dict[str, object]:
        data: dict[str, object] = {"rgb": self.rgb, "cmyk": list(self.cmyk)}
        if self.small_cmyk is not None:
            data["small"] = list(self.small_cmyk)
        return data

    @property
    def inks(self) -> int:
        """How many of the four process inks the colour takes."""
        return sum(1 for value in self.cmyk if value)

    @property
    def total_ink(self) -> int:
        """The colour's total ink coverage in percent (C + M + Y + K)."""
        return sum(self.cmyk)


K = (0, 0, 0, 100)  # pure black: one ink, sharp at any size


PALETTE: dict[str, Colour] = {
    "navy": Colour("#0A2352", (100, 80, 20, 45), "headline band, titles on white", K),
    "blue": Colour("#0B5CAD", (95, 60, 0, 5), "call-to-action band, accents on white", K),
    "heart": Colour("#2F8FE8", (75, 30, 0, 0), "the heart mark"),
    "sky": Colour("#A9D3FF", (30, 8, 0, 0), "secondary text on navy", (30, 0, 0, 0)),
    # the black of the palette: pure K in print (body text, the QR code), never four colours
    "ink": Colour("#14213D", K, "body text on white, the QR code"),
    "paper": Colour("#FFFFFF", (0, 0, 0, 0), "paper, text on navy and blue"),
    "mist": Colour("#EAF3FC", (8, 2, 0, 0), "light panel behind the centres"),
    "registration": Colour("#000000", (100, 100, 100, 100), "crop marks only"),
}

# What print shops ask of a print PDF (bluekit preflight checks each of them): at most 300% of
# ink anywhere (FOGRA39 allows 330%, Belgian shops ask about 300%), text below 12 pt in one ink
# (K for the dark colours), raster images at 300 dpi or more at print size, and a QR code's
# module at least 0.5 mm with its quiet zone of 4 modules. Registration colour (400%) is for the
# crop marks only, outside the bleed.
PRINT = {
    "total_ink_limit": 300,
    "small_text_pt": 12.0,
    "min_image_dpi": 300,
    "qr_min_module_mm": 0.5,
    "qr_quiet_zone_modules": 4,
}

# WCAG 2.1 AA: 4.5:1 for normal text, 3:1 for large text (at least 18 pt, or 14 pt bold).
AA_NORMAL = 4.5
AA_LARGE = 3.0


@dataclass(frozen=True)
class TextPair:
    """A text colour on a background colour that a template may use; `large_only` pairs may
    carry large text only (headlines), the others any size."""

    text: str
    background: str
    use: str
    large_only: bool = False

    @property
    def ratio(self) -> float:
        return contrast_ratio(PALETTE[self.text].rgb, PALETTE[self.background].rgb)

    @property
    def required(self) -> float:
        return AA_LARGE if self.large_only else AA_NORMAL


# The only text/background pairs any template uses: common.typ's `on()` refuses any other, and a
# test holds each to WCAG AA for its size. (Sky on blue, 4.27:1, is not among them: the blue
# band carries its small texts in white.)
TEXT_PAIRS: tuple[TextPair, ...] = (
    TextPair("paper", "navy", "headline, telephone, signature"),
    TextPair("sky", "navy", "lead, co-branding line, hashtags, the date of World Day"),
    TextPair("heart", "navy", "the campaign's name beside the mark, large numbers", True),
    TextPair("paper", "blue", "call to action, number, URL, hours, hashtags"),
    TextPair("ink", "paper", "signals, body text"),
    TextPair("navy", "paper", "titles, signature on white"),
    TextPair("blue", "paper", "links, numbers on white"),
    TextPair("ink", "mist", "centres"),
    TextPair("navy", "mist", "centres' names and titles"),
)


@dataclass(frozen=True)
class TypeStep:
    """A step of the type scale: its size in u (1% of the format's short side, or of a poster's
    trim width), weight and use."""

    size: float
    weight: str
    use: str


# One modular scale (ratio 1.25, a major third) from 1.6 u up; a template picks a step for each
# text and lets fit() set it smaller only when the text needs it.
TYPE_SCALE: dict[str, TypeStep] = {
    "hero": TypeStep(11.9, "black", "the slogan on screens and social images"),
    "display": TypeStep(9.5, "black", "the slogan on posters, a visual's headline"),
    "headline": TypeStep(7.6, "black", "a number that is the message (a countdown)"),
    "number": TypeStep(6.1, "black", "the telephone number"),
    "subhead": TypeStep(4.9, "bold", "a visual's second line"),
    "title": TypeStep(3.9, "bold", "the call to action, section titles"),
    "lead": TypeStep(3.1, "regular", "the lead under the slogan"),
    "body": TypeStep(2.5, "regular", "signals, body text"),
    "caption": TypeStep(2.0, "bold", "the signature's name, captions under the QR code"),
    "small": TypeStep(1.6, "regular", "the date of World Day, hashtags, centres, addresses"),
}

# The heart mark (bluekit/assets/heart.svg, drawn natively by common.typ's heart()): a 100 x 90
# outline. Clear space around it: a quarter of its width, on every side, kept free of any other
# element; never smaller than the minimum sizes.
MARK = {
    "aspect": 0.9,  # height / width
    "clear_space": 0.25,  # of the mark's width
    "min_print_mm": 8.0,
    "min_screen_px": 32,
}

# The signature: the mark, the campaign's name and the date of World Day, in the top-left corner
# of every visual, the mark `signature_u` wide (in u), the texts beside it.
SIGNATURE = {"mark_u": 9.0, "name_step": "caption", "day_step": "small"}

# The grid: margins of 7 u, 12 columns with 2 u gutters, and a baseline of 1 u to align bands.
GRID = {"margin_u": 7.0, "columns": 12, "gutter_u": 2.0, "baseline_u": 1.0}

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


def brand_data() -> dict[str, object]:
    """The whole visual system as template data (`data.brand` in common.typ)."""
    return {
        "pairs": [
            {"text": p.text, "background": p.background, "large_only": p.large_only}
            for p in TEXT_PAIRS
        ],
        "type": {name: {"size": s.size, "weight": s.weight} for name, s in TYPE_SCALE.items()},
        "mark": dict(MARK),
        "signature": dict(SIGNATURE),
        "grid": dict(GRID),
        "print": dict(PRINT),
    }
