"""The "Maak mensenhandel zichtbaar" posters: campaign -> planned poster files.

One poster per campaign language and a bilingual nl/fr poster for Brussels, in A4, A3 and A2,
as print PDF (bleed, crop marks, CMYK) and as PNG/JPEG images of the trimmed poster, plus a
1920x1080 landscape version for screens and an A4 web version (a tagged PDF/UA-1 file in RGB,
for websites and e-mail, which a screen reader reads in order, each text in its language). With
a municipality, the poster is made in its language(s) and carries its name ("... steunt de Blue
Heart-campagne").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bluekit.campaign.model import Campaign
from bluekit.campaign.placeholders import render_text
from bluekit.errors import BluekitError
from bluekit.files.filenames import slug
from bluekit.kit import brand
from bluekit.kit.accessibility import ACCESSIBLE, document_info, poster_word, qr_alt
from bluekit.kit.languages import campaign_languages
from bluekit.kit.signature import signature_data
from bluekit.kit.tracking import tracked_url
from bluekit.language import Language
from bluekit.municipalities.registry import Municipality
from bluekit.pipeline.jobs import PlannedOutput
from bluekit.pipeline.output_intent import OutputIntent, bundled_intent, intent_from_file
from bluekit.pipeline.print_inks import InkRules
from bluekit.pipeline.print_pdf import PrintBoxes, PrintSetup, source_date
from bluekit.pipeline.raster import JpegFromPngJob
from bluekit.pipeline.render import Job

SIZES: dict[str, tuple[float, float]] = {"A4": (210, 297), "A3": (297, 420), "A2": (420, 594)}
FORMATS = ("pdf", "png", "jpg")
QR_WIDTH_U = 27  # QR code width (quiet zone included) in % of the trim width: 80 mm on A3
SCREEN_PPI = 144  # the screen template is 960 x 540 pt: 1920 x 1080 pixels at 144 ppi
GLYPH_CHECKED = (
    "text", "centres", "hashtags", "telephone", "url_display", "footer", "signature"
)


class PosterOptionError(BluekitError):
    """A poster option names a language, size or format bluekit cannot make."""


@dataclass(frozen=True)
class PosterOptions:
    """Which posters to make; the defaults make the full set of the campaign."""

    languages: tuple[str, ...] | None = None  # None: every campaign language
    sizes: tuple[str, ...] = ("A4", "A3", "A2")
    formats: tuple[str, ...] = ("pdf", "png", "jpg")
    dpi: int = 150
    municipality: Municipality | None = None
    bilingual: bool = True  # also the nl/fr poster for Brussels
    screen: bool = True  # also the 1920x1080 landscape version
    web: bool = True  # also the accessible A4 web version (PDF/UA-1)
    utm: bool = True  # tracking parameters in the QR code's URL
    output_intent: Path | None = None  # the print shop's CMYK profile (None: bluekit's FOGRA39)
    created: int | None = None  # the print PDFs' date (None: SOURCE_DATE_EPOCH or now)


def variants(campaign: Campaign, options: PosterOptions) -> list[tuple[Language, ...]]:
    """The language sets to make a poster for: ('nl',), ..., and ('nl', 'fr') for Brussels."""
    wanted = options.languages or tuple(campaign.languages)
    unknown = [lang for lang in wanted if lang not in campaign.languages]
    if unknown:
        raise PosterOptionError(
            f"the {campaign.year} campaign has no texts in {', '.join(unknown)}",
            hint=f"choose from {', '.join(campaign.languages)}",
        )
    if options.municipality is not None:
        langs = campaign_languages(campaign, options.municipality.languages)
        if not langs:
            raise PosterOptionError(
                f"{options.municipality.display_name} is addressed in "
                f"{'+'.join(options.municipality.languages)}, which the campaign does not have"
            )
        return [langs]
    result: list[tuple[Language, ...]] = [(lang,) for lang in campaign_languages(campaign, wanted)]
    if options.bilingual and {"nl", "fr"} <= set(wanted):
        result.append(("nl", "fr"))
    return result


def _check_options(options: PosterOptions) -> None:
    for size in options.sizes:
        if size not in SIZES:
            raise PosterOptionError(f"unknown size {size!r}", hint="choose from A4, A3, A2")
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise PosterOptionError(f"unknown format {fmt!r}", hint="choose from pdf, png, jpg")
    if not 36 <= options.dpi <= 600:
        raise PosterOptionError(f"{options.dpi} dpi is out of range", hint="use 72 to 600 dpi")


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + (parts.path.rstrip("/") if parts.path not in ("", "/") else "")


def _texts(
    campaign: Campaign, lang: Language, municipality: Municipality | None
) -> dict[str, Any]:
    def t(text: dict[Language, str]) -> str:
        return render_text(text[lang], campaign, lang, municipality=municipality)

    poster = campaign.poster
    return {
        "slogan": t(campaign.slogan),
        "lead": t(poster.lead),
        "signals_title": t(poster.signals_title),
        "signals": [t(s) for s in poster.signals],
        "call_to_action": t(poster.call_to_action),
        "centres_title": t(poster.centres_title),
        "supports": t(poster.supports) if municipality else None,
        "hours": t(campaign.reporting_point.hours) if campaign.reporting_point.hours else None,
        "reporting_point": t(campaign.reporting_point.name),
        "organisation": t(campaign.organisation.name),
    }


def qr_target(
    campaign: Campaign, langs: Sequence[Language], size: str | None, utm: bool, web: bool = False
) -> str:
    """The URL a poster's QR code opens: the reporting point in the poster's language (the
    language-neutral home page for a bilingual poster), with UTM parameters naming campaign,
    medium, language and size unless disabled. `size` None is the screen version; `web` the
    web version."""
    rp = campaign.reporting_point
    url = rp.url[langs[0]] if len(langs) == 1 else rp.home_url
    if not utm:
        return url
    medium = "web" if web else "print" if size else "screen"
    return tracked_url(
        url,
        source="poster",
        medium=medium,
        campaign=f"blueheart{campaign.year}",
        content="-".join(langs) + "-" + ("web" if web else size.lower() if size else "screen"),
    )


def poster_data(
    campaign: Campaign, langs: Sequence[Language], size: str | None, options: PosterOptions
) -> dict[str, Any]:
    """Everything a poster template needs, as plain JSON-able data."""
    url = campaign.reporting_point.url[langs[0]]
    return {
        "palette": brand.palette_data(),
        "brand": brand.brand_data(),
        "signature": signature_data(campaign, langs),
        "langs": list(langs),
        "text": {lang: _texts(campaign, lang, options.municipality) for lang in langs},
        "telephone": campaign.reporting_point.telephone,
        "url_display": urlsplit(url).netloc,
        # the code itself is drawn in the rendering process (render.with_qr_code): planning,
        # and a rebuild with nothing changed, stay fast
        "qr": {"data": qr_target(campaign, langs, size, options.utm), "width_u": QR_WIDTH_U},
        "centres": [
            {
                "name": c.name,
                "city": {lang: c.city[lang] for lang in langs},
                "telephone": c.telephone,
                "website": _host(c.website),
            }
            for c in campaign.centres
        ],
        "hashtags": " ".join(campaign.hashtags),
        "footer": {lang: _host(campaign.organisation.website[lang]) for lang in langs},
    }


def _print_setup(
    campaign: Campaign, langs: Sequence[Language], size: str, job_line: str,
    intent: OutputIntent, options: PosterOptions,
) -> PrintSetup:
    """Boxes and metadata of a print poster: its title names slogan, year, size and languages."""
    width, height = SIZES[size]
    slogans = " / ".join(render_text(campaign.slogan[lang], campaign, lang) for lang in langs)
    authors = dict.fromkeys(campaign.organisation.name[lang] for lang in langs)
    return PrintSetup(
        boxes=PrintBoxes(width, height),
        title=f"{slogans} · Blue Heart {campaign.year} · {size} {'+'.join(langs)}",
        author=" / ".join(authors),
        subject=job_line,
        language=langs[0],
        inks=InkRules(
            tuple((colour.cmyk, colour.small_cmyk) for colour in brand.PALETTE.values()),
            float(brand.PRINT["small_text_pt"]),
        ),
        intent=intent,
        created=options.created,
    )


def print_date(campaign_path: Path) -> int:
    """The date of the print PDFs: SOURCE_DATE_EPOCH, else when the campaign file was saved
    (the same file gives the same date, so a build is reproducible)."""
    stamp = source_date()
    return stamp if stamp is not None else int(campaign_path.stat().st_mtime)


def _intent_name(intent: OutputIntent) -> str:
    return intent.identifier if intent.registry else intent.condition


def _intent(options: PosterOptions) -> OutputIntent:
    if options.output_intent is None:
        return bundled_intent()
    return intent_from_file(options.output_intent)


def web_poster(
    campaign: Campaign, langs: Sequence[Language], options: PosterOptions
) -> PlannedOutput:
    """The poster's web version: A4 without bleed or marks, in RGB, as a tagged PDF/UA-1 file
    with its title, its author, each text in its own language and the QR code and heart
    described. Typst refuses to write it if any of that is missing."""
    width, height = SIZES["A4"]
    name = "-".join(langs)
    data = poster_data(campaign, langs, "A4", options)
    target = qr_target(campaign, langs, "A4", options.utm, web=True)
    title = " / ".join(dict.fromkeys(
        f"{data['text'][lang]['slogan']} – {poster_word(lang)} {campaign.signature.name[lang]} "
        f"{campaign.year}" for lang in langs
    ))
    author = " / ".join(dict.fromkeys(data["text"][lang]["organisation"] for lang in langs))
    data |= {
        "trim": {"w": width, "h": height}, "bleed": 0.0, "slug": 0.0, "print": False,
        "cmyk": False, "document": document_info(title, author),
        "qr": data["qr"] | {"data": target, "alt": qr_alt(langs, target)},
        "link": target,  # the address and the QR code open the reporting point when clicked
    }
    job = Job(template="poster.typ", data=data, format="pdf", label=f"web poster {name}",
              check_glyphs=GLYPH_CHECKED, pdf_standards=ACCESSIBLE)
    return PlannedOutput(f"{_folder(options)}/poster-web-{name}.pdf", job)


def _folder(options: PosterOptions) -> str:
    m = options.municipality
    return f"posters/{m.code}-{slug(m.local_name)}" if m else "posters"


def plan_posters(campaign: Campaign, options: PosterOptions | None = None) -> list[PlannedOutput]:
    """The poster files to make for `campaign`, described, not yet rendered."""
    options = options or PosterOptions()
    _check_options(options)
    folder = _folder(options)
    intent = _intent(options) if "pdf" in options.formats else None
    planned: list[PlannedOutput] = []
    for langs in variants(campaign, options):
        name = "-".join(langs)
        for size in options.sizes:
            width, height = SIZES[size]
            base = poster_data(campaign, langs, size, options)
            base |= {"trim": {"w": width, "h": height}, "bleed": 3.0, "slug": 12.0}
            label = f"poster {size} {name}"
            for fmt in options.formats:
                is_print = fmt == "pdf"
                job_line = (
                    f"Blue Heart {campaign.year} · {label} · trim {width:g} × {height:g} mm · "
                    f"bleed 3 mm · CMYK" + (f" · {_intent_name(intent)}" if intent else "")
                )
                data = base | {"print": is_print, "cmyk": is_print, "job_line": job_line}
                job = Job(
                    template="poster.typ",
                    data=data,
                    format=fmt,
                    ppi=None if is_print else options.dpi,
                    print_setup=_print_setup(campaign, langs, size, job_line, intent, options)
                    if is_print and intent else None,
                    label=label,
                    heavy=not is_print,
                    check_glyphs=GLYPH_CHECKED,
                )
                path = f"{folder}/poster-{size}-{name}.{fmt}"
                png = planned[-1] if planned and planned[-1].path.endswith(".png") else None
                if fmt == "jpg" and png is not None and png.path[:-4] == path[:-4]:
                    # the same picture as the PNG just planned: converted, not rendered again
                    planned.append(PlannedOutput(path, JpegFromPngJob(
                        png.path, png.job.fingerprint(), options.dpi, label=label
                    )))
                    continue
                planned.append(PlannedOutput(path, job))
        if options.web:
            planned.append(web_poster(campaign, langs, options))
        if options.screen:
            data = poster_data(campaign, langs, None, options) | {"print": False, "cmyk": False}
            job = Job(
                template="screen.typ",
                data=data,
                format="png",
                ppi=SCREEN_PPI,
                label=f"screen poster {name}",
                check_glyphs=GLYPH_CHECKED,
            )
            planned.append(PlannedOutput(f"{folder}/screen-{name}.png", job))
    return planned
