"""Social platforms: their image formats and how each counts the length of a post.

Each platform counts differently, and a post that is one character too long is refused at
publishing time, when nobody from the campaign is watching. So bluekit counts the way each
platform does: X weights characters and counts every link as 23; Bluesky counts graphemes;
Mastodon counts graphemes with every link as 23; the others count characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:  # the campaign model (pydantic) is not needed to count characters
    from bluekit.campaign.model import PlatformKey

URL_WEIGHT = 23  # X and Mastodon count every link as 23 characters, whatever its length

# Links as X and Mastodon recognise them: with a scheme, or a bare domain such as
# www.pag-asa.be (both platforms turn those into links too).
_URL = re.compile(
    r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]"
    r"|\b(?:[a-z0-9-]+\.)+(?:be|org|com|eu|net|int|info)\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]'’”])?",
    re.IGNORECASE,
)
_HASHTAG = re.compile(r"(?<![\w&])#\w+")

# twitter-text v3: code points in these ranges weigh 1, all others 2; an emoji weighs 2.
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


@dataclass(frozen=True)
class ImageFormat:
    """An image size a platform displays best."""

    name: str
    width: int
    height: int

    @property
    def file_name(self) -> str:
        return f"{self.name}-{self.width}x{self.height}.png"


LINK = ImageFormat("link", 1200, 630)
FEED = ImageFormat("feed", 1080, 1350)
SQUARE = ImageFormat("square", 1080, 1080)
STORY = ImageFormat("story", 1080, 1920)
WIDE = ImageFormat("wide", 1600, 900)
LINKEDIN = ImageFormat("linkedin", 1200, 627)
LANDSCAPE = ImageFormat("landscape", 1200, 675)
IMAGE_FORMATS = (LINK, FEED, SQUARE, STORY, WIDE, LINKEDIN, LANDSCAPE)


@dataclass(frozen=True)
class Platform:
    """A social platform: name, images, and its limits."""

    key: PlatformKey
    name: str
    images: tuple[ImageFormat, ...]
    limit: int
    rule: str  # "x", "graphemes", "graphemes_url23", "characters"
    alt_limit: int
    max_hashtags: int | None = None

    @property
    def image(self) -> ImageFormat:
        """The image posted with each post (the first format)."""
        return self.images[0]

    def length(self, text: str) -> int:
        """The length of `text` as this platform counts it."""
        if self.rule == "x":
            return x_weighted_length(text)
        if self.rule == "graphemes":
            return grapheme_count(text)
        if self.rule == "graphemes_url23":
            return grapheme_count(_URL.sub("x" * URL_WEIGHT, unicodedata.normalize("NFC", text)))
        return len(unicodedata.normalize("NFC", text))

    def hashtags(self, text: str) -> int:
        return len(_HASHTAG.findall(text))


PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform("facebook", "Facebook", (LINK,), 63206, "characters", 1000),
        Platform("instagram", "Instagram", (FEED, SQUARE, STORY), 2200, "characters", 100, 30),
        Platform("x", "X", (WIDE,), 280, "x", 1000),
        Platform("linkedin", "LinkedIn", (LINKEDIN,), 3000, "characters", 1000),
        Platform("bluesky", "Bluesky", (LANDSCAPE, SQUARE), 300, "graphemes", 2000),
        Platform("mastodon", "Mastodon", (LANDSCAPE, SQUARE), 500, "graphemes_url23", 1500),
    )
}


def grapheme_count(text: str) -> int:
    """User-perceived characters: an emoji with skin tone or a flag counts once."""
    return len(regex.findall(r"\X", unicodedata.normalize("NFC", text)))


def _is_emoji(cluster: str) -> bool:
    return any(
        0x1F000 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF or ord(c) == 0xFE0F
        for c in cluster
    )


def x_weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3): links 23, emoji 2, CJK and others 2, Latin 1."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(text):
        total += _x_plain(text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return total + _x_plain(text[position:])


def _x_plain(text: str) -> int:
    total = 0
    for cluster in regex.findall(r"\X", text):
        if _is_emoji(cluster):
            total += 2
            continue
        for char in cluster:
            code = ord(char)
            total += 1 if any(low <= code <= high for low, high in _X_LIGHT) else 2
    return total
