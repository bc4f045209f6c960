"""The link check: every web address a campaign prints, posts, mails or mentions, checked live.

A dead or mistyped address on a printed poster lasts a whole year, so before anything goes to
the printer or out by mail every address is asked for: the QR code targets exactly as printed
(with their tracking parameters, per language and size), the links in the social posts and the
invitation e-mails, the reporting point, the centres' and the organisation's sites, the kit's
hosting address and any address written inside a text.

Each distinct address is checked once, by a small pool of threads: HEAD first (no page is
downloaded), GET when a server refuses HEAD, redirects followed one hop at a time so each is
reported (a permanent one suggests the new address for the campaign file), retries with
back-off on rate limits, server errors and dropped connections. A result names where in the
campaign file the address comes from, so a dead one can be fixed at its line.
"""

from __future__ import annotations

import email.utils
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from urllib3.exceptions import NameResolutionError

from bluekit import __version__
from bluekit.campaign.load import check_source
from bluekit.campaign.model import Campaign
from bluekit.campaign.placeholders import placeholders_in_safe
from bluekit.campaign.problems import format_path
from bluekit.campaign.yaml_source import PathKey, YamlSource, load_yaml
from bluekit.errors import Location, OutputError, ValidationFailed
from bluekit.kit.platforms import PLATFORMS
from bluekit.kit.posters import PosterOptions, qr_target, variants
from bluekit.kit.tracking import tracked_url

Status = Literal["ok", "redirected", "dead"]

USER_AGENT = (
    f"bluekit/{__version__} (link check of the Belgian Blue Heart campaign) "
    f"python-requests/{requests.__version__}"
)
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# A HEAD answered with a client error (other than 429) or 501 may just be a server that does not
# implement HEAD properly; the GET that a browser sends decides.
HEAD_NOT_TRUSTED = frozenset(range(400, 429)) | frozenset(range(430, 500)) | {501}
# Worth asking again later: rate limited, or a server error other than "not implemented".
RETRY_CODES = frozenset({429}) | (frozenset(range(500, 600)) - {501})
_UNREACHABLE = {101, 113, 10051, 10065}  # ENETUNREACH, EHOSTUNREACH (Linux, Windows)


# --- what is checked ----------------------------------------------------------------------


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


def _key(url: str) -> str:
    """The identity of an address for de-duplication: case of scheme and host, an empty path
    and the fragment (never sent to the server) do not make another address."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


class _Collector:
    """Links in first-seen order, one per distinct address."""

    def __init__(self) -> None:
        self.links: dict[str, Link] = {}

    def add(self, url: str, usage: Usage, *, address: str | None = None) -> None:
        link = self.links.setdefault(_key(url), Link(url, address or url))
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
            return f"website of {campaign.organisation.name.get(str(lang), 'the organisation')}"
        case ("social", "base_url"):
            return "where the social kit is hosted"
    return "address"


def collect_links(campaign: Campaign, source: YamlSource | None = None) -> list[Link]:
    """Every address the campaign produces or mentions, each once, with every place it is used.

    `source` (the parsed campaign file) gives each use its file:line:column; without it the
    places are named by field only.
    """

    def where(path: PathKey) -> Location:
        return source.location(path) if source is not None else Location(None)

    def usage(what: str, path: PathKey, posters: tuple[str, ...] = ()) -> Usage:
        return Usage(what, format_path(path), where(path), posters)

    collector = _Collector()
    rp = campaign.reporting_point

    # Addresses written in the file: address values, and addresses inside texts.
    for path, value in _walk(campaign.model_dump(mode="json"), ()):
        for url, written in urls_in_text(value):
            if written == value.strip():
                collector.add(url, usage(_what(campaign, path), path))
            else:
                note = f" (written {written})" if url != written else ""
                collector.add(url, usage(f"mentioned in a text{note}", path))

    # The language-neutral home page, when it is the default (the root of the first site).
    first_lang = next(iter(rp.url))
    home_path: PathKey = ("reporting_point", "home")
    if rp.home is None:
        home_path = ("reporting_point", "url", first_lang)
        collector.add(
            rp.home_url,
            usage(
                "reporting point home page (home not set: the root of this site)",
                home_path,
            ),
        )

    # The QR codes, exactly as the poster planning makes them.
    options = PosterOptions()
    for langs in variants(campaign, options):
        name = "-".join(langs)
        path = ("reporting_point", "url", langs[0]) if len(langs) == 1 else home_path
        address = rp.url[langs[0]] if len(langs) == 1 else rp.home_url
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
            collector.add(url, usage(f"QR code of {label}", path, files), address=address)

    # The links of the social posts: per language and platform, where a post uses {url}.
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
                collector.add(
                    url, usage(what, ("reporting_point", "url", lang)), address=rp.url[lang]
                )

    # The invitation e-mails: the reporting point where a text uses {url}, and the social kit.
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
            collector.add(url, usage(what, ("reporting_point", "url", lang)), address=rp.url[lang])
        if campaign.social.base_url:
            url = f"{campaign.social.base_url.rstrip('/')}/{lang}/"
            what = f"link to the social kit in the invitation e-mails ({lang})"
            collector.add(url, usage(what, ("social", "base_url")))

    return list(collector.links.values())


def load_links(path: Path) -> list[Link]:
    """Read and validate a campaign file, then collect its links with their file positions."""
    source = load_yaml(path)
    campaign, problems = check_source(source)
    if campaign is None or any(p.kind == "error" for p in problems):
        raise ValidationFailed(path, problems)
    return collect_links(campaign, source)


# --- checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckSettings:
    """How addresses are asked for. The defaults suit a real run; tests shorten the waits."""

    timeout: float = 10.0  # seconds to connect, and again to wait for the answer's headers
    retries: int = 2  # further attempts after a rate limit, server error or dropped connection
    backoff: float = 1.0  # wait before the first retry, doubled before each next one
    max_retry_after: float = 15.0  # a server's Retry-After is honoured up to this many seconds
    max_redirects: int = 10
    workers: int = 8  # addresses checked at the same time
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Hop:
    """One redirect: the address that answered, its code, and where it sent us."""

    url: str
    code: int
    location: str

    @property
    def permanent(self) -> bool:
        return self.code in PERMANENT_REDIRECTS


@dataclass(frozen=True)
class LinkResult:
    """What checking one address found."""

    link: Link
    status: Status  # ok, redirected (alive after redirects), dead
    code: int | None  # HTTP code of the last answer (None: no answer at all)
    final_url: str  # where the redirects ended (the address itself when there were none)
    elapsed: float  # seconds, retries and redirects included
    redirects: tuple[Hop, ...] = ()
    error: str = ""  # why the address is dead
    suggestion: str | None = None  # the new address to write in the campaign file
    note: str = ""  # something else worth knowing (tracking parameters lost on the way)
    method: str = "HEAD"  # the request method that gave the last answer
    attempts: int = 1  # requests made, all hops and retries together

    @property
    def url(self) -> str:
        return self.link.url

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.link.url,
            "address": self.link.address,
            "status": self.status,
            "code": self.code,
            "final_url": self.final_url,
            "seconds": round(self.elapsed, 3),
            "redirects": [
                {"url": h.url, "code": h.code, "location": h.location} for h in self.redirects
            ],
            "error": self.error or None,
            "suggestion": self.suggestion,
            "note": self.note or None,
            "method": self.method,
            "attempts": self.attempts,
            "qr_target": self.link.is_qr_target,
            "used": [usage.as_dict() for usage in self.link.usages],
        }


def new_session(settings: CheckSettings) -> requests.Session:
    """An HTTP session that says who is asking (some sites refuse anonymous clients)."""
    session = requests.Session()
    session.headers["User-Agent"] = settings.user_agent
    session.headers["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
    return session


def _causes(exc: BaseException) -> Iterator[object]:
    """The exception and everything it wraps (requests wraps urllib3, which wraps socket)."""
    seen: set[int] = set()
    queue: deque[object] = deque([exc])
    while queue:  # breadth first: the last one yielded is the innermost
        item = queue.popleft()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, BaseException):
            queue.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
            queue.extend(arg for arg in item.args if isinstance(arg, BaseException))


def _describe(
    exc: requests.RequestException, url: str, settings: CheckSettings
) -> tuple[str, bool, bool]:
    """A failed request in words, whether trying again could help, and whether the failure is
    the host's (not found, unreachable), so every address on it fails the same way."""
    causes = list(_causes(exc))
    host = urlsplit(url).hostname or url
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection to {host} within {settings.timeout:g} s", True, False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer from {host} within {settings.timeout:g} s", True, False
    if isinstance(exc, requests.exceptions.ProxyError):
        return f"the proxy did not reach {host}: {_root_message(causes)}", False, False
    if isinstance(exc, requests.exceptions.SSLError):
        return f"secure connection to {host} failed (certificate or TLS problem)", False, False
    if isinstance(exc, requests.exceptions.ConnectionError):
        if any(isinstance(c, NameResolutionError | socket.gaierror) for c in causes):
            return f"host not found: {host} (no such name, or no network)", False, True
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return f"connection refused by {host}", False, False
        if any(isinstance(c, OSError) and c.errno in _UNREACHABLE for c in causes):
            return f"{host} is unreachable (no network?)", False, True
        return f"connection to {host} failed: {_root_message(causes)}", True, False
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return f"not a valid address: {url}", False, False
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return f"not a web address bluekit can check: {url}", False, False
    return f"request failed: {_root_message(causes)}", False, False


def _root_message(causes: list[object]) -> str:
    root = causes[-1] if causes else "unknown error"
    text = str(root).strip() or type(root).__name__
    return text.split("\n")[0][:200]


def _retry_after(response: requests.Response) -> float | None:
    """The server's Retry-After in seconds (a number or an HTTP date), if it gave one."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class _Attempts:
    """Requests made for one address, and the back-off between them."""

    settings: CheckSettings
    made: int = 0
    retries: int = 0

    def may_retry(self) -> bool:
        return self.retries < self.settings.retries

    def wait(self, response: requests.Response | None = None) -> None:
        delay = self.settings.backoff * 2**self.retries
        asked = _retry_after(response) if response is not None else None
        if asked is not None:
            delay = min(asked, self.settings.max_retry_after)
        self.retries += 1
        if delay > 0:
            time.sleep(delay)


def _ask(
    session: requests.Session, url: str, method: str, attempts: _Attempts
) -> requests.Response:
    """One request; redirects are not followed and a GET's body is not downloaded."""
    attempts.made += 1
    response = session.request(
        method,
        url,
        allow_redirects=False,
        stream=method == "GET",
        timeout=attempts.settings.timeout,
    )
    response.close()  # only the status line and headers are needed
    return response


class Hosts:
    """What one run knows about hosts: the first request to a host goes alone, and a host that
    was not found (or cannot be reached) fails every other address on it at once, so a run
    without network or with a mistyped host takes one lookup, not one per address."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: dict[str, threading.Event] = {}
        self._failed: dict[str, str] = {}

    @contextmanager
    def turn(self, url: str) -> Iterator[str | None]:
        """Wait while another thread asks this host for the first time; yields the reason the
        host failed before, if it did."""
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            event = self._first.get(host)
            mine = event is None
            if event is None:
                event = self._first[host] = threading.Event()
        if not mine:
            event.wait()
        try:
            yield self._failed.get(host)
        finally:
            if mine:
                event.set()

    def failed(self, url: str, reason: str) -> None:
        with self._lock:
            self._failed[(urlsplit(url).hostname or "").lower()] = reason


def _answer(
    session: requests.Session, url: str, method: str, attempts: _Attempts, hosts: Hosts
) -> tuple[requests.Response | None, str, str]:
    """The answer for one hop (response, method used, error): HEAD, then GET where HEAD is not
    trusted, retrying rate limits, server errors and dropped connections with back-off."""
    while True:
        with hosts.turn(url) as failed_before:
            if failed_before:
                return None, method, failed_before
            try:
                response = _ask(session, url, method, attempts)
            except requests.RequestException as exc:
                message, transient, whole_host = _describe(exc, url, attempts.settings)
                if whole_host:
                    hosts.failed(url, message)
                if transient and attempts.may_retry():
                    response = None
                else:
                    return None, method, message
        if response is None:
            attempts.wait()
            continue
        code = response.status_code
        if method == "HEAD" and code in HEAD_NOT_TRUSTED:
            method = "GET"
            continue
        if code in RETRY_CODES and attempts.may_retry():
            attempts.wait(response)
            continue
        return response, method, ""


def _phrase(code: int, reason: str | None) -> str:
    """The standard name of an HTTP code ("Not Found"), else what the server said."""
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return reason or ""


def _without_tracking(url: str, link: Link) -> str:
    """`url` without the query parameters bluekit added to the campaign-file address."""
    if link.url == link.address:
        return url
    own = set(parse_qsl(urlsplit(link.address).query, keep_blank_values=True))
    added = set(parse_qsl(urlsplit(link.url).query, keep_blank_values=True)) - own
    parts = urlsplit(url)
    query = [q for q in parse_qsl(parts.query, keep_blank_values=True) if q not in added]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _lost_tracking(final_url: str, link: Link) -> list[str]:
    """The tracking parameters of `link` that the redirects dropped on the way."""
    if link.url == link.address:
        return []
    own = set(parse_qsl(urlsplit(link.address).query, keep_blank_values=True))
    added = set(parse_qsl(urlsplit(link.url).query, keep_blank_values=True)) - own
    kept = set(parse_qsl(urlsplit(final_url).query, keep_blank_values=True))
    return sorted(name for name, value in added if (name, value) not in kept)


def check_link(
    link: Link,
    settings: CheckSettings,
    session: requests.Session,
    hosts: Hosts | None = None,
) -> LinkResult:
    """Check one address: follow its redirects hop by hop and say whether it is alive."""
    hosts = hosts or Hosts()
    start = time.monotonic()
    attempts = _Attempts(settings)
    hops: list[Hop] = []
    current, method = link.url, "HEAD"

    def result(status: Status, code: int | None, **extra: Any) -> LinkResult:
        return LinkResult(
            link,
            status,
            code,
            current,
            time.monotonic() - start,
            tuple(hops),
            method=method,
            attempts=attempts.made,
            **extra,
        )

    while True:
        response, method, error = _answer(session, current, method, attempts, hosts)
        if response is None:
            return result("dead", None, error=error)
        code = response.status_code
        if code not in REDIRECT_CODES:
            break
        location = response.headers.get("Location", "").strip()
        if not location:
            return result("dead", code, error=f"HTTP {code} redirect without a Location header")
        target = urljoin(current, location)
        hops.append(Hop(current, code, target))
        visited = {_key(hop.url) for hop in hops}
        if _key(target) in visited:
            chain = " -> ".join([*(h.url for h in hops), target])
            return result("dead", code, error=f"redirect loop: {chain}")
        if len(hops) >= settings.max_redirects:
            return result("dead", code, error=f"more than {settings.max_redirects} redirects")
        current = target

    if code >= 400:
        error = f"HTTP {code} {_phrase(code, response.reason)}".rstrip()
        if attempts.retries:
            error += f" (after {attempts.made} attempts)"
        return result("dead", code, error=error)
    if not hops:
        return result("ok", code)
    suggestion = None
    permanent = [hop for hop in hops if hop.permanent]
    if hops[0].permanent:
        # The address has moved for good: the end of the leading run of permanent redirects.
        moved = hops[0]
        for hop in hops[1:]:
            if not hop.permanent:
                break
            moved = hop
        suggestion = _without_tracking(moved.location, link)
        if _key(suggestion) == _key(link.address):
            suggestion = None
    note = ""
    lost = _lost_tracking(current, link)
    if lost:
        note = (
            f"the redirect drops the tracking parameters ({', '.join(lost)}): visits from this "
            "link will not be counted"
        )
    elif permanent and suggestion is None and not hops[0].permanent:
        note = "a later redirect is permanent; the address itself is only temporarily redirected"
    return result("redirected", code, suggestion=suggestion, note=note)


def check_links(
    links: Iterable[Link | str],
    settings: CheckSettings | None = None,
    *,
    progress: Callable[[LinkResult], None] | None = None,
) -> list[LinkResult]:
    """Check every link (plain URLs are accepted too) in a small thread pool; results in the
    order of the links. `progress` is called as each one is done."""
    settings = settings or CheckSettings()
    items = [Link(item) if isinstance(item, str) else item for item in links]
    results: list[LinkResult | None] = [None] * len(items)
    if not items:
        return []
    hosts = Hosts()
    local = threading.local()
    sessions: list[requests.Session] = []
    lock = threading.Lock()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = new_session(settings)
            with lock:
                sessions.append(local.session)
        return local.session

    pool = ThreadPoolExecutor(
        max_workers=max(1, min(settings.workers, len(items))), thread_name_prefix="bluekit-links"
    )
    try:
        futures = {
            pool.submit(lambda link: check_link(link, settings, session(), hosts), link): i
            for i, link in enumerate(items)
        }
        for future in as_completed(futures):
            outcome = future.result()
            results[futures[future]] = outcome
            if progress is not None:
                progress(outcome)
    except BaseException:  # Ctrl-C: do not wait for the addresses still being asked for
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        for s in sessions:
            s.close()
    return [r for r in results if r is not None]


def summary(results: Sequence[LinkResult]) -> dict[str, int]:
    """How many links were checked, and how many are ok, redirected and dead."""
    counts = {"checked": len(results), "ok": 0, "redirected": 0, "dead": 0}
    for r in results:
        counts[r.status] += 1
    return counts


def redirect_warnings(results: Sequence[LinkResult]) -> list[str]:
    """One line per campaign-file value whose addresses are redirected, saying what to write."""
    lines: dict[str, None] = {}
    for r in results:
        if r.status != "redirected":
            continue
        fields = ", ".join(dict.fromkeys(f"{u.field} ({u.location})" for u in r.link.usages))
        if r.suggestion:
            text = f"{r.link.address} has moved to {r.suggestion}: write it for {fields}"
        else:
            text = f"{r.link.address} is redirected (temporarily) to {r.final_url}; from {fields}"
        if r.note:
            text += f"; {r.note}"
        lines[text] = None
    return list(lines)


# --- before printing ----------------------------------------------------------------------


class DeadLinksError(OutputError):
    """Addresses that must work are dead; nothing was written."""

    def __init__(self, dead: Sequence[LinkResult], checked: int):
        lines = []
        for r in dead:
            lines.append(f"  {r.url}: {r.error}")
            for usage in r.link.usages:
                lines.append(f"    used at {usage.location} ({usage.field}): {usage.what}")
        super().__init__(
            f"{len(dead)} of the {checked} QR code addresses are dead, so nothing was built:\n"
            + "\n".join(lines),
            hint="fix the address in the campaign file (or the web site), then build again; "
            "`bluekit links` checks every address of the campaign",
        )
        self.dead = list(dead)


def require_live_qr_targets(
    campaign: Campaign,
    campaign_path: Path | None = None,
    settings: CheckSettings | None = None,
) -> list[LinkResult]:
    """Check the addresses the posters' QR codes open; raise DeadLinksError if any is dead.

    This runs before a build writes print files: a QR code cannot be corrected once printed.
    Returns the results (redirected ones are alive but worth a warning).
    """
    source = load_yaml(campaign_path) if campaign_path is not None else None
    targets = [link for link in collect_links(campaign, source) if link.is_qr_target]
    results = check_links(targets, settings)
    dead = [r for r in results if r.status == "dead"]
    if dead:
        raise DeadLinksError(dead, len(results))
    return results
