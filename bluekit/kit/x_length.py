"""X's weighted length of a post, by the official twitter-text rules (version 3 configuration).

X counts a post as twitter-text does: the text NFC-normalised; every link, with or without
`https://` and whatever its top-level domain (`pagasa.brussels`, `payoke.vlaanderen`), as 23;
every emoji, however many code points it takes, as 2; code points in the Latin, general
punctuation and a few other ranges as 1 and all others (CJK...) as 2. The limit is 280.

This is a port of twitter-text's URL extractor and weighting (its JavaScript reference, v3),
with its list of top-level domains (`x_tlds.txt`). The Python ports on PyPI are unmaintained and
the most complete one, twitter-text-parser 3.0.0, imports `pkg_resources`, which setuptools no
longer ships, so it fails to import on a current Python installation; its results served as a
cross-check while writing this module (tests/test_x_length.py holds the cases).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files

import regex

URL_WEIGHT = 23
LIMIT = 280
# twitter-text v3: weights scaled by 100; these code point ranges weigh 100, all others 200.
_SCALE = 100
_DEFAULT_WEIGHT = 200
_RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))
_MAX_URL_LENGTH = 4096

_PUNCT = r"\!'#%&'\(\)*\+,\\\-\.\/:;<=>\?@\[\]\^_{|}~\$/"
_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_INVALID = r"\uFFFE\uFEFF\uFFFF"
_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263\u0268"
    r"\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"


@cache
def _tlds() -> tuple[str, str]:
    """The generic and the country top-level domains as regex alternations, in the list's
    order (longer names before their prefixes)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in (files("bluekit.kit") / "x_tlds.txt").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        sections.setdefault(current, []).append(re.escape(line))
    return "|".join(sections["generic"]), "|".join(sections["country"])


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """twitter-text's `extractUrl` and `validAsciiDomain` expressions."""
    generic, country = _tlds()
    after_tld = r"(?=[^0-9a-zA-Z@+-]|$)"
    tld = rf"(?:(?:{generic}){after_tld}|(?:{country}){after_tld}|(?:xn--[\-0-9a-z]+))"
    domain_chars = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    subdomain = rf"(?:(?:{domain_chars}(?:[_-]|{domain_chars})*)?{domain_chars}\.)"
    domain_name = rf"(?:(?:{domain_chars}(?:-|{domain_chars})*)?{domain_chars}\.)"
    domain = rf"(?:{subdomain}*{domain_name}{tld})"
    path_chars = rf"[a-z{_CYRILLIC}0-9!\*';:=\+,\.\$\/%#\[\]\-\u2013_~@\|&{_LATIN_ACCENTS}]"
    parens = rf"\((?:{path_chars}+|(?:{path_chars}*\({path_chars}+\){path_chars}*))\)"
    path_end = rf"[\+\-a-z{_CYRILLIC}0-9=_#\/{_LATIN_ACCENTS}]|(?:{parens})"
    path = rf"(?:(?:{path_chars}*(?:{parens}{path_chars}*)*{path_end})|(?:@{path_chars}+/))"
    query = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    query_end = r"[a-z0-9\-_&=#/]"
    preceding = rf"(?:[^A-Za-z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|^)"
    url = (
        rf"(({preceding})((https?:\/\/)?({domain})(?::([0-9]+))?(\/{path}*)?"
        rf"(\?{query}*{query_end})?))"
    )
    ascii_domain = rf"(?:(?:[\-a-z0-9{_LATIN_ACCENTS}]+)\.)+{tld}"
    return re.compile(url, re.IGNORECASE), re.compile(ascii_domain, re.IGNORECASE)


_TCO = re.compile(
    r"^https?:\/\/t\.co\/([a-z0-9]+)(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/])?",
    re.IGNORECASE,
)


def _valid_url(url: str, protocol: str, domain: str) -> bool:
    try:
        puny = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(puny) and len(protocol) + len(url) + len(puny) - len(domain) <= _MAX_URL_LENGTH


def url_spans(text: str, *, without_protocol: bool = True) -> list[tuple[int, int]]:
    """Where the links are in `text` (start, end), as twitter-text's extractUrlsWithIndices
    finds them. Mastodon finds only links with a protocol (`without_protocol=False`)."""
    if "." not in text if without_protocol else ":" not in text:
        return []
    extract, ascii_domain = _patterns()
    spans: list[tuple[int, int]] = []
    for match in extract.finditer(text):
        before, url, protocol, domain, path = (match.group(i) for i in (2, 3, 4, 5, 7))
        end = match.end()
        start = end - len(url)
        if not _valid_url(url, protocol or "https://", domain):
            continue
        if protocol is None:
            if not without_protocol or re.search(r"[-_./]$", before):
                continue
            found = [(start + m.start(), start + m.end()) for m in ascii_domain.finditer(domain)]
            if not found:
                continue
            if path:  # the last domain takes the path and query with it
                found[-1] = (found[-1][0], end)
            spans += found
            continue
        tco = _TCO.search(url)
        if tco:
            if len(tco.group(1)) > 40:
                continue
            end = start + len(tco.group(0))
        spans.append((start, end))
    return spans


_EMOJI = regex.compile(
    r"\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3"
    r"|(?:\p{Extended_Pictographic}|\p{Emoji_Presentation})[\p{Emoji_Modifier}\uFE0F\u20E3]*"
    r"(?:\u200D(?:\p{Extended_Pictographic}|\p{Emoji_Presentation})[\p{Emoji_Modifier}\uFE0F]*)*"
    r"[\U000E0020-\U000E007F]*"
)


def _weight(char: str) -> int:
    code = ord(char)
    for low, high, weight in _RANGES:
        if low <= code <= high:
            return weight
    return _DEFAULT_WEIGHT


def x_weighted_length(text: str) -> int:
    """The length of `text` as X counts it (at most 280 for a post)."""
    text = re.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", text))
    urls = dict(url_spans(text))
    emoji = {m.start(): m.end() for m in _EMOJI.finditer(text)
             if any(not (c.isascii() and c.isalnum()) for c in m.group(0))}
    total = 0
    index = 0
    while index < len(text):
        if index in urls:
            total += URL_WEIGHT * _SCALE
            index = urls[index]
        elif index in emoji:
            total += _DEFAULT_WEIGHT
            index = emoji[index]
        else:
            total += _weight(text[index])
            index += 1
    return total // _SCALE
