"""The social-media kits: campaign -> planned images, post texts and scheduler files per language.

Per language the kit holds the images at each platform's sizes, `posts.txt`, an offline
`index.html` with copy buttons, a README, Buffer and Hootsuite CSV files, the profile-picture
frame, and a ZIP of it all. The posts themselves, checked against each platform's own counting
rule, come from `bluekit.kit.social_posts`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import cast

from bluekit.campaign.model import Campaign
from bluekit.campaign.yaml_source import load_plain
from bluekit.errors import BluekitError
from bluekit.kit import brand
from bluekit.kit.languages import campaign_languages
from bluekit.kit.platforms import PLATFORMS
from bluekit.kit.social_posts import Post, plan_posts
from bluekit.kit.typography import colon
from bluekit.kit.visuals import (
    IMAGE_PPI,
    carousel_document_job,
    carousel_files,
    carousel_pdf,
    formats_for,
    image_file,
    image_job,
    slide_contents,
    visual_content,
    visual_key,
)
from bluekit.language import Language, written_date, written_number, written_time
from bluekit.pipeline.jinja_templates import render_html
from bluekit.pipeline.jobs import PlannedOutput, StaticJob, ZipJob
from bluekit.pipeline.render import Job

FRAME_PIXELS = 1080


class SocialOptionError(BluekitError):
    """A language or platform asked for is not in the campaign."""


@cache
def kit_strings() -> dict[str, dict[str, str]]:
    """Labels of the kit's own pages per language (bluekit/templates/kit_strings.yaml)."""
    text = (files("bluekit") / "templates" / "kit_strings.yaml").read_text("utf-8")
    # the file maps each language code to its labels, all of them strings
    return cast("dict[str, dict[str, str]]", load_plain(text))


def frame_job() -> Job:
    """The transparent profile-picture frame (the same for every language)."""
    return Job(
        template="frame.typ",
        data={"palette": brand.palette_data(), "size_pt": FRAME_PIXELS * 72 / IMAGE_PPI},
        format="png",
        ppi=IMAGE_PPI,
        label="profile-picture frame",
    )


def posting_stamp(when: dt.datetime, lang: Language) -> str:
    """When a post goes out, as a reader of `lang` writes it: 'maandag 22 juli 2024 om
    10.00 uur', 'lundi 22 juillet 2024 à 10 h' (after 'Publiceren op', 'À publier le')."""
    return kit_strings()[lang]["when_at"].format(
        date=written_date(when.date(), lang), time=written_time(when.time(), lang)
    )


def _length(post: Post, lang: Language) -> str:
    """'303 van de 63.206 tekens', '331 caractères sur 63 206'."""
    return kit_strings()[lang]["length_of"].format(
        length=written_number(post.length, lang), limit=written_number(post.platform.limit, lang)
    )


def posts_txt(campaign: Campaign, lang: Language, posts: Sequence[Post]) -> str:
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
            lines.append(f"{strings['when']} {posting_stamp(post.when, lang)}")
            for image in post.images:
                lines += [
                    f"{strings['image']}{colon(lang)}{image.path}",
                    f"{strings['alt_text']}{colon(lang)}{image.alt}",
                ]
            lines += [
                "",
                post.text,
                "",
                f"({strings['length']}{colon(lang)}{_length(post, lang)})",
                "-" * 40,
                "",
            ]
    return "\n".join(lines)


def index_html(campaign: Campaign, lang: Language, posts: Sequence[Post]) -> str:
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
                            "more": [{"path": i.path, "alt": i.alt} for i in p.images[1:]],
                            "text": p.text,
                            "when": posting_stamp(p.when, lang),
                            "length": _length(p, lang),
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
        colon=colon(lang).rstrip(" "),
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


def image_url(campaign: Campaign, base_url: str | None, lang: Language, post: Post) -> str:
    """Where a scheduler fetches the image: the kit's hosting address, or empty."""
    base = base_url or campaign.social.base_url
    if not base:
        return ""
    return f"{base.rstrip('/')}/{lang}/{post.image_path()}"


def buffer_csv(
    campaign: Campaign, lang: Language, posts: Sequence[Post], base_url: str | None
) -> bytes:
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
    campaign: Campaign, lang: Language, posts: Sequence[Post], base_url: str | None
) -> bytes:
    """Hootsuite's bulk composer: no header; date time (DD/MM/YYYY HH:mm), message, URL. No
    byte-order mark: with no header it would end up in the first date."""
    rows = [
        (p.when.strftime("%d/%m/%Y %H:%M"), p.text, image_url(campaign, base_url, lang, p))
        for p in posts
    ]
    return _csv(rows, header=None, bom=False)


def readme_txt(campaign: Campaign, lang: Language) -> str:
    strings = kit_strings()[lang]
    return f"{campaign.slogan[lang]} · {strings['title']} {campaign.year}\n\n{strings['readme']}"


@dataclass(frozen=True)
class SocialOptions:
    languages: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None
    base_url: str | None = None


def _chosen(
    campaign: Campaign, options: SocialOptions
) -> tuple[tuple[Language, ...], tuple[str, ...]]:
    """The languages and platforms to make the kits for: those asked for, else the campaign's."""
    codes = options.languages or tuple(campaign.languages)
    platforms = options.platforms or tuple(campaign.social.platforms)
    for lang in codes:
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
    return campaign_languages(campaign, codes), platforms


def _language_kit(
    campaign: Campaign,
    lang: Language,
    posts: Sequence[Post],
    platforms: Sequence[str],
    base_url: str | None,
) -> list[tuple[str, PlannedOutput]]:
    """The files of the kit in `lang`, each with its name inside the kit."""
    folder = f"social/{lang}"
    kit = [(name, PlannedOutput(f"{folder}/{name}", job))
           for name, job in _image_jobs(campaign, lang, posts)]
    texts: dict[str, bytes] = {
        "posts.txt": posts_txt(campaign, lang, posts).encode("utf-8"),
        "index.html": index_html(campaign, lang, posts).encode("utf-8"),
        "README.txt": readme_txt(campaign, lang).encode("utf-8"),
    }
    for key in platforms:
        channel = [p for p in posts if p.platform.key == key]
        texts[f"buffer-{key}.csv"] = buffer_csv(campaign, lang, channel, base_url)
        texts[f"hootsuite-{key}.csv"] = hootsuite_csv(campaign, lang, channel, base_url)
    for name, content in texts.items():
        job = StaticJob(content, label=f"social {lang} {name}")
        kit.append((name, PlannedOutput(f"{folder}/{name}", job)))
    kit.append(("profile-frame.png", PlannedOutput(f"{folder}/profile-frame.png", frame_job())))
    return kit


def _image_jobs(
    campaign: Campaign, lang: Language, posts: Sequence[Post]
) -> list[tuple[str, Job]]:
    """The images of the kit in `lang`: each post's visual at every size its platforms use
    (a visual shared by two posts made once), a carousel's slides and document."""
    jobs: dict[str, Job] = {}
    by_id = {p.id: p for p in campaign.social.posts}
    for post_id in dict.fromkeys(p.post_id for p in posts):
        post = by_id[post_id]
        on = [p.platform for p in posts if p.post_id == post_id]
        if post.visual is not None and post.visual.kind == "carousel":
            slides = slide_contents(campaign, lang)
            if any(p.key == "instagram" for p in on):
                for n, size, name in carousel_files(campaign):
                    jobs[name] = image_job(campaign, lang, size, slides[n - 1], f"carousel-{n}")
            if any(p.key == "linkedin" for p in on):
                jobs[carousel_pdf(lang)] = carousel_document_job(campaign, lang)
            continue
        key = visual_key(post)
        content = visual_content(campaign, lang, post)
        for size in formats_for(post, on):
            jobs.setdefault(image_file(key, size), image_job(campaign, lang, size, content, key))
    return list(jobs.items())


def plan_social(campaign: Campaign, options: SocialOptions | None = None) -> list[PlannedOutput]:
    """All files of the social kits, per language, and one ZIP per language."""
    options = options or SocialOptions()
    languages, platforms = _chosen(campaign, options)
    posts = plan_posts(campaign, languages, platforms)
    planned: list[PlannedOutput] = []
    for lang in languages:
        mine = [p for p in posts if p.lang == lang]
        kit = _language_kit(campaign, lang, mine, platforms, options.base_url)
        planned += [item for _, item in kit]
        prefix = f"bluekit-social-{campaign.year}-{lang}"
        members = tuple(
            (f"{prefix}/{name}", item.path, item.job.fingerprint()) for name, item in kit
        )
        planned.append(
            PlannedOutput(f"social/{prefix}.zip", ZipJob(members, label=f"social kit {lang} ZIP"))
        )
    return planned
