"""How the link check asks for addresses: waits, retries, redirects, threads, who is asking.

A module of its own because both the requests (`bluekit.links.http`) and the check of an address
(`bluekit.links.check`) read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from bluekit import __version__

USER_AGENT = (
    f"bluekit/{__version__} (link check of the Belgian Blue Heart campaign) "
    f"python-requests/{requests.__version__}"
)


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
