"""What the link check asks for: every web address a campaign prints, posts, mails or mentions.

A dead or mistyped address on a printed poster lasts a whole year, so every address is gathered:
the QR code targets exactly as printed (with their tracking parameters, per language and size),
the links in the social posts and the invitation e-mails, the reporting point, the centres' and
the organisation's sites, the kit's hosting address and any address written inside a text. Each
distinct address is kept once, with every place it is used in the campaign file, so a dead one
can be fixed at its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlsplit, urlunsplit

from bluekit.campaign.load import check_source
from bluekit.campaign.model import Campaign
from bluekit.campaign.placeholders import placeholders_in_safe
from bluekit.campaign.problems import format_path
from bluekit.campaign.yaml_source import PathKey, YamlSource, load_yaml
from bluekit.errors import Location, ValidationFailed
from bluekit.kit.platforms import PLATFORMS
from bluekit.kit.posters import PosterOptions, qr_target, variants
from bluekit.kit.tracking import tracked_url
from bluekit.kit.visuals import carousel_files, carousel_qr_target, has_carousel
from bluekit.language import LANGUAGES, Language


@dataclass(frozen=True)
class Usage:
    """One place an address is used: what uses it and the campaign-file value it comes from."""

    what: str  # e.g. "QR code of poster A3 nl", "website of Payoke", "mentioned in a text"
    field: str  # path of the campaign-file value, e.g. "reporting_point.url.nl"
    location: Location  # file:line:column of that value
    posters: tuple[str, ...] = ()  # for a QR target: the poster files (under dist/<year>/)

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "field": self.field,
            "file": str(self.location.path) if self.location.path else None,
            "line": self.location.line,
            "column": self.location.column,
            "posters": list(self.posters),
        }


@dataclass
class Link:
    """A distinct address and every place it is used.

    `address` is the value as it stands in the campaign file; it differs from `url` when bluekit
    adds tracking parameters, and is what a suggested new address is given for.
    """

    url: str
    address: str = ""
    usages: list[Usage] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.address = self.address or self.url

    @property
    def is_qr_target(self) -> bool:
        """True when a poster's QR code opens this address."""
        return any(usage.posters for usage in self.usages)


def address_key(url: str) -> str:
    """The identity of an address for de-duplication: case of scheme and host, an empty path
    and the fragment (never sent to the server) do not make another address."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


class _Collector:
    """Links in first-seen order, one per distinct address; each use is placed in the campaign
    file when its parsed `source` is known, else named by field only."""

    def __init__(self, source: YamlSource | None) -> None:
        self.source = source
        self.links: dict[str, Link] = {}

    def usage(self, what: str, path: PathKey, posters: tuple[str, ...] = ()) -> Usage:
        where = self.source.location(path) if self.source is not None else Location(None)
        return Usage(what, format_path(path), where, posters)

    def add(self, url: str, usage: Usage, *, address: str | None = None) -> None:
        link = self.links.setdefault(address_key(url), Link(url, address or url))
        if usage not in link.usages:
            link.usages.append(usage)


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
# "www.stopmensenhandel.be" written without a scheme, as posters and alt texts do.
_BARE_WWW = re.compile(
    r"(?<![\w./@:-])www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s<>\"'`{}|\\^\[\]]*)?", re.IGNORECASE
)
_TRAILING = ".,;:!?»”’'\""


def urls_in_text(text: str) -> list[tuple[str, str]]:
    """The web addresses written in a text, as (address to check, as written): full http(s)
    addresses, and bare www. host names (checked as https)."""
    found: list[tuple[str, str]] = []
    for pattern, prefix in ((_URL_IN_TEXT, ""), (_BARE_WWW, "https://")):
        for match in pattern.finditer(text):
            written = match.group(0).rstrip(_TRAILING)
            if written.endswith(")") and "(" not in written:
                written = written[:-1].rstrip(_TRAILING)
            found.append((prefix + written, written))
    return found


def _walk(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


def _is_language(value: object) -> TypeGuard[Language]:
    """True for a language code; a campaign-file path and a poster's language set carry them as
    plain strings."""
    return value in LANGUAGES


def _what(campaign: Campaign, path: PathKey) -> str:
    """What an address value in the campaign file is, in words."""
    match path:
        case ("reporting_point", "url", lang):
            return f"reporting point ({lang})"
        case ("reporting_point", "home"):
            return "reporting point home page (QR code of the bilingual poster)"
        case ("centres", int(i), "website"):
            return f"website of {campaign.centres[i].name}"
        case ("organisation", "website", lang):
            name = "the organisation"
            if _is_language(lang):
                name = campaign.organisation.name.get(lang, name)
            return f"website of {name}"
        case ("social", "base_url"):
            return "where the social kit is hosted"
    return "address"


def _written_addresses(collector: _Collector, campaign: Campaign) -> None:
    """The addresses written in the file: address values, and addresses inside texts."""
    for path, value in _walk(campaign.model_dump(mode="json"), ()):
        for url, written in urls_in_text(value):
            if written == value.strip():
                collector.add(url, collector.usage(_what(campaign, path), path))
            else:
                note = f" (written {written})" if url != written else ""
                collector.add(url, collector.usage(f"mentioned in a text{note}", path))


def _home_page(collector: _Collector, campaign: Campaign) -> PathKey:
    """The language-neutral home page, when it is the default (the root of the first site);
    returns the campaign-file path the home page comes from."""
    rp = campaign.reporting_point
    if rp.home is not None:
        return ("reporting_point", "home")
    home_path: PathKey = ("reporting_point", "url", next(iter(rp.url)))
    what = "reporting point home page (home not set: the root of this site)"
    collector.add(rp.home_url, collector.usage(what, home_path))
    return home_path


def _qr_targets(collector: _Collector, campaign: Campaign, home_path: PathKey) -> None:
    """The QR codes, exactly as the poster planning makes them."""
    rp = campaign.reporting_point
    options = PosterOptions()
    for langs in variants(campaign, options):
        name = "-".join(langs)
        lang = langs[0]
        path: PathKey = home_path
        address = rp.home_url
        if len(langs) == 1 and _is_language(lang):
            path, address = ("reporting_point", "url", lang), rp.url[lang]
        for size in (*options.sizes, None):
            if size is None:
                if not options.screen:
                    continue
                label = f"screen poster {name}"
                files: tuple[str, ...] = (f"posters/screen-{name}.png",)
            else:
                label = f"poster {size} {name}"
                files = tuple(f"posters/poster-{size}-{name}.{fmt}" for fmt in options.formats)
            url = qr_target(campaign, langs, size, options.utm)
            collector.add(url, collector.usage(f"QR code of {label}", path, files), address=address)
        if options.web:
            url = qr_target(campaign, langs, "A4", options.utm, web=True)
            usage = collector.usage(f"QR code of web poster {name}", path,
                                    (f"posters/poster-web-{name}.pdf",))
            collector.add(url, usage, address=address)


def _carousel_qr_targets(collector: _Collector, campaign: Campaign) -> None:
    """The QR code on the last slide of a carousel, per language."""
    if not has_carousel(campaign):
        return
    for lang in campaign.languages:
        files = tuple(f"social/{lang}/{name}" for _, _, name in carousel_files(campaign))
        usage = collector.usage(f"QR code of the carousel ({lang})",
                                ("reporting_point", "url", lang), files[-1:])
        collector.add(carousel_qr_target(campaign, lang), usage,
                      address=campaign.reporting_point.url[lang])


def _social_links(collector: _Collector, campaign: Campaign) -> None:
    """The links of the social posts: per language and platform, where a post uses {url}."""
    rp = campaign.reporting_point
    for lang in campaign.languages:
        for platform in campaign.social.platforms:
            posts = [
                post.id
                for post in campaign.social.posts
                if (post.platforms is None or platform in post.platforms)
                and "url" in placeholders_in_safe(post.by_platform.get(platform, post.text)[lang])
            ]
            if posts:
                url = tracked_url(
                    rp.url[lang],
                    source=platform,
                    medium="social",
                    campaign=f"blueheart{campaign.year}",
                )
                name = PLATFORMS[platform].name
                what = f"link in the {name} posts ({lang}): {', '.join(posts)}"
                usage = collector.usage(what, ("reporting_point", "url", lang))
                collector.add(url, usage, address=rp.url[lang])


def _invitation_links(collector: _Collector, campaign: Campaign) -> None:
    """The invitation e-mails: the reporting point where a text uses {url}, and the social kit."""
    rp = campaign.reporting_point
    invitation_texts = [
        text for path, text in campaign.localized_texts() if path.startswith("invitation.")
    ]
    for lang in campaign.languages:
        if any("url" in placeholders_in_safe(text[lang]) for text in invitation_texts):
            url = tracked_url(
                rp.url[lang],
                source="invitation",
                medium="email",
                campaign=f"blueheart{campaign.year}",
            )
            what = f"link in the invitation e-mails ({lang})"
            usage = collector.usage(what, ("reporting_point", "url", lang))
            collector.add(url, usage, address=rp.url[lang])
        if campaign.social.base_url:
            url = f"{campaign.social.base_url.rstrip('/')}/{lang}/"
            what = f"link to the social kit in the invitation e-mails ({lang})"
            collector.add(url, collector.usage(what, ("social", "base_url")))


def collect_links(campaign: Campaign, source: YamlSource | None = None) -> list[Link]:
    """Every address the campaign produces or mentions, each once, with every place it is used.

    `source` (the parsed campaign file) gives each use its file:line:column; without it the
    places are named by field only.
    """
    collector = _Collector(source)
    _written_addresses(collector, campaign)
    home_path = _home_page(collector, campaign)
    _qr_targets(collector, campaign, home_path)
    _carousel_qr_targets(collector, campaign)
    _social_links(collector, campaign)
    _invitation_links(collector, campaign)
    return list(collector.links.values())


def load_links(path: Path) -> list[Link]:
    """Read and validate a campaign file, then collect its links with their file positions."""
    source = load_yaml(path)
    campaign, problems = check_source(source)
    if campaign is None or any(p.kind == "error" for p in problems):
        raise ValidationFailed(path, problems)
    return collect_links(campaign, source)
