"""The font of bluekit's pages, shipped inside each page: Lato's faces as `@font-face` rules
with the font files as `data:` addresses (`{{ font_faces() }}` and `{{ font_stack }}` in every
HTML template, see `jinja_templates`).

A page names only the fonts it carries (and the generic `sans-serif`), so it looks the same on
every machine, in the ZIP of a kit opened offline, and from disk (Chromium and Edge refuse a font
file beside a page opened as `file://`, but not a font inside it). Lato is under the SIL Open Font
Licence, which allows shipping it with the pages.
"""

from __future__ import annotations

import base64
from functools import cache

from markupsafe import Markup

from bluekit.pipeline.fonts import FAMILY, font_directory

# The weights the pages use: text, bold, and the signature's black.
FACES = {400: "Lato-Regular.ttf", 700: "Lato-Bold.ttf", 900: "Lato-Black.ttf"}
# What a page's CSS names: the shipped family, then the generic one while it loads.
FONT_STACK = f"{FAMILY}, sans-serif"


@cache
def font_faces() -> Markup:
    """The `@font-face` rules for a page's `<style>` (CSS made here, from the font files: no
    text of a campaign is in it, so it is marked safe for the HTML templates)."""
    rules = []
    for weight, name in FACES.items():
        encoded = base64.b64encode((font_directory() / name).read_bytes()).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: {FAMILY}; font-style: normal; font-weight: {weight}; "
            f"font-display: swap; src: url(data:font/ttf;base64,{encoded}) format('truetype'); }}"
        )
    return Markup("\n".join(rules))
