"""A time limit for a whole answer, not for each read of it.

requests' time-out is a time-out per read of the socket: a server that sends its answer one byte
a second (a "slowloris", or just a broken one) never lets it fire, and `bluekit links` would
wait forever. The connections made here give the answer (its status line and headers, all the
link check reads) a deadline: when it passes, the socket is shut down under the read, and the
request fails as a time-out (which the check reports and may try again).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_LIMIT = threading.local()  # seconds this thread's next answer may take

Answer = TypeVar("Answer")


def answer_within(seconds: float) -> None:
    """The deadline for the answers this thread asks for from now on."""
    _LIMIT.seconds = seconds


def _in_time(sock: socket.socket | None, read: Callable[[], Answer]) -> Answer:
    """`read()`, the answer read from `sock`, failing as a time-out once the deadline passed."""
    seconds: float | None = getattr(_LIMIT, "seconds", None)
    if sock is None or seconds is None:
        return read()
    late = threading.Event()

    def cut() -> None:
        late.set()
        with contextlib.suppress(OSError):
            # the plain socket's shutdown, also under TLS: it ends the read at once
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        answer = read()
    except Exception:
        if late.is_set():
            raise TimeoutError(f"no complete answer within {seconds:g} s") from None
        raise
    finally:
        timer.cancel()
    if late.is_set():  # read just as the time ran out; the connection is cut anyway
        raise TimeoutError(f"no complete answer within {seconds:g} s")
    return answer


class _Http(HTTPConnection):
    def getresponse(self) -> Any:  # urllib3's HTTPResponse
        return _in_time(self.sock, super().getresponse)


class _Https(HTTPSConnection):
    def getresponse(self) -> Any:
        return _in_time(self.sock, super().getresponse)


class _HttpPool(HTTPConnectionPool):
    ConnectionCls = _Http


class _HttpsPool(HTTPSConnectionPool):
    ConnectionCls = _Https


_POOLS = {"http": _HttpPool, "https": _HttpsPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections keep the deadline of `answer_within`, direct or
    through a proxy."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
