"""The requests of the link check: asking one address for its answer, politely and patiently.

HEAD first (no page is downloaded), GET when a server refuses HEAD; redirects are not followed
here (`bluekit.links.check` follows them one hop at a time). Rate limits, server errors and
dropped connections are asked again with back-off, honouring a server's Retry-After. A host that
is not found fails every other address on it at once, and a failed request is put in words.
"""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError

from bluekit.links.deadline import DeadlineAdapter, answer_within
from bluekit.links.settings import CheckSettings

# A HEAD answered with a client error (other than 429) or 501 may just be a server that does not
# implement HEAD properly; the GET that a browser sends decides.
HEAD_NOT_TRUSTED = frozenset(range(400, 429)) | frozenset(range(430, 500)) | {501}
# Worth asking again later: rate limited, or a server error other than "not implemented".
RETRY_CODES = frozenset({429}) | (frozenset(range(500, 600)) - {501})
_UNREACHABLE = {101, 113, 10051, 10065}  # ENETUNREACH, EHOSTUNREACH (Linux, Windows)


def new_session(settings: CheckSettings) -> requests.Session:
    """An HTTP session that says who is asking (some sites refuse anonymous clients)."""
    session = requests.Session()
    for prefix in ("http://", "https://"):  # a deadline for each whole answer
        session.mount(prefix, DeadlineAdapter())
    session.headers["User-Agent"] = settings.user_agent
    session.headers["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
    return session


class Sessions:
    """One HTTP session per thread of a run (made when the thread first asks), all closed at
    the end of the run."""

    def __init__(self, settings: CheckSettings) -> None:
        self._settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[requests.Session] = []

    def get(self) -> requests.Session:
        """This thread's session."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = new_session(self._settings)
            with self._lock:
                self._all.append(session)
        return session

    def close(self) -> None:
        for session in self._all:
            session.close()


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
class Attempts:
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
    session: requests.Session, url: str, method: str, attempts: Attempts
) -> requests.Response:
    """One request; redirects are not followed and a GET's body is not downloaded."""
    attempts.made += 1
    answer_within(attempts.settings.timeout)  # the whole answer, not each read of it
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


def answer(
    session: requests.Session, url: str, method: str, attempts: Attempts, hosts: Hosts
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
