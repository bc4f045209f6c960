"""Checking addresses live: each distinct address once, by a small pool of threads.

Redirects are followed one hop at a time so each is reported: a permanent one suggests the new
address for the campaign file, and one that drops bluekit's tracking parameters is named. The
requests themselves (HEAD or GET, retries, back-off) are `bluekit.links.http`'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from bluekit.links.collect import Link, address_key
from bluekit.links.http import Attempts, Hosts, Sessions, answer
from bluekit.links.settings import CheckSettings

Status = Literal["ok", "redirected", "dead"]

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})


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


@dataclass
class _Trail:
    """One address on its way through the redirects: the hops so far, the address now asked
    for, the method of the last answer, the requests made and the clock."""

    link: Link
    attempts: Attempts
    current: str
    start: float = field(default_factory=time.monotonic)
    hops: list[Hop] = field(default_factory=list)
    method: str = "HEAD"

    def result(
        self,
        status: Status,
        code: int | None,
        *,
        error: str = "",
        suggestion: str | None = None,
        note: str = "",
    ) -> LinkResult:
        return LinkResult(
            self.link,
            status,
            code,
            self.current,
            time.monotonic() - self.start,
            tuple(self.hops),
            error=error,
            suggestion=suggestion,
            note=note,
            method=self.method,
            attempts=self.attempts.made,
        )


def _follow(
    trail: _Trail, session: requests.Session, hosts: Hosts
) -> requests.Response | LinkResult:
    """Follow the redirects hop by hop: the last answer, or the result when the address is dead
    on the way (no answer, a redirect nowhere, a loop, too many redirects)."""
    max_redirects = trail.attempts.settings.max_redirects
    while True:
        response, trail.method, error = answer(
            session, trail.current, trail.method, trail.attempts, hosts
        )
        if response is None:
            return trail.result("dead", None, error=error)
        code = response.status_code
        if code not in REDIRECT_CODES:
            return response
        location = response.headers.get("Location", "").strip()
        if not location:
            error = f"HTTP {code} redirect without a Location header"
            return trail.result("dead", code, error=error)
        target = urljoin(trail.current, location)
        trail.hops.append(Hop(trail.current, code, target))
        visited = {address_key(hop.url) for hop in trail.hops}
        if address_key(target) in visited:
            chain = " -> ".join([*(h.url for h in trail.hops), target])
            return trail.result("dead", code, error=f"redirect loop: {chain}")
        if len(trail.hops) >= max_redirects:
            return trail.result("dead", code, error=f"more than {max_redirects} redirects")
        trail.current = target


def _suggestion(hops: list[Hop], link: Link) -> str | None:
    """The new address to write when the address has moved for good: the end of the leading
    run of permanent redirects (without bluekit's tracking parameters)."""
    if not hops[0].permanent:
        return None
    moved = hops[0]
    for hop in hops[1:]:
        if not hop.permanent:
            break
        moved = hop
    suggestion = _without_tracking(moved.location, link)
    return None if address_key(suggestion) == address_key(link.address) else suggestion


def _redirected(trail: _Trail, code: int) -> LinkResult:
    """The result for an address that is alive after redirects, with what to write instead
    and anything else worth knowing."""
    hops, link = trail.hops, trail.link
    suggestion = _suggestion(hops, link)
    note = ""
    lost = _lost_tracking(trail.current, link)
    if lost:
        note = (
            f"the redirect drops the tracking parameters ({', '.join(lost)}): visits from this "
            "link will not be counted"
        )
    elif any(hop.permanent for hop in hops) and suggestion is None and not hops[0].permanent:
        note = "a later redirect is permanent; the address itself is only temporarily redirected"
    return trail.result("redirected", code, suggestion=suggestion, note=note)


def check_link(
    link: Link,
    settings: CheckSettings,
    session: requests.Session,
    hosts: Hosts | None = None,
) -> LinkResult:
    """Check one address: follow its redirects hop by hop and say whether it is alive."""
    hosts = hosts or Hosts()
    trail = _Trail(link, Attempts(settings), link.url)
    response = _follow(trail, session, hosts)
    if isinstance(response, LinkResult):
        return response
    code = response.status_code
    if code >= 400:
        error = f"HTTP {code} {_phrase(code, response.reason)}".rstrip()
        if trail.attempts.retries:
            error += f" (after {trail.attempts.made} attempts)"
        return trail.result("dead", code, error=error)
    if not trail.hops:
        return trail.result("ok", code)
    return _redirected(trail, code)


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
    sessions = Sessions(settings)
    pool = ThreadPoolExecutor(
        max_workers=max(1, min(settings.workers, len(items))), thread_name_prefix="bluekit-links"
    )
    try:
        futures = {
            pool.submit(lambda link: check_link(link, settings, sessions.get(), hosts), link): i
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
        sessions.close()
    return [r for r in results if r is not None]
