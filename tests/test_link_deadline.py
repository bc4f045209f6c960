"""The link check against a server that answers one byte at a time ("slowloris"): each request
has a deadline for its whole answer, so the check ends. A real HTTP server on localhost."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from bluekit.cli import app
from bluekit.links import http as links_http
from bluekit.links.check import check_links
from bluekit.links.deadline import DeadlineAdapter
from bluekit.links.settings import CheckSettings

from .test_links import _localise


class _Dribbling(BaseHTTPRequestHandler):
    """Fast answers, except under /rp/nl: its headers come one byte every 0.2 s, for 30 s."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        try:
            if self.path.startswith("/rp/nl"):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(150):
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)
                return
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:  # the client hung up: it gave up waiting, as it should
            self.close_connection = True

    do_HEAD = do_GET = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def dribbling_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dribbling)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


pytestmark = pytest.mark.usefixtures("no_internet")


def test_a_server_that_answers_a_byte_a_second_is_dead_after_the_timeout(dribbling_server):
    url = f"http://127.0.0.1:{dribbling_server}/rp/nl"
    done: list[Any] = []
    worker = threading.Thread(
        target=lambda: done.extend(check_links([url], CheckSettings(timeout=0.5, retries=1,
                                                                    backoff=0.0))),
        daemon=True,
    )
    started = time.monotonic()
    worker.start()
    worker.join(timeout=15)
    assert done, "the check never ended"
    [result] = done
    assert result.status == "dead" and result.code is None
    assert result.error == "no answer from 127.0.0.1 within 0.5 s"
    assert result.attempts == 2 and time.monotonic() - started < 5  # a try, and one again


class _PlainHttpInTime(DeadlineAdapter):
    """https://127.0.0.1:<port>/... to the plain-HTTP test server (campaign files take only
    https addresses), with bluekit's deadline."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = "http://" + str(request.url).removeprefix("https://")
        return super().send(request, **kwargs)


def test_links_ends_and_names_the_address_that_dribbles(
    runner, write_campaign, dribbling_server, monkeypatch
) -> None:
    base = f"https://127.0.0.1:{dribbling_server}"
    real = links_http.new_session

    def session(settings: CheckSettings) -> requests.Session:
        s = real(settings)
        s.mount(base, _PlainHttpInTime())
        return s

    monkeypatch.setattr(links_http, "new_session", session)
    campaign = write_campaign(lambda data: data.update(_localise(data, base)))
    started = time.monotonic()
    result = runner.invoke(app, ["links", str(campaign), "--json", "--timeout", "2",
                                 "--retries", "0", "--workers", "8"])
    assert time.monotonic() - started < 30  # it never ended
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    dead = {r["url"].split("?")[0] for r in report["links"] if r["status"] == "dead"}
    assert dead == {f"{base}/rp/nl"}, dead
    assert all(r["error"] == "no answer from 127.0.0.1 within 2 s"
               for r in report["links"] if r["status"] == "dead")
