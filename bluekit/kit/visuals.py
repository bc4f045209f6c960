"""A visual per post: what each kind of visual shows, in which files, with which alt text.

A post names its visual in the campaign file (`slogan`, `signal` with its number, `countdown`,
`lighting`, `kickoff`, `centres`, `theme`, `carousel`); it is rendered from `templates/social.typ`
at every size the post's platforms use, into `social/<lang>/images/<visual>-<format>.png`. A
carousel is a slide per signal, numbered, and a last slide with the call to action and the QR
code: PNG slides for Instagram, one PDF document for LinkedIn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bluekit.campaign.model import Campaign, SocialPost
from bluekit.campaign.placeholders import render_text
from bluekit.campaign.post_rules import post_date
from bluekit.errors import OutputError
from bluekit.kit import brand
from bluekit.kit.platforms import (
    CAROUSEL_FORMATS,
    FEED,
    STORY,
    STORY_VISUALS,
    ImageFormat,
    Platform,
)
from bluekit.kit.signature import signature_data
from bluekit.kit.tracking import tracked_url
from bluekit.kit.typography import colon
from bluekit.language import Language, written_date
from bluekit.pipeline.render import Job

IMAGE_PPI = 144  # images are laid out in points: pixels = points x 2
GLYPH_CHECKED = ("visuals", "signature", "telephone", "url_display", "hashtags")


@dataclass(frozen=True)
class PostImage:
    """One image of a post: its file in the kit, its size and its alt text."""

    path: str  # inside social/<lang>/, e.g. "images/theme-feed-1080x1350.png"
    width: int
    height: int
    alt: str


def visual_key(post: SocialPost) -> str:
    """The visual's name in file names: 'slogan', 'signal-3', 'countdown', 'carousel'..."""
    visual = post.visual
    if visual is None:
        return "slogan"
    return f"signal-{visual.signal}" if visual.kind == "signal" else visual.kind


def image_file(key: str, image: ImageFormat) -> str:
    return f"images/{key}-{image.name}-{image.width}x{image.height}.png"


def carousel_pdf(lang: Language) -> str:
    return f"images/carousel-{lang}.pdf"


def slide_count(campaign: Campaign) -> int:
    """A slide per signal and the call to action."""
    return len(campaign.poster.signals) + 1


def _t(campaign: Campaign, lang: Language, text: dict[Language, str]) -> str:
    return render_text(text[lang], campaign, lang)


def _centres(campaign: Campaign, lang: Language) -> list[dict[str, str]]:
    return [
        {"name": c.name, "city": c.city[lang], "telephone": c.telephone,
         "website": urlsplit(c.website).netloc}
        for c in campaign.centres
    ]


def visual_content(campaign: Campaign, lang: Language, post: SocialPost) -> dict[str, Any]:
    """What a (single-image) visual shows in `lang`: kicker, big number, headline, the line
    under it, and the centres where it lists them."""
    visual = post.visual
    kind = visual.kind if visual else "slogan"
    poster = campaign.poster
    cta = _t(campaign, lang, poster.call_to_action)
    # the texts a visual shows, named as in the campaign file for a text that does not fit
    own = f"social.posts[{campaign.social.posts.index(post)}].visual.headline"
    content: dict[str, Any] = {"kind": kind, "kicker": None, "big": None, "sub": cta,
                               "items": [], "step": "subhead", "slide": None,
                               "field": own if visual and visual.headline else None}
    if kind == "slogan":
        content |= {"headline": _t(campaign, lang, campaign.slogan), "step": "hero",
                    "field": "slogan / poster.call_to_action"}
    elif kind == "signal":
        assert visual is not None and visual.signal is not None  # post_rules checked it
        content |= {"kicker": _t(campaign, lang, poster.signals_title),
                    "headline": _t(campaign, lang, poster.signals[visual.signal - 1]),
                    "step": "headline", "field": f"poster.signals[{visual.signal - 1}]"}
    elif kind == "countdown":
        days = (campaign.dates.world_day - post_date(campaign, post)).days
        content |= {"big": str(days), "step": "headline"}
    elif kind == "lighting":
        content |= {"sub": None, "step": "display"}
    elif kind == "kickoff":
        kickoff = campaign.dates.kickoff
        assert kickoff is not None  # post_rules checked it
        content |= {"kicker": written_date(kickoff.date, lang), "step": "display",
                    "sub": _t(campaign, lang, poster.lead),
                    "field": f"{own} / poster.lead"}
    elif kind == "theme":
        content |= {"headline": _t(campaign, lang, campaign.theme), "step": "headline",
                    "field": "theme / poster.call_to_action"}
    elif kind == "centres":
        content |= {"headline": _t(campaign, lang, poster.centres_title), "sub": None,
                    "items": _centres(campaign, lang), "field": "poster.centres_title / centres"}
    if visual is not None and visual.headline is not None:
        content["headline"] = _t(campaign, lang, visual.headline)
    return content


def slide_contents(campaign: Campaign, lang: Language) -> list[dict[str, Any]]:
    """The carousel's slides: one per signal, numbered, then the call to action with the
    telephone number, the address and the QR code."""
    poster = campaign.poster
    total = slide_count(campaign)
    slides: list[dict[str, Any]] = [
        {"kind": "slide", "kicker": _t(campaign, lang, poster.signals_title), "big": None,
         "headline": _t(campaign, lang, signal), "sub": None, "items": [], "step": "headline",
         "slide": {"n": i, "of": total}, "field": f"poster.signals[{i - 1}]"}
        for i, signal in enumerate(poster.signals, 1)
    ]
    slides.append({"kind": "call", "kicker": None, "big": None,
                   "headline": _t(campaign, lang, poster.call_to_action), "sub": None,
                   "items": [], "step": "display", "slide": {"n": total, "of": total},
                   "field": "poster.call_to_action"})
    return slides


# The call slide's alt text: the call, then the number and the address as a sentence (a screen
# reader reads no "·"), and the QR code; the short form where the platform allows 100.
_CALL_SLIDE: dict[Language, tuple[str, str]] = {
    "nl": ("{call}: bel {telephone} of ga naar {address}. Met een QR-code.",
           "{call}: {contact}. Met een QR-code."),
    "fr": ("{call}\u00a0: appelez le {telephone} ou rendez-vous sur {address}. Avec un code QR.",
           "{call}\u00a0: {contact} et un code QR."),
    "de": ("{call}: Rufen Sie {telephone} an oder besuchen Sie {address}. Mit QR-Code.",
           "{call}: {contact}. Mit QR-Code."),
    "en": ("{call}: call {telephone} or visit {address}. With a QR code.",
           "{call}: {contact}. With a QR code."),
}


def _call_alts(campaign: Campaign, lang: Language) -> list[str]:
    """The call slide's alt text, the longer form first ('Suspect exploitation? Report it: call
    078 055 800 or visit www.stopmensenhandel.be. With a QR code.')."""
    rp = campaign.reporting_point
    call = _t(campaign, lang, campaign.poster.call_to_action).rstrip(".")
    address = urlsplit(rp.url[lang]).netloc
    contact = ", ".join(x for x in (rp.telephone, address) if x)
    long, short = _CALL_SLIDE[lang]
    forms = [short.format(call=call, contact=contact)]
    if rp.telephone:
        forms.insert(0, long.format(call=call, telephone=rp.telephone, address=address))
    return forms


def slide_alts(campaign: Campaign, lang: Language, limit: int) -> list[str]:
    """Each slide's alt text: what it says, numbered ("3/5: ...") where the platform's limit
    (Instagram: 100) leaves room on every slide, so a carousel's slides read alike; the call
    slide in its short form where the long one does not fit; a slide whose words do not fit
    even unnumbered is an error, never cut."""
    poster = campaign.poster
    total = slide_count(campaign)
    signals = [_t(campaign, lang, s) for s in poster.signals]
    calls = _call_alts(campaign, lang)
    for numbering in (True, False):
        for call in calls:
            texts = [*signals, call]
            alts = ([f"{i}/{total}{colon(lang)}{t}" for i, t in enumerate(texts, 1)]
                    if numbering else texts)
            if all(len(alt) <= limit for alt in alts):
                return alts
    texts = [*signals, calls[-1]]
    for i, text in enumerate(texts, 1):
        if len(text) > limit:
            field = f"poster.signals[{i - 1}]" if i < total else "poster.call_to_action"
            raise OutputError(
                f"the alt text of carousel slide {i} ({lang}) is {len(text)} characters; a "
                f"platform that shows the carousel allows {limit}",
                hint=f"shorten {field} ({lang}) to at most {limit} characters",
            )
    return texts


def _data(
    campaign: Campaign, lang: Language, image: ImageFormat, visuals: list[dict[str, Any]]
) -> dict[str, Any]:
    url = campaign.reporting_point.url[lang]
    data: dict[str, Any] = {
        "palette": brand.palette_data(),
        "brand": brand.brand_data(),
        "lang": lang,
        "width_pt": image.width * 72 / IMAGE_PPI,
        "height_pt": image.height * 72 / IMAGE_PPI,
        "signature": signature_data(campaign, (lang,)),
        "visuals": visuals,
        "telephone": campaign.reporting_point.telephone,
        "url_display": urlsplit(url).netloc,
        "hashtags": " ".join(campaign.hashtags),
    }
    if any(v["kind"] == "call" for v in visuals):
        data["qr"] = {"data": carousel_qr_target(campaign, lang)}
    return data


def carousel_qr_target(campaign: Campaign, lang: Language) -> str:
    """The address the QR code on a carousel's last slide opens (the link check checks it)."""
    return tracked_url(campaign.reporting_point.url[lang], source="carousel", medium="social",
                       campaign=f"blueheart{campaign.year}")


def has_carousel(campaign: Campaign) -> bool:
    return any(p.visual is not None and p.visual.kind == "carousel"
               for p in campaign.social.posts)


def image_job(
    campaign: Campaign, lang: Language, image: ImageFormat, content: dict[str, Any], key: str
) -> Job:
    """One visual (or slide) at one size, as PNG."""
    return Job(
        template="social.typ",
        data=_data(campaign, lang, image, [content]),
        format="png",
        ppi=IMAGE_PPI,
        label=f"social image {key} {image.name} {lang}",
        check_glyphs=GLYPH_CHECKED,
    )


def carousel_document_job(campaign: Campaign, lang: Language) -> Job:
    """LinkedIn's carousel: a PDF document, a page per slide, in the feed's 4:5 size."""
    return Job(
        template="social.typ",
        data=_data(campaign, lang, FEED, slide_contents(campaign, lang)),
        format="pdf",
        label=f"LinkedIn carousel {lang}",
        check_glyphs=GLYPH_CHECKED,
    )


def carousel_files(campaign: Campaign) -> list[tuple[int, ImageFormat, str]]:
    """(slide number, size, file) of every PNG slide, for Instagram."""
    return [
        (n, image, image_file(f"carousel-{n}", image))
        for n in range(1, slide_count(campaign) + 1)
        for image in CAROUSEL_FORMATS
    ]


def post_images(
    campaign: Campaign, post: SocialPost, platform: Platform, lang: Language, alt: str
) -> tuple[PostImage, ...]:
    """The images a post carries on a platform: its visual at the platform's post size, or a
    carousel's slides (Instagram) or document (LinkedIn)."""
    if post.visual is not None and post.visual.kind == "carousel":
        if platform.key == "linkedin":
            return (PostImage(carousel_pdf(lang), FEED.width, FEED.height, alt),)
        size = platform.image
        alts = slide_alts(campaign, lang, platform.alt_limit)
        return tuple(
            PostImage(path, image.width, image.height, alts[n - 1])
            for n, image, path in carousel_files(campaign) if image == size
        )
    image = platform.image
    return (PostImage(image_file(visual_key(post), image), image.width, image.height, alt),)


def alternate_images(
    post: SocialPost, platform: Platform, alt: str
) -> tuple[PostImage, ...]:
    """The other sizes of a post's visual that a platform takes (Instagram: the 4:5 feed size
    beside the 3:4, the story where the visual has one); none for a carousel."""
    if post.visual is not None and post.visual.kind == "carousel":
        return ()
    made = formats_for(post, [platform])
    return tuple(PostImage(image_file(visual_key(post), f), f.width, f.height, alt)
                 for f in made if f != platform.image)


def formats_for(
    post: SocialPost, platforms: Sequence[Platform]
) -> list[ImageFormat]:
    """Every size a (single-image) visual is made at: those of the platforms it is posted on
    (a story only for the visuals made for stories)."""
    kind = post.visual.kind if post.visual else "slogan"
    sizes: list[ImageFormat] = []
    for platform in platforms:
        if post.platforms is not None and platform.key not in post.platforms:
            continue
        sizes += [f for f in platform.images if f not in sizes
                  and (f != STORY or kind in STORY_VISUALS)]
    return sizes
