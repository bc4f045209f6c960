"""The link check, against a real HTTP server on localhost (pytest-httpserver).

No test reaches the internet: name lookups of anything but localhost fail (see `no_internet`),
and the campaign files used here point every address at the local server.
"""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from werkzeug import Request, Response

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.kit.social import SocialOptions, plan_social
from bluekit.links import check as links
from bluekit.links import http as links_http
from bluekit.links.check import check_links
from bluekit.links.collect import Link, collect_links, load_links
from bluekit.links.settings import CheckSettings

from .conftest import CAMPAIGN_2024, line_of

# Short waits: the whole file must run in a few seconds.
FAST = CheckSettings(timeout=2.0, retries=2, backoff=0.0, max_retry_after=0.05, workers=4)


pytestmark = pytest.mark.usefixtures("no_internet")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(url: str, settings: CheckSettings = FAST) -> links.LinkResult:
    [result] = check_links([url], settings)
    return result


# --- checking one address -----------------------------------------------------------------


def test_a_page_that_answers_200_is_ok(httpserver) -> None:
    httpserver.expect_request("/nl").respond_with_data("meldpunt")
    result = check(httpserver.url_for("/nl"))
    assert (result.status, result.code, result.method) == ("ok", 200, "HEAD")
    assert result.final_url == httpserver.url_for("/nl") and not result.redirects
    assert result.elapsed < 2


def test_the_request_names_bluekit_as_user_agent(httpserver) -> None:
    httpserver.expect_request("/nl").respond_with_data("meldpunt")
    check(httpserver.url_for("/nl"))
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("bluekit/")


def test_a_permanent_redirect_is_followed_and_suggests_the_new_address(httpserver) -> None:
    new = httpserver.url_for("/nl/")
    httpserver.expect_request("/nl").respond_with_data("", status=301, headers={"Location": new})
    httpserver.expect_request("/nl/").respond_with_data("meldpunt")
    result = check(httpserver.url_for("/nl"))
    assert (result.status, result.code) == ("redirected", 200)
    assert [(hop.code, hop.location) for hop in result.redirects] == [(301, new)]
    assert result.final_url == new and result.suggestion == new


def test_a_temporary_redirect_suggests_nothing(httpserver) -> None:
    httpserver.expect_request("/nl").respond_with_data("", status=302, headers={"Location": "/x"})
    httpserver.expect_request("/x").respond_with_data("campaign page")
    result = check(httpserver.url_for("/nl"))
    assert result.status == "redirected" and result.suggestion is None
    assert result.final_url == httpserver.url_for("/x")  # a relative Location is resolved


def test_the_suggestion_for_a_qr_target_leaves_out_the_tracking_parameters(httpserver) -> None:
    address = httpserver.url_for("/nl")
    tracked = f"{address}?utm_source=poster&utm_medium=print"

    def moved(request: Request) -> Response:
        return Response("", 301, {"Location": f"{address}/?{request.query_string.decode()}"})

    httpserver.expect_request("/nl").respond_with_handler(moved)
    httpserver.expect_request("/nl/").respond_with_data("meldpunt")
    [result] = check_links([Link(tracked, address)], FAST)
    assert result.status == "redirected"
    assert result.suggestion == f"{address}/"  # what to write in the campaign file
    assert not result.note  # the tracking parameters survived the redirect


def test_a_redirect_that_drops_the_tracking_parameters_is_pointed_out(httpserver) -> None:
    address = httpserver.url_for("/nl")
    httpserver.expect_request("/nl").respond_with_data(
        "", status=301, headers={"Location": f"{address}/"}
    )
    httpserver.expect_request("/nl/").respond_with_data("meldpunt")
    [result] = check_links([Link(f"{address}?utm_source=poster", address)], FAST)
    assert "utm_source" in result.note and "not be counted" in result.note


def test_a_404_is_dead(httpserver) -> None:
    httpserver.expect_request("/gone").respond_with_data("not here", status=404)
    result = check(httpserver.url_for("/gone"))
    assert (result.status, result.code) == ("dead", 404)
    assert result.error == "HTTP 404 Not Found"
    assert result.method == "GET"  # a HEAD error is confirmed with GET before calling it dead


def test_a_head_refused_with_405_is_asked_again_with_get(httpserver) -> None:
    httpserver.expect_request("/nl", method="HEAD").respond_with_data("", status=405)
    httpserver.expect_request("/nl", method="GET").respond_with_data("meldpunt")
    result = check(httpserver.url_for("/nl"))
    assert (result.status, result.code, result.method) == ("ok", 200, "GET")
    assert [request.method for request, _ in httpserver.log] == ["HEAD", "GET"]


def test_a_server_error_is_retried_with_back_off_until_it_answers(httpserver) -> None:
    for _ in range(2):
        httpserver.expect_oneshot_request("/busy").respond_with_data("busy", status=503)
    httpserver.expect_request("/busy").respond_with_data("meldpunt")
    result = check(httpserver.url_for("/busy"))
    assert (result.status, result.code, result.attempts) == ("ok", 200, 3)


def test_a_server_error_that_lasts_is_dead_after_the_retries(httpserver) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=503)
    result = check(httpserver.url_for("/down"), CheckSettings(retries=1, backoff=0.0))
    assert (result.status, result.code, result.attempts) == ("dead", 503, 2)
    assert "after 2 attempts" in result.error


def test_retry_after_is_honoured_only_up_to_the_cap(httpserver) -> None:
    httpserver.expect_oneshot_request("/slow-down").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_request("/slow-down").respond_with_data("meldpunt")
    start = time.monotonic()
    result = check(httpserver.url_for("/slow-down"))
    assert result.status == "ok" and result.attempts == 2
    assert time.monotonic() - start < 1  # capped at max_retry_after, not an hour


def test_a_page_that_does_not_answer_in_time_is_dead(httpserver) -> None:
    def sleepy(request: Request) -> Response:
        time.sleep(0.4)
        return Response("too late")

    httpserver.expect_request("/slow").respond_with_handler(sleepy)
    settings = CheckSettings(timeout=0.15, retries=1, backoff=0.0)
    result = check(httpserver.url_for("/slow"), settings)
    assert result.status == "dead" and result.code is None
    assert "no answer from localhost within 0.15 s" in result.error
    assert result.attempts == 2  # a time-out is worth one more try


def test_a_refused_connection_is_dead_at_once() -> None:
    result = check(f"http://127.0.0.1:{_closed_port()}/nl")
    assert result.status == "dead" and result.code is None
    assert result.error == "connection refused by 127.0.0.1"
    assert result.attempts == 1 and result.elapsed < 1  # a refusal is an answer: no retries


def test_an_unknown_host_is_looked_up_once_for_all_its_addresses() -> None:
    results = check_links([f"https://www.no-such-host.be/{n}" for n in range(5)], FAST)
    assert {r.status for r in results} == {"dead"}
    assert all(r.error.startswith("host not found: www.no-such-host.be") for r in results)
    assert sum(r.attempts for r in results) == 1


def test_a_redirect_loop_is_dead(httpserver) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=301, headers={"Location": "/a"})
    result = check(httpserver.url_for("/a"))
    assert result.status == "dead" and len(result.redirects) == 2
    assert result.error.startswith("redirect loop: ") and result.error.endswith("/a")


def test_too_many_redirects_are_dead(httpserver) -> None:
    def onwards(request: Request) -> Response:
        n = int(request.path.rsplit("/", 1)[1])
        return Response("", 302, {"Location": f"/hop/{n + 1}"})

    httpserver.expect_request(re.compile(r"^/hop/\d+$")).respond_with_handler(onwards)
    result = check(httpserver.url_for("/hop/0"), CheckSettings(max_redirects=3, backoff=0.0))
    assert result.status == "dead" and result.error == "more than 3 redirects"


def test_results_come_back_in_the_order_of_the_links(httpserver) -> None:
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    httpserver.expect_request(re.compile("^/ok")).respond_with_data("ok")
    urls = [httpserver.url_for(p) for p in ("/ok1", "/gone", "/ok2", "/ok3", "/ok4", "/ok5")]
    results = check_links(urls, FAST)
    assert [r.url for r in results] == urls
    assert [r.status for r in results] == ["ok", "dead", "ok", "ok", "ok", "ok"]


# --- what is checked ----------------------------------------------------------------------


def test_collection_finds_the_qr_targets_with_their_tracking_parameters_and_line() -> None:
    found = load_links(CAMPAIGN_2024)
    qr = [link for link in found if link.is_qr_target]
    # nl, fr, de, en, nl-fr in A4, A3, A2, on screen and on the web, and the carousel's last
    # slide in each language
    assert len(qr) == 5 * 5 + 4
    carousel = [link for link in qr if "utm_source=carousel" in link.url]
    assert {link.usages[0].posters for link in carousel} == {
        (f"social/{lang}/images/carousel-5-portrait-1080x1440.png",)
        for lang in ("nl", "fr", "de", "en")}
    [a3] = [link for link in qr if "utm_content=nl-a3" in link.url]
    query = parse_qs(urlsplit(a3.url).query)
    assert a3.url.startswith("https://www.stopmensenhandel.be/nl?")
    assert query == {
        "utm_source": ["poster"],
        "utm_medium": ["print"],
        "utm_campaign": ["blueheart2024"],
        "utm_content": ["nl-a3"],
    }
    [usage] = a3.usages
    assert usage.field == "reporting_point.url.nl"
    assert usage.location.path == CAMPAIGN_2024
    assert usage.location.line == line_of(CAMPAIGN_2024, "nl: https://www.stopmensenhandel.be/nl")
    assert usage.posters == tuple(f"posters/poster-A3-nl.{f}" for f in ("pdf", "png", "jpg"))
    assert a3.address == "https://www.stopmensenhandel.be/nl"


def test_the_posters_named_are_the_files_the_build_makes() -> None:
    found = load_links(CAMPAIGN_2024)
    campaign = load_campaign(CAMPAIGN_2024)
    planned = {p.path for p in plan_posters(campaign, PosterOptions())}
    slides = {p.path for p in plan_social(campaign, SocialOptions())
              if p.path.endswith("/carousel-5-portrait-1080x1440.png")}
    named = {path for link in found for usage in link.usages for path in usage.posters}
    assert len(slides) == 4 and named == planned | slides


def test_collection_lists_every_address_once_with_all_its_uses() -> None:
    found = load_links(CAMPAIGN_2024)
    urls = [link.url for link in found]
    assert len(urls) == len(set(urls))
    by_url = {link.url: link for link in found}
    assert "https://www.stopmensenhandel.be/fr" in by_url  # the reporting point per language
    assert "https://www.payoke.be" in by_url  # the centres' sites
    assert "https://justice.belgium.be/de" in by_url  # the organisation's site per language
    assert any("utm_source=x&utm_medium=social" in u for u in urls)  # the posts' links
    assert any("utm_source=invitation&utm_medium=email" in u for u in urls)  # the e-mails'
    # The alt texts write www.stopmensenhandel.be; that is the home page of the bilingual poster.
    home = by_url["https://www.stopmensenhandel.be"]
    fields = {usage.field for usage in home.usages}
    assert {"social.image_alt.nl", "social.image_alt_short.en", "reporting_point.url.nl"} <= fields


def test_collection_finds_addresses_written_inside_texts_and_the_kit_address(
    write_campaign,
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["poster"]["lead"]["en"] += " More at https://www.unodc.org/blueheart."
        data["social"]["base_url"] = "https://kit.example.be/2024"

    path = write_campaign(change)
    by_url = {link.url: link for link in load_links(path)}
    [usage] = by_url["https://www.unodc.org/blueheart"].usages  # the full stop is not part of it
    assert usage.field == "poster.lead.en" and usage.what == "mentioned in a text"
    assert usage.location.line == line_of(path, "Worldwide, one in three")  # where the text starts
    assert by_url["https://kit.example.be/2024"].usages[0].field == "social.base_url"
    assert "https://kit.example.be/2024/fr/" in by_url  # the kit's link in the e-mails


def test_collection_without_a_source_names_fields_only() -> None:
    found = collect_links(load_campaign(CAMPAIGN_2024))
    assert found[0].usages[0].location.path is None
    assert found[0].usages[0].field == "reporting_point.url.nl"


# --- the command line ---------------------------------------------------------------------


class _PlainHttp(requests.adapters.HTTPAdapter):
    """Sends https://127.0.0.1:<port>/... to the plain-HTTP test server: campaign files accept
    only https addresses, and the test server has no certificate."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = "http://" + str(request.url).removeprefix("https://")
        return super().send(request, **kwargs)


@pytest.fixture
def local_https(httpserver, monkeypatch: pytest.MonkeyPatch) -> str:
    """The https base address of the local test server."""
    base = f"https://127.0.0.1:{httpserver.port}"
    real = links_http.new_session

    def session(settings: CheckSettings) -> requests.Session:
        s = real(settings)
        s.mount(base, _PlainHttp())
        return s

    monkeypatch.setattr(links_http, "new_session", session)
    return base


def _localise(data: Any, base: str) -> Any:
    """Every address of the campaign moved to the test server, keeping its kind in the path."""
    rp = data["reporting_point"]
    rp["url"] = {lang: f"{base}/rp/{lang}" for lang in rp["url"]}
    for i, centre in enumerate(data["centres"]):
        centre["website"] = f"{base}/centre/{i}"
    org = data["organisation"]
    org["website"] = {lang: f"{base}/org/{lang}" for lang in org["website"]}
    data["invitation"].pop("contacts_file", None)  # not copied next to the campaign file

    def texts(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: texts(v) for k, v in value.items()}
        if isinstance(value, list):
            return [texts(v) for v in value]
        if isinstance(value, str):
            return value.replace("www.stopmensenhandel.be", base)  # as long: alt texts fit
        return value

    return texts(data)


@pytest.fixture
def local_campaign(write_campaign, local_https: str) -> Path:
    """The 2024 campaign with every address on the local server."""

    def change(data: dict[str, Any]) -> None:
        data.update(_localise(data, local_https))

    return write_campaign(change)


def test_links_json_reports_each_address_and_exits_1_on_a_dead_one(
    runner, httpserver, local_campaign: Path, local_https: str
) -> None:
    httpserver.expect_request("/centre/1").respond_with_data("gone", status=404)
    httpserver.expect_request(re.compile("^/")).respond_with_data("ok")
    result = runner.invoke(app, ["links", str(local_campaign), "--json", "--backoff", "0"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["dead"] == 1 and data["summary"]["ok"] == data["summary"]["checked"] - 1
    [dead] = [link for link in data["links"] if link["status"] == "dead"]
    assert dead["url"] == f"{local_https}/centre/1" and dead["code"] == 404
    [used] = dead["used"]
    assert used["field"] == "centres[1].website" and used["what"] == "website of Payoke"
    assert used["line"] == line_of(local_campaign, f"{local_https}/centre/1")
    qr = [link for link in data["links"] if link["qr_target"]]
    assert len(qr) == 29 and all(link["status"] == "ok" for link in qr)


def test_links_table_names_where_a_dead_address_is_used(
    runner, httpserver, local_campaign: Path, local_https: str
) -> None:
    httpserver.expect_request("/rp/de").respond_with_data("gone", status=410)
    httpserver.expect_request(re.compile("^/")).respond_with_data("ok")
    result = runner.invoke(app, ["links", str(local_campaign), "--backoff", "0"])
    assert result.exit_code == 1
    line = line_of(local_campaign, f"{local_https}/rp/de")
    assert f"{local_campaign}:{line}:" in result.stdout
    assert "QR code of poster A2 de (posters/poster-A2-de.pdf" in result.stdout
    assert "HTTP 410 Gone" in result.stdout
    # The page itself, its 5 QR codes, the carousel's, the links of its posts on 7 platforms and
    # of the e-mails.
    assert "15 dead" in result.stderr


def test_links_exits_0_when_every_address_works(runner, httpserver, local_campaign: Path) -> None:
    httpserver.expect_request(re.compile("^/")).respond_with_data("ok")
    result = runner.invoke(app, ["links", str(local_campaign)])
    assert result.exit_code == 0, result.output
    assert "0 dead" in result.stdout


def test_links_help_has_an_example(runner) -> None:
    result = runner.invoke(app, ["links", "--help"])
    assert result.exit_code == 0 and "Example: bluekit links" in result.output


def test_links_of_an_invalid_campaign_exits_1_before_asking_anything(
    runner, write_campaign, httpserver
) -> None:
    path = write_campaign(lambda d: d["centres"][0].__setitem__("website", "http://x.be"))
    result = runner.invoke(app, ["links", str(path)])
    assert result.exit_code == 1 and "centres[0].website" in result.output
    assert not httpserver.log


# --- build --check-links / --offline ------------------------------------------------------


def test_build_check_links_refuses_while_a_qr_target_is_dead_and_writes_nothing(
    runner, httpserver, local_campaign: Path, local_https: str, tmp_path: Path
) -> None:
    httpserver.expect_request("/rp/nl").respond_with_data("gone", status=404)
    httpserver.expect_request(re.compile("^/")).respond_with_data("ok")
    out = tmp_path / "dist"
    result = runner.invoke(app, ["build", str(local_campaign), "--check-links", "--out", str(out)])
    assert result.exit_code == 1, result.output
    # the five posters in Dutch (A4, A3, A2, screen, web) and the carousel's last slide
    assert "6 of the 29 QR code addresses are dead, so nothing was built" in result.output
    assert f"{local_https}/rp/nl?utm_source=poster" in result.output
    line = line_of(local_campaign, f"{local_https}/rp/nl")
    assert f"used at {local_campaign}:{line}:" in result.output
    assert "QR code of poster A3 nl" in result.output
    assert not out.exists()
    # Only the QR codes' addresses were asked for, not the centres or the posts' links.
    assert all("utm_source=poster" in request.url or "utm_source=carousel" in request.url
               for request, _ in httpserver.log)


@pytest.fixture
def no_rendering(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The build's planning and output pipeline replaced by a note of where it would write."""
    from bluekit.pipeline import outputs
    from bluekit.pipeline.report import BuildReport
    from bluekit.workflows import plan

    calls: list[Path] = []

    def write_outputs(planned: Any, out_dir: Path, **kwargs: Any) -> BuildReport:
        calls.append(out_dir)
        return BuildReport()

    # the command imports them as it runs
    monkeypatch.setattr(plan, "plan_build", lambda *args, **kwargs: [])
    monkeypatch.setattr(outputs, "write_outputs", write_outputs)
    return calls


def test_build_check_links_goes_on_when_every_qr_target_works(
    runner, httpserver, local_campaign: Path, no_rendering: list[Path], tmp_path: Path
) -> None:
    httpserver.expect_request(re.compile("^/")).respond_with_data("ok")
    result = runner.invoke(
        app, ["build", str(local_campaign), "--check-links", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "links: every QR code address works" in result.stderr
    assert no_rendering == [tmp_path]


def test_build_offline_says_it_did_not_check(
    runner, httpserver, local_campaign: Path, no_rendering: list[Path], tmp_path: Path
) -> None:
    result = runner.invoke(app, ["build", str(local_campaign), "--offline", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "links: not checked (--offline)" in result.stderr
    assert no_rendering == [tmp_path] and not httpserver.log


def test_build_checks_nothing_by_default(
    runner, httpserver, local_campaign: Path, no_rendering: list[Path], tmp_path: Path
) -> None:
    result = runner.invoke(app, ["build", str(local_campaign), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert no_rendering == [tmp_path] and not httpserver.log


def test_build_refuses_check_links_with_offline(runner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(CAMPAIGN_2024), "--check-links", "--offline"])
    assert result.exit_code == 2 and "contradict" in result.output
