"""Trello's REST API over `requests` (the Python clients on PyPI are unmaintained): the few
calls bluekit needs, inside Trello's limits, with its errors turned into bluekit's.

The key and token travel in the Authorization header Trello documents
(`OAuth oauth_consumer_key="…", oauth_token="…"`), never in a URL, so no error message, log or
traceback ever holds them. Every request waits its turn in a window of 100 per 10 s; a 429
(rate limit) is waited out and asked again, never fatal. GET, PUT and DELETE are asked again
after a server error or a lost connection; a POST is not (Trello may have made the object), and
the caller recovers from its record of intents instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from bluekit import __version__
from bluekit.errors import BluekitError
from bluekit.publish.rate_limit import RateLimit

API = "https://api.trello.com/1"
RETRIES = 4  # after a server error or a lost connection, for the calls that may be repeated
TIMEOUT = (10.0, 120.0)  # connect, read (an upload of a kit's ZIP takes a while)


class TrelloError(BluekitError):
    """Trello refused a request, or could not be reached."""


class TrelloAuthError(TrelloError):
    """Trello does not accept the key or the token (401)."""


class TrelloNotFound(TrelloError):
    """The board, list, card or attachment asked for is not (or no longer) on Trello (404)."""


@dataclass(frozen=True)
class Credentials:
    key: str
    token: str

    def __repr__(self) -> str:  # never shown, whatever prints this object
        return "Credentials(key=***, token=***)"


Waited = Callable[[float, str], None]  # (seconds, why): told before each wait for Trello


class TrelloClient:
    """A session with Trello for one token."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        api: str = API,
        limit: RateLimit | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Waited | None = None,
    ):
        self.api = api.rstrip("/")
        self.limit = limit or RateLimit(sleep=sleep)
        self.sleep = sleep
        self.on_wait = on_wait
        self.requests = 0
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"bluekit/{__version__}"
        self.session.headers["Authorization"] = (
            f'OAuth oauth_consumer_key="{credentials.key}", oauth_token="{credentials.token}"'
        )

    def get(self, path: str, **params: str) -> Any:
        return self.call("GET", path, params=params)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.call("PUT", path, json=body)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.call("POST", path, json=body)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def upload(self, path: str, name: str, content: bytes, mime: str, cover: bool) -> Any:
        """Attach a file to a card (multipart/form-data, as Trello's reference says)."""
        fields = {"name": name, "mimeType": mime, "setCover": "true" if cover else "false"}
        return self.call("POST", path, data=fields, files={"file": (name, content, mime)})

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call, waited for, repeated where that is safe; the answer's JSON."""
        failures = 0
        while True:
            self._pace()
            try:
                response = self.session.request(
                    method, f"{self.api}{path}", timeout=TIMEOUT, **kwargs
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                if method == "POST" or failures > RETRIES:
                    raise _unreachable(method, path, exc) from None
                self._wait(2.0 ** (failures - 1), "Trello did not answer")
                continue
            self.requests += 1
            if response.status_code == 429:
                self.limit.exhausted()
                self._wait(_retry_after(response), "Trello asks to slow down (429)")
                continue
            if response.status_code >= 500 and method != "POST" and failures < RETRIES:
                failures += 1
                self._wait(2.0 ** (failures - 1), f"Trello answered {response.status_code}")
                continue
            if response.status_code >= 400:
                raise _error(method, path, response)
            self._note_budget(response)
            return response.json() if response.content else None

    def _pace(self) -> None:
        slept = self.limit.wait()
        if slept and self.on_wait:
            self.on_wait(slept, "keeping within 100 requests per 10 s")

    def _wait(self, seconds: float, why: str) -> None:
        if self.on_wait:
            self.on_wait(seconds, why)
        self.sleep(seconds)

    def _note_budget(self, response: requests.Response) -> None:
        """Trello says in every answer how many requests the token has left in this window."""
        remaining = response.headers.get("x-rate-limit-api-token-remaining")
        if remaining is not None and remaining.strip() == "0":
            self.limit.exhausted()


def _retry_after(response: requests.Response) -> float:
    """How long to wait after a 429: Retry-After when given, else Trello's token window."""
    for header, scale in (("Retry-After", 1.0), ("x-rate-limit-api-token-interval-ms", 0.001)):
        value = response.headers.get(header)
        if value:
            try:
                return max(0.5, min(float(value) * scale, 60.0))
            except ValueError:
                pass
    return 10.0


def _body_text(response: requests.Response) -> str:
    """Trello's error answer: mostly plain text ("invalid id"), sometimes JSON with a message."""
    text = response.text.strip()
    if text.startswith("{"):
        try:
            data = response.json()
        except ValueError:
            return text[:200]
        if isinstance(data, dict) and data.get("message"):
            return str(data["message"])[:200]
    return text[:200] or response.reason


def _error(method: str, path: str, response: requests.Response) -> TrelloError:
    text = _body_text(response)
    code = response.status_code
    if code == 401:
        return TrelloAuthError(
            f"Trello refused the key or token ({code} {text})",
            hint="check BLUEKIT_TRELLO_KEY and BLUEKIT_TRELLO_TOKEN: the token must belong to "
            "the key and allow read and write (see the README, 'Publishing on Trello')",
        )
    if code == 404:
        return TrelloNotFound(f"Trello: {method} {path}: {code} {text}")
    return TrelloError(
        f"Trello refused {method} {path}: {code} {text}",
        hint="run the same command again; if it keeps failing, the answer above says why",
    )


def _unreachable(method: str, path: str, exc: Exception) -> TrelloError:
    outcome = (
        " (Trello may have made it: the next run looks for it on the board before it makes it "
        "again)" if method == "POST" else ""
    )
    return TrelloError(
        f"Trello could not be reached for {method} {path}: {exc.__class__.__name__}{outcome}",
        hint="check the internet connection (and HTTPS_PROXY), then run the same command again",
    )
