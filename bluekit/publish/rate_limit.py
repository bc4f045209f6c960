"""Staying inside a request budget: at most `limit` requests in any `interval` seconds, as
Trello allows a token (100 per 10 s). A sliding window of the last requests' times; the clock
and the sleep are given, so tests run a minute of requests in no time.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimit:
    """The window of the last requests; `wait()` before each one sleeps until it may go."""

    limit: int = 100
    interval: float = 10.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    sent: deque[float] = field(default_factory=deque)

    def wait(self) -> float:
        """Sleep until one more request stays within the budget, then count it; returns how
        long it slept."""
        slept = 0.0
        while True:
            now = self.clock()
            while self.sent and now - self.sent[0] >= self.interval:
                self.sent.popleft()
            if len(self.sent) < self.limit:
                self.sent.append(now)
                return slept
            pause = self.interval - (now - self.sent[0])
            self.sleep(pause)
            slept += pause

    def exhausted(self) -> None:
        """The server says the budget is spent (it counts requests this window does not see,
        e.g. another program with the same token): count the window as full from now."""
        now = self.clock()
        self.sent = deque([now] * self.limit, maxlen=None)
