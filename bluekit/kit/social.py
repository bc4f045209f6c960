"""The social-media kits: campaign -> planned images, post texts and scheduler files per language.

Per language the kit holds the images at each platform's sizes, `posts.txt`, an offline
`index.html` with copy buttons, a README, Buffer and Hootsuite CSV files, the profile-picture
frame, and a ZIP of it all. Every post is checked against its platform's own counting rule; a
post over the limit fails the build with the platform, language and how much too long it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bluekit.campaign.model import Campaign, SocialPost
from bluekit.campaign.placeholders import long_date, render_text
from bluekit.campaign.yaml_source import load_plain
from bluekit.errors import BluekitError, OutputError
from bluekit.kit import brand
from bluekit.kit.platforms import IMAGE_FORMATS, PLATFORMS, ImageFormat, Platform
from bluekit.kit.tracking import tracked_url
from bluekit.kit.typography import colon
from bluekit.pipeline.jinja_templates import render_html
from bluekit.pipeline.jobs import PlannedOutput, StaticJob, ZipJob
from bluekit.pipeline.render import Job

BRUSSELS = ZoneInfo("Europe/Brussels")
IMAGE_PPI = 144  # images are laid out in points: pixels = points x 2
FRAME_PIXELS = 1080


class SocialOptionError(BluekitError):
    """A language or platform asked for is not in the campaign."""


class PostTooLongError(OutputError):
    """One or more posts exceed their platform's limit."""


@dataclass(frozen=True)
class Post:
    """One post, ready to publish: on a platform, in a language, at a time, with its image."""

    post_id: str
    platform: Platform
    lang: str
    text: str
    when: dt.datetime  # aware, Europe/Brussels
    image: ImageFormat
    alt: str

    @property
    def length(self) -> int:
        return self.platform.length(self.text)

    def image_path(self) -> str:
        return f"images/{self.image.file_name}"


@cache
def kit_strings() -> dict[str, dict[str, str]]:
    """Labels of the kit's own pages per language (bluekit/templates/kit_strings.yaml)."""
    text = (files("bluekit") / "templates" / "kit_strings.yaml").read_text("utf-8")
    return load_plain(text)


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


def _centres_line(campaign: Campaign, lang: str) -> str:
    title = campaign.poster.centres_title[lang]
    names = ", ".join(f"{c.name} {_host(c.website)}" for c in campaign.centres)
    return f"{title}{colon(lang)}{names}"


def alt_text(campaign: Campaign, platform: Platform, lang: str) -> str:
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


def post_text(campaign: Campaign, post: SocialPost, platform: Platform, lang: str) -> str:
    """The text of a post on a platform: placeholders filled, the URL tracked per platform,
    and the centres added where the platform has room for them."""
    source = post.by_platform.get(platform.key, post.text)[lang]  # type: ignore[call-overload]
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


def plan_posts(
    campaign: Campaign, languages: Sequence[str], platforms: Sequence[str]
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
                if item.length > platform.limit:
                    problems.append(
                        f"{platform.name}, {lang}, post {post.id!r}: {item.length} characters as "
                        f"{platform.name} counts them, limit {platform.limit}: "
                        f"{item.length - platform.limit} too many"
                    )
                hashtags = platform.hashtags(text)
                if platform.max_hashtags is not None and hashtags > platform.max_hashtags:
                    problems.append(
                        f"{platform.name}, {lang}, post {post.id!r}: {hashtags} hashtags, "
                        f"at most {platform.max_hashtags}"
                    )
                posts.append(item)
    if problems:
        raise PostTooLongError(
            f"{len(problems)} post(s) do not fit their platform:\n  " + "\n  ".join(problems),
            hint="shorten the texts in the campaign file, or give a platform its own text "
            "under the post's by_platform",
        )
    return sorted(posts, key=lambda p: (list(PLATFORMS).index(p.platform.key), p.when, p.post_id))


# --- files of the kit -----------------------------------------------------------------------


def _image_job(campaign: Campaign, lang: str, image: ImageFormat) -> Job:
    url = campaign.reporting_point.url[lang]
    return Job(
        template="social.typ",
        data={
            "palette": brand.palette_data(),
            "lang": lang,
            "width_pt": image.width * 72 / IMAGE_PPI,
            "height_pt": image.height * 72 / IMAGE_PPI,
            # the call to action says what the number and the address are for
            "text": {"slogan": campaign.slogan[lang],
                     "call_to_action": campaign.poster.call_to_action[lang]},
            "telephone": campaign.reporting_point.telephone,
            "url_display": urlsplit(url).netloc,
            "hashtags": " ".join(campaign.hashtags),
        },
        format="png",
        ppi=IMAGE_PPI,
        label=f"social image {image.name} {lang}",
        check_glyphs=("text", "telephone", "url_display", "hashtags"),
    )


def frame_job() -> Job:
    """The transparent profile-picture frame (the same for every language)."""
    return Job(
        template="frame.typ",
        data={"palette": brand.palette_data(), "size_pt": FRAME_PIXELS * 72 / IMAGE_PPI},
        format="png",
        ppi=IMAGE_PPI,
        label="profile-picture frame",
    )


def _stamp(when: dt.datetime, lang: str) -> str:
    return f"{long_date(when.date(), lang)}, {when:%H:%M}"


def posts_txt(campaign: Campaign, lang: str, posts: Sequence[Post]) -> str:
    """Copy-paste ready: per platform, per day, each post with its image and alt text."""
    strings = kit_strings()[lang]
    lines = [f"{campaign.slogan[lang]} · {strings['title']} {campaign.year}", ""]
    for key in PLATFORMS:
        group = [p for p in posts if p.platform.key == key]
        if not group:
            continue
        name = group[0].platform.name
        lines += [name, "=" * len(name), ""]
        for post in group:
            lines += [
                f"{strings['when']} {_stamp(post.when, lang)}",
                f"{strings['image']}{colon(lang)}{post.image_path()}",
                f"{strings['alt_text']}{colon(lang)}{post.alt}",
                "",
                post.text,
                "",
                f"({strings['length']}{colon(lang)}{post.length}/{post.platform.limit})",
                "-" * 40,
                "",
            ]
    return "\n".join(lines)


def index_html(campaign: Campaign, lang: str, posts: Sequence[Post]) -> str:
    """The offline page: each post beside its image, with a copy button and its alt text."""
    strings = kit_strings()[lang]
    groups = []
    for key, platform in PLATFORMS.items():
        group = [p for p in posts if p.platform.key == key]
        if group:
            groups.append(
                {
                    "name": platform.name,
                    "posts": [
                        {
                            "anchor": f"{key}-{p.post_id}",
                            "image": p.image_path(),
                            "width": p.image.width,
                            "height": p.image.height,
                            "alt": p.alt,
                            "text": p.text,
                            "when": _stamp(p.when, lang),
                            "length": p.length,
                            "limit": p.platform.limit,
                        }
                        for p in group
                    ],
                }
            )
    colours = {name: c.rgb for name, c in brand.PALETTE.items()}
    return render_html(
        "social_index.html.j2",
        lang=lang,
        title=strings["title"],
        intro=strings["intro"],
        strings=strings,
        slogan=campaign.slogan[lang],
        year=campaign.year,
        platforms=groups,
        colours=colours,
    )


def _csv(rows: Sequence[Sequence[str]], *, header: Sequence[str] | None, bom: bool) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def image_url(campaign: Campaign, base_url: str | None, lang: str, post: Post) -> str:
    """Where a scheduler fetches the image: the kit's hosting address, or empty."""
    base = base_url or campaign.social.base_url
    if not base:
        return ""
    return f"{base.rstrip('/')}/{lang}/{post.image_path()}"


def buffer_csv(campaign: Campaign, lang: str, posts: Sequence[Post], base_url: str | None) -> bytes:
    """Buffer's bulk import: `Text,Image URL,Tags,Posting Time` (YYYY-MM-DD HH:mm), UTF-8 with
    a byte-order mark so Excel shows accents right when someone checks the file."""
    rows = [
        (
            p.text,
            image_url(campaign, base_url, lang, p),
            f"blueheart{campaign.year}",
            p.when.strftime("%Y-%m-%d %H:%M"),
        )
        for p in posts
    ]
    return _csv(rows, header=("Text", "Image URL", "Tags", "Posting Time"), bom=True)


def hootsuite_csv(
    campaign: Campaign, lang: str, posts: Sequence[Post], base_url: str | None
) -> bytes:
    """Hootsuite's bulk composer: no header; date time (DD/MM/YYYY HH:mm), message, URL. No
    byte-order mark: with no header it would end up in the first date."""
    rows = [
        (p.when.strftime("%d/%m/%Y %H:%M"), p.text, image_url(campaign, base_url, lang, p))
        for p in posts
    ]
    return _csv(rows, header=None, bom=False)


def readme_txt(campaign: Campaign, lang: str) -> str:
    strings = kit_strings()[lang]
    return f"{campaign.slogan[lang]} · {strings['title']} {campaign.year}\n\n{strings['readme']}"


@dataclass(frozen=True)
class SocialOptions:
    languages: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None
    base_url: str | None = None


def plan_social(campaign: Campaign, options: SocialOptions | None = None) -> list[PlannedOutput]:
    """All files of the social kits, per language, and one ZIP per language."""
    options = options or SocialOptions()
    languages = options.languages or tuple(campaign.languages)
    platforms = options.platforms or tuple(campaign.social.platforms)
    for lang in languages:
        if lang not in campaign.languages:
            raise SocialOptionError(
                f"the {campaign.year} campaign has no texts in {lang}",
                hint=f"choose from {', '.join(campaign.languages)}",
            )
    for key in platforms:
        if key not in PLATFORMS:
            raise SocialOptionError(
                f"unknown platform {key!r}", hint=f"choose from {', '.join(PLATFORMS)}"
            )
    posts = plan_posts(campaign, languages, platforms)
    planned: list[PlannedOutput] = []
    for lang in languages:
        folder = f"social/{lang}"
        mine = [p for p in posts if p.lang == lang]
        images = [f for f in IMAGE_FORMATS if any(f in PLATFORMS[k].images for k in platforms)]
        kit: list[tuple[str, PlannedOutput]] = []
        for image in images:
            kit.append(
                (
                    f"images/{image.file_name}",
                    PlannedOutput(
                        f"{folder}/images/{image.file_name}", _image_job(campaign, lang, image)
                    ),
                )
            )
        texts: dict[str, bytes] = {
            "posts.txt": posts_txt(campaign, lang, mine).encode("utf-8"),
            "index.html": index_html(campaign, lang, mine).encode("utf-8"),
            "README.txt": readme_txt(campaign, lang).encode("utf-8"),
        }
        for key in platforms:
            channel = [p for p in mine if p.platform.key == key]
            texts[f"buffer-{key}.csv"] = buffer_csv(campaign, lang, channel, options.base_url)
            texts[f"hootsuite-{key}.csv"] = hootsuite_csv(campaign, lang, channel, options.base_url)
        for name, content in texts.items():
            kit.append(
                (
                    name,
                    PlannedOutput(
                        f"{folder}/{name}", StaticJob(content, label=f"social {lang} {name}")
                    ),
                )
            )
        kit.append(("profile-frame.png", PlannedOutput(f"{folder}/profile-frame.png", frame_job())))
        planned += [item for _, item in kit]
        prefix = f"bluekit-social-{campaign.year}-{lang}"
        members = tuple(
            (f"{prefix}/{name}", item.path, item.job.fingerprint()) for name, item in kit
        )
        planned.append(
            PlannedOutput(f"social/{prefix}.zip", ZipJob(members, label=f"social kit {lang} ZIP"))
        )
    return planned
