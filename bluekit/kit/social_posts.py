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
from bluekit.kit.platforms import PLATFORMS, Platform
from bluekit.kit.tracking import tracked_url
from bluekit.kit.typography import colon
from bluekit.kit.visuals import PostImage, alternate_images, post_images
from bluekit.language import Language, written_list

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
    images: tuple[PostImage, ...]  # one, or a carousel's slides
    alternates: tuple[PostImage, ...] = ()  # the visual at the platform's other sizes

    @property
    def length(self) -> int:
        return self.platform.length(self.text)

    @property
    def image(self) -> PostImage:
        """The post's (first) image."""
        return self.images[0]

    @property
    def alt(self) -> str:
        return self.image.alt

    def image_path(self) -> str:
        return self.image.path


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
    """'Specialised centres ...: PAG-ASA (Brussels) www.pag-asa.be, Payoke (Antwerp)
    www.payoke.be and Sürya (Liège) www.asblsurya.org.': each centre with its city, as a list
    in a sentence of the language."""
    title = campaign.poster.centres_title[lang]
    names = [f"{c.name} ({c.city[lang]}) {_host(c.website)}" for c in campaign.centres]
    return f"{title}{colon(lang)}{written_list(names, lang)}."


def alt_text(
    campaign: Campaign, platform: Platform, lang: Language, post: SocialPost | None = None
) -> str:
    """The image's alt text for a platform: the visual's own (the campaign's image_alt for the
    slogan), full or short where the platform allows less. Raises if neither fits."""
    visual = post.visual if post is not None else None
    full, short, where = (
        (visual.alt, visual.alt_short, f"the visual of post {post.id!r}")
        if visual is not None and post is not None
        else (campaign.social.image_alt, campaign.social.image_alt_short, "social.image_alt")
    )
    for candidate in (full, short):
        if candidate is not None and len(candidate[lang]) <= platform.alt_limit:
            return candidate[lang]
    key = "alt_short" if visual is not None else "social.image_alt_short"
    raise PostTooLongError(
        f"alt text of {where} ({lang}) is {len(full[lang])} characters; {platform.name} allows "
        f"{platform.alt_limit}",
        hint=f"add {key} with at most {platform.alt_limit} characters",
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
    # {hashtags} gives a platform only as many hashtags as it takes (Threads: one topic tag)
    text = render_text(source, campaign, lang, url=url, hashtags=platform.max_hashtags)
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
    links = platform.links(item.text) if platform.max_links is not None else 0
    if platform.max_links is not None and links > platform.max_links:
        problems.append(
            f"{platform.name}, {lang}, post {item.post_id!r}: {links} links, "
            f"at most {platform.max_links}"
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
            for post in campaign.social.posts:
                if post.platforms is not None and key not in post.platforms:
                    continue
                try:
                    alt = alt_text(campaign, platform, lang, post)
                except PostTooLongError as exc:
                    problems.append(f"{platform.name}: {exc.message}")
                    continue
                text = post_text(campaign, post, platform, lang)
                images = post_images(campaign, post, platform, lang, alt)
                item = Post(post.id, platform, lang, text, posting_time(campaign, post), images,
                            alternate_images(post, platform, alt))
                problems += _problems(item)
                posts.append(item)
    if problems:
        raise PostTooLongError(
            f"{len(problems)} post(s) do not fit their platform:\n  " + "\n  ".join(problems),
            hint="shorten the texts in the campaign file, or give a platform its own text "
            "under the post's by_platform",
        )
    return sorted(posts, key=lambda p: (list(PLATFORMS).index(p.platform.key), p.when, p.post_id))
