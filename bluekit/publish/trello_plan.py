"""What the Trello board of a campaign year should hold, made from the campaign and the built
kit: a list per language and one for the print files; in a language's list a card with the
kit's ZIPs and a card per post (platform, text, images, alt text, posting time); in the print
list a card per poster with its PDFs, JPGs and screen version.

Each card carries bluekit's reference as the last line of its description, by which a card made
by a run that died before recording it is found again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import PurePosixPath
from typing import cast

from bluekit.campaign.model import Campaign
from bluekit.campaign.yaml_source import load_plain
from bluekit.errors import OutputError
from bluekit.kit.platforms import PLATFORMS
from bluekit.kit.social import kit_strings, posting_stamp
from bluekit.kit.social_posts import Post
from bluekit.kit.typography import colon
from bluekit.kit.zips import kit_name
from bluekit.language import Language
from bluekit.publish.kit_files import BuiltFile
from bluekit.publish.markdown import escape

PRINT = "print"
MAX_ATTACHMENTS = 100  # Trello's limit per card
MAX_DESC = 16384  # characters in a card's description
REFERENCE = re.compile(r"\n\n---\nbluekit ref: (\S+)\s*$")
_POSTER = re.compile(r"^posters/(?:poster-(A\d)|screen)-([a-z-]+)\.(pdf|jpg|png)$")


class TrelloLimitError(OutputError):
    """A card would break one of Trello's limits."""


@dataclass(frozen=True)
class Attachment:
    name: str
    file: BuiltFile
    mime: str


@dataclass(frozen=True)
class CardPlan:
    key: str  # bluekit's reference: "nl/instagram/kickoff", "nl/kit", "print/poster-nl"
    list_key: str  # a language, or "print"
    name: str
    desc: str  # ends with the reference
    due: str | None  # the posting time, ISO 8601 in UTC as Trello writes it
    pos: float
    attachments: tuple[Attachment, ...]
    cover: str | None  # the attachment shown on the card's front

    def digest(self) -> str:
        """Of what the card shows apart from its files (those have their own sha256)."""
        data = [self.name, self.desc, self.due, self.list_key, self.pos]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


@dataclass(frozen=True)
class ListPlan:
    key: str
    name: str


@dataclass(frozen=True)
class BoardPlan:
    name: str
    lists: tuple[ListPlan, ...]
    cards: tuple[CardPlan, ...]


@cache
def publish_strings() -> dict[str, dict[str, str]]:
    """The board's own words per language (bluekit/templates/publish_strings.yaml)."""
    text = (files("bluekit") / "templates" / "publish_strings.yaml").read_text("utf-8")
    return cast("dict[str, dict[str, str]]", load_plain(text))


def reference_of(desc: str) -> str | None:
    """bluekit's reference at the end of a card's description, if it has one."""
    found = REFERENCE.search(desc)
    return found.group(1) if found else None


def with_reference(key: str, body: str) -> str:
    """A card's description: the text, then bluekit's reference to find the card by."""
    return f"{body}\n\n---\nbluekit ref: {key}"


def _trello_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _attachment(file: BuiltFile) -> Attachment:
    name = PurePosixPath(file.path).name
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Attachment(name, file, mime)


def post_card(campaign: Campaign, post: Post, built: Mapping[str, BuiltFile]) -> CardPlan:
    """The card of one post on one platform in one language."""
    lang, platform = post.lang, post.platform
    labels, words = kit_strings()[lang], publish_strings()[lang]
    # the post's image (a carousel's slides), then its visual at the platform's other sizes
    images = [built[f"social/{lang}/{image.path}"] for image in (*post.images, *post.alternates)]
    key = f"{lang}/{platform.key}/{post.post_id}"
    body = "\n".join([
        escape(post.text),
        "",
        f"**{words['images']}**{colon(lang)}"
        + ", ".join(PurePosixPath(i.path).name for i in images),
        f"**{labels['alt_text']}**{colon(lang)}{escape(post.alt)}",
        # a carousel's other slides, each with its own alt text ("2/5: ...")
        *(escape(image.alt) for image in post.images[1:]),
        # "Publiceren op maandag 22 juli 2024 om 10.00 uur": the label runs on into the date
        f"**{labels['when']}** {posting_stamp(post.when, lang)} ({words['belgian_time']})",
    ])
    start = dt.datetime(campaign.year, 1, 1, tzinfo=post.when.tzinfo)
    order = list(PLATFORMS).index(platform.key)
    attachments = tuple(_attachment(i) for i in images)
    return CardPlan(
        key=key, list_key=lang, name=f"{platform.name} · {posting_stamp(post.when, lang)}",
        desc=with_reference(key, body), due=_trello_time(post.when),
        pos=1000 + order * 1_000_000 + (post.when - start).total_seconds() // 60,
        attachments=attachments, cover=attachments[0].name,
    )


def kit_card(campaign: Campaign, lang: Language, built: Mapping[str, BuiltFile]) -> CardPlan:
    """The first card of a language's list: the kit's ZIP and the social kit's ZIP."""
    words = publish_strings()[lang]
    paths = [f"kits/{kit_name(campaign, lang)}.zip",
             f"social/bluekit-social-{campaign.year}-{lang}.zip"]
    key = f"{lang}/kit"
    return CardPlan(
        key=key, list_key=lang, name=words["kit_card"],
        desc=with_reference(key, words["kit_desc"]), due=None, pos=1,
        attachments=tuple(_attachment(built[p]) for p in paths if p in built), cover=None,
    )


def _sizes(sizes: Sequence[str], lang: str) -> str:
    if len(sizes) < 2:
        return "".join(sizes)
    return f"{', '.join(sizes[:-1])} {publish_strings()[lang]['and']} {sizes[-1]}"


def poster_cards(campaign: Campaign, built: Mapping[str, BuiltFile]) -> list[CardPlan]:
    """A card per poster (each language, and the bilingual one) in the print list: the print
    PDFs and JPGs of every size and the screen version; the A3 JPG on the front."""
    variants: dict[str, list[tuple[str, BuiltFile]]] = {}
    for path, file in sorted(built.items()):
        found = _POSTER.match(path)
        if found and (found.group(3) != "png" or found.group(1) is None):
            variants.setdefault(found.group(2), []).append((found.group(1) or "", file))
    order = [*campaign.languages]
    cards = []
    def place(variant: str) -> tuple[int, str]:  # the campaign's languages, then bilingual
        return (order.index(variant) if variant in order else len(order), variant)

    for index, variant in enumerate(sorted(variants, key=place)):
        langs = cast("list[Language]", [part for part in variant.split("-") if part in order])
        sizes = sorted({size for size, _ in variants[variant] if size}, key=lambda s: -int(s[1:]))
        words = [publish_strings()[lang] for lang in langs]
        title = "bilingual_card" if len(langs) > 1 else "poster_card"
        key = f"{PRINT}/poster-{variant}"
        files_ = sorted((file for _, file in variants[variant]), key=_poster_order)
        attachments = tuple(_attachment(f) for f in files_)
        cover = next((a.name for a in attachments if "-A3-" in a.name and a.name.endswith(".jpg")),
                     None)
        cards.append(CardPlan(
            key=key, list_key=PRINT, name=" · ".join(w[title] for w in words),
            desc=with_reference(key, "\n\n".join(
                w["poster_desc"].format(sizes=_sizes(sizes, lang)) for w, lang in zip(
                    words, langs, strict=True))),
            due=None, pos=1000 + index, attachments=attachments, cover=cover,
        ))
    return cards


def _poster_order(file: BuiltFile) -> tuple[int, str]:
    """PDFs first (A4, A3, A2), then the JPGs, then the screen version."""
    name = PurePosixPath(file.path).name
    kind = 0 if name.endswith(".pdf") else 1 if name.endswith(".jpg") else 2
    return kind, name.replace("A4", "A0").replace("A2", "A9")


def plan_board(
    campaign: Campaign, name: str, posts: Sequence[Post], built: Mapping[str, BuiltFile]
) -> BoardPlan:
    """The whole board; raises TrelloLimitError when a card would break Trello's limits."""
    lists = [ListPlan(lang, publish_strings()[lang]["list"]) for lang in campaign.languages]
    lists.append(ListPlan(PRINT, " · ".join(
        publish_strings()[lang]["print_list"] for lang in campaign.languages
    )))
    cards: list[CardPlan] = []
    for lang in campaign.languages:
        cards.append(kit_card(campaign, lang, built))
        cards += [post_card(campaign, p, built) for p in posts if p.lang == lang]
    cards += poster_cards(campaign, built)
    check_limits(cards)
    return BoardPlan(name, tuple(lists), tuple(cards))


def check_limits(cards: Sequence[CardPlan]) -> None:
    """Raise TrelloLimitError when a card would break one of Trello's limits, before anything
    is published."""
    for card in cards:
        if len(card.attachments) > MAX_ATTACHMENTS:
            raise TrelloLimitError(
                f"the card {card.key} would have {len(card.attachments)} attachments; Trello "
                f"allows {MAX_ATTACHMENTS} on a card")
        if len(card.desc) > MAX_DESC:
            raise TrelloLimitError(
                f"the text of the card {card.key} has {len(card.desc)} characters; Trello allows "
                f"{MAX_DESC} in a card's description",
                hint="shorten the post's text in the campaign file")
