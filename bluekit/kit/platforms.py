"""Social platforms as of 2026: their image formats, their limits and how each counts a post.

Each platform counts differently, and a post that is one character too long is refused at
publishing time, when nobody from the campaign is watching. So bluekit counts the way each
platform does: X by the twitter-text rules (`x_length`: every link 23, emoji 2); Bluesky counts
graphemes; Mastodon counts graphemes with every link written with its `https://` as 23; Threads
counts characters, an emoji by its UTF-8 bytes; the others count characters. Instagram takes at
most 5 hashtags a post (since December 2025), Threads one topic tag.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from bluekit.kit.x_length import URL_WEIGHT, url_spans, x_weighted_length

if TYPE_CHECKING:  # the campaign model (pydantic) is not needed to count characters
    from bluekit.campaign.model import PlatformKey

_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_EMOJI_CLUSTER = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3")


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
PORTRAIT = ImageFormat("portrait", 1080, 1440)  # Instagram's 3:4 grid, since 2025
FEED = ImageFormat("feed", 1080, 1350)
STORY = ImageFormat("story", 1080, 1920)
LINKEDIN = ImageFormat("linkedin", 1200, 627)
LANDSCAPE = ImageFormat("landscape", 1200, 675)  # 16:9, as X, Bluesky and Mastodon show it
IMAGE_FORMATS = (LINK, PORTRAIT, FEED, STORY, LINKEDIN, LANDSCAPE)
# The slides of a carousel: all of one size, as Instagram requires (the 3:4 of its grid);
# LinkedIn's carousel is a PDF document of the feed's 4:5 pages.
CAROUSEL_FORMATS = (PORTRAIT,)
# A story is a post of its own, shown for a day: made for the visuals worth a story of the
# campaign week (the slogan) and of its night (the buildings lit blue), not for every post.
STORY_VISUALS = ("slogan", "lighting")


@dataclass(frozen=True)
class Platform:
    """A social platform: name, images, and its limits."""

    key: PlatformKey
    name: str
    images: tuple[ImageFormat, ...]
    limit: int
    rule: str  # "x", "graphemes", "graphemes_url23", "threads", "characters"
    alt_limit: int
    max_hashtags: int | None = None
    max_links: int | None = None
    carousel: bool = False  # takes a carousel of slides (Instagram, LinkedIn)

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
            return mastodon_length(text)
        if self.rule == "threads":
            return threads_length(text)
        return len(unicodedata.normalize("NFC", text))

    def hashtags(self, text: str) -> int:
        return len(_HASHTAG.findall(text))

    def links(self, text: str) -> int:
        return len({text[a:b] for a, b in url_spans(unicodedata.normalize("NFC", text))})


PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform("facebook", "Facebook", (LINK,), 63206, "characters", 1000),
        Platform("instagram", "Instagram", (PORTRAIT, FEED, STORY), 2200, "characters", 100, 5,
                 carousel=True),
        Platform("x", "X", (LANDSCAPE,), 280, "x", 1000),
        Platform("linkedin", "LinkedIn", (LINKEDIN,), 3000, "characters", 1000, carousel=True),
        Platform("bluesky", "Bluesky", (LANDSCAPE,), 300, "graphemes", 2000),
        Platform("mastodon", "Mastodon", (LANDSCAPE,), 500, "graphemes_url23", 1500),
        Platform("threads", "Threads", (FEED,), 500, "threads", 1000, 1, max_links=5),
    )
}


def grapheme_count(text: str) -> int:
    """User-perceived characters: an emoji with skin tone or a flag counts once."""
    return len(regex.findall(r"\X", unicodedata.normalize("NFC", text)))


def mastodon_length(text: str) -> int:
    """Mastodon's count: graphemes, every link written with its protocol as 23 (a bare
    domain is not a link there and counts as written)."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for start, end in url_spans(text, without_protocol=False):
        total += grapheme_count(text[position:start]) + URL_WEIGHT
        position = end
    return total + grapheme_count(text[position:])


def threads_length(text: str) -> int:
    """Threads' count: characters, an emoji as the number of its UTF-8 bytes (Threads API)."""
    total = 0
    for cluster in regex.findall(r"\X", unicodedata.normalize("NFC", text)):
        total += len(cluster.encode("utf-8")) if _EMOJI_CLUSTER.search(cluster) else len(cluster)
    return total


