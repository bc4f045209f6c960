"""The posts of the social-media kits: each post of the campaign file on each platform and in
each language, with its text, time, image and alt text, checked against the platform's limits.

A post that is one character too long is refused at publishing time, when nobody from the
campaign is watching: so every violation fails the build, all of them at once, with the platform,
language and how much too long it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bluekit.campaign.model import Campaign, SocialPost
from bluekit.campaign.placeholders import render_text
from bluekit.errors import OutputError
from bluekit.kit.platforms import PLATFORMS, ImageFormat, Platform
from bluekit.kit.tracking import tracked_url
from bluekit.kit.typography import colon
from bluekit.language import Language

BRUSSELS = ZoneInfo("Europe/Brussels")


class PostTooLongError(OutputError):
    """One or more posts exceed their platform's limit."""


@dataclass(frozen=True)
class Post:
    """One post, ready to publish: on a platform, in a language, at a time, with its image."""

    post_id: str
    platform: Platform
    lang: Language
    text: str
    when: dt.datetime  # aware, Europe/Brussels
    image: ImageFormat
    alt: str

    @property
    def length(self) -> int:
        return self.platform.length(self.text)

    def image_path(self) -> str:
        return f"images/{self.image.file_name}"


def posting_time(campaign: Campaign, post: SocialPost) -> dt.datetime:
    """When a post goes out, in Belgian time: its day (kick-off or World Day, minus days_before)
    at its time."""
    if post.day == "kickoff":
        assert campaign.dates.kickoff is not None  # the model refuses kick-off posts otherwise
        day = campaign.dates.kickoff.date
    else:
        day = campaign.dates.world_day
    day -= dt.timedelta(days=post.days_before)
    return dt.datetime.combine(day, post.time, tzinfo=BRUSSELS)


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + (parts.path.rstrip("/") if parts.path not in ("", "/") else "")


def _centres_line(campaign: Campaign, lang: Language) -> str:
    title = campaign.poster.centres_title[lang]
    names = ", ".join(f"{c.name} {_host(c.website)}" for c in campaign.centres)
    return f"{title}{colon(lang)}{names}"


def alt_text(campaign: Campaign, platform: Platform, lang: Language) -> str:
    """The image's alt text for a platform: the full one, or the short one where the platform
    allows less. Raises if neither fits."""
    social = campaign.social
    for candidate in (social.image_alt, social.image_alt_short):
        if candidate is not None and len(candidate[lang]) <= platform.alt_limit:
            return candidate[lang]
    raise PostTooLongError(
        f"alt text ({lang}) is {len(social.image_alt[lang])} characters; {platform.name} allows "
        f"{platform.alt_limit}",
        hint=f"add social.image_alt_short with at most {platform.alt_limit} characters",
    )


def post_text(campaign: Campaign, post: SocialPost, platform: Platform, lang: Language) -> str:
    """The text of a post on a platform: placeholders filled, the URL tracked per platform,
    and the centres added where the platform has room for them."""
    source = post.by_platform.get(platform.key, post.text)[lang]
    # Source, medium and campaign only: Bluesky counts every character of the link.
    url = tracked_url(
        campaign.reporting_point.url[lang],
        source=platform.key,
        medium="social",
        campaign=f"blueheart{campaign.year}",
    )
    text = render_text(source, campaign, lang, url=url)
    if post.with_centres:
        longer = f"{text}\n\n{_centres_line(campaign, lang)}"
        if platform.length(longer) <= platform.limit:
            text = longer
    return text


def _problems(item: Post) -> list[str]:
    """What is wrong with a post on its platform: too long, too many hashtags."""
    platform, lang, problems = item.platform, item.lang, []
    if item.length > platform.limit:
        problems.append(
            f"{platform.name}, {lang}, post {item.post_id!r}: {item.length} characters as "
            f"{platform.name} counts them, limit {platform.limit}: "
            f"{item.length - platform.limit} too many"
        )
    hashtags = platform.hashtags(item.text)
    if platform.max_hashtags is not None and hashtags > platform.max_hashtags:
        problems.append(
            f"{platform.name}, {lang}, post {item.post_id!r}: {hashtags} hashtags, "
            f"at most {platform.max_hashtags}"
        )
    return problems


def plan_posts(
    campaign: Campaign, languages: Sequence[Language], platforms: Sequence[str]
) -> list[Post]:
    """Every post for every platform and language, checked; all violations raised at once."""
    posts: list[Post] = []
    problems: list[str] = []
    for lang in languages:
        for key in platforms:
            platform = PLATFORMS[key]
            try:
                alt = alt_text(campaign, platform, lang)
            except PostTooLongError as exc:
                problems.append(f"{platform.name}: {exc.message}")
                continue
            for post in campaign.social.posts:
                if post.platforms is not None and key not in post.platforms:
                    continue
                text = post_text(campaign, post, platform, lang)
                item = Post(
                    post.id, platform, lang, text, posting_time(campaign, post), platform.image, alt
                )
                problems += _problems(item)
                posts.append(item)
    if problems:
        raise PostTooLongError(
            f"{len(problems)} post(s) do not fit their platform:\n  " + "\n  ".join(problems),
            hint="shorten the texts in the campaign file, or give a platform its own text "
            "under the post's by_platform",
        )
    return sorted(posts, key=lambda p: (list(PLATFORMS).index(p.platform.key), p.when, p.post_id))
