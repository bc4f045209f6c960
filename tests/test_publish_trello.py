"""Publishing on Trello, against a Trello of the tests' own (tests/trello_fake.py) served over
HTTPS on loopback with a certificate from a test authority (trustme): the sync (nothing twice,
a change updates its card only, a removed post is archived), Trello's limits and errors, and
runs that die halfway."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import ssl
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import trustme
from pytest_httpserver import HTTPServer

from bluekit.cli import app
from bluekit.publish.kit_files import BuiltFile
from bluekit.publish.markdown import escape
from bluekit.publish.rate_limit import RateLimit
from bluekit.publish.trello_api import Credentials, TrelloAuthError, TrelloClient, TrelloError
from bluekit.publish.trello_mapping import BoardBusy, Mapping
from bluekit.publish.trello_plan import (
    Attachment,
    BoardPlan,
    CardPlan,
    ListPlan,
    TrelloLimitError,
    check_limits,
    reference_of,
    with_reference,
)
from bluekit.publish.trello_sync import sync_board
from bluekit.store.database import Store
from bluekit.workflows.publish import publish_trello

from .conftest import CAMPAIGN_2024
from .trello_fake import KEY, TOKEN, Clock, FakeTrello

CREDENTIALS = Credentials(KEY, TOKEN)


@pytest.fixture(scope="session")
def trello_https(tmp_path_factory):
    """One HTTPS server for the session, with a certificate the tests' authority signed."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    bundle = tmp_path_factory.mktemp("authority") / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    yield server, bundle
    server.clear()
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def trello(trello_https, monkeypatch, clock) -> FakeTrello:
    """A new, empty Trello, reached as bluekit reaches the real one (HTTPS, verified)."""
    server, bundle = trello_https
    server.clear()
    fake = FakeTrello(clock)
    server.expect_request(re.compile(r"^/1/")).respond_with_handler(fake.handle)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("BLUEKIT_TRELLO_API", server.url_for("/1"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return fake


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def client(clock: Clock) -> TrelloClient:
    limit = RateLimit(clock=clock.time, sleep=clock.sleep)
    return TrelloClient(CREDENTIALS, api=os.environ["BLUEKIT_TRELLO_API"], limit=limit,
                        sleep=clock.sleep)


# --- a small board, made by hand ---------------------------------------------------------------


def built(tmp_path: Path, name: str, content: bytes) -> BuiltFile:
    path = tmp_path / "kit" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return BuiltFile(f"social/{name}", path, hashlib.sha256(content).hexdigest(), len(content))


def card(key: str, text: str, files: list[BuiltFile], due: str | None = None) -> CardPlan:
    attachments = tuple(Attachment(f.path.rsplit("/", 1)[-1], f, "image/png") for f in files)
    return CardPlan(key=key, list_key=key.split("/")[0], name=f"Card {key}",
                    desc=with_reference(key, text), due=due, pos=1000 + len(key),
                    attachments=attachments, cover=attachments[0].name if attachments else None)


def small_plan(tmp_path: Path, **texts: str) -> BoardPlan:
    texts = {"first": "Eerste bericht #EndHumanTrafficking", "second": "Deuxième message",
             **texts}
    image = built(tmp_path, "feed.png", b"\x89PNG feed image")
    cards = [card(f"nl/x/{key}", text, [image], "2024-07-30T07:00:00.000Z")
             for key, text in texts.items() if text]
    return BoardPlan("Blue Heart 2024", (ListPlan("nl", "Nederlands"),), tuple(cards))


def publish(plan: BoardPlan, store: Store, clock: Clock, **options):
    return sync_board(plan, Mapping(store, plan.name), client(clock), dry_run=False, **options)


def test_publishing_makes_the_board_its_lists_and_a_card_per_post(trello, store, clock, tmp_path):
    report = publish(small_plan(tmp_path), store, clock)
    [board] = trello.boards.values()
    assert board["name"] == "Blue Heart 2024" and board["prefs"]["permissionLevel"] == "private"
    assert [li["name"] for li in trello.lists.values()] == ["Nederlands"]  # no To Do, Doing...
    cards = sorted(trello.cards.values(), key=lambda c: c["name"])
    assert [reference_of(c["desc"]) for c in cards] == ["nl/x/first", "nl/x/second"]
    assert cards[0]["desc"].startswith("Eerste bericht #EndHumanTrafficking")
    assert cards[0]["due"] == "2024-07-30T07:00:00.000Z"
    [attachment] = cards[0]["attachments"]
    assert attachment["content"] == b"\x89PNG feed image" and attachment["name"] == "feed.png"
    assert cards[0]["idAttachmentCover"] == attachment["id"]
    assert [c.action for c in report.cards] == ["create", "create"]
    assert report.board_action == "create" and trello.over_limit == 0


def test_a_second_run_with_nothing_changed_changes_nothing(trello, store, clock, tmp_path):
    publish(small_plan(tmp_path), store, clock)
    before = len(trello.log)
    report = publish(small_plan(tmp_path), store, clock)
    assert trello.log[before:] == [("GET", trello.log[before][1])]  # one look at the board
    assert [c.action for c in report.cards] == ["unchanged", "unchanged"]


def test_a_changed_text_updates_that_card_only(trello, store, clock, tmp_path):
    publish(small_plan(tmp_path), store, clock)
    second = next(c for c in trello.cards.values() if "Deuxième" in c["desc"])
    before = len(trello.writes())
    report = publish(small_plan(tmp_path, second="Deuxième message, corrigé"), store, clock)
    assert trello.writes()[before:] == [("PUT", f"/1/cards/{second['id']}")]
    assert second["desc"].startswith("Deuxième message, corrigé")
    assert {c.key: (c.action, c.changes) for c in report.cards} == {
        "nl/x/first": ("unchanged", []), "nl/x/second": ("update", ["text"])}


def test_a_changed_image_replaces_that_attachment_only(trello, store, clock, tmp_path):
    publish(small_plan(tmp_path), store, clock)
    (tmp_path / "kit").rename(tmp_path / "old-kit")
    first = next(c for c in trello.cards.values() if "Eerste" in c["desc"])
    old = first["attachments"][0]["id"]
    plan = small_plan(tmp_path)
    new_image = built(tmp_path, "feed.png", b"\x89PNG a new feed image")
    changed = [card("nl/x/first", "Eerste bericht #EndHumanTrafficking", [new_image],
                    "2024-07-30T07:00:00.000Z"), plan.cards[1]]
    before = len(trello.writes())
    report = publish(BoardPlan(plan.name, plan.lists, tuple(changed)), store, clock)
    assert trello.writes()[before:] == [
        ("POST", f"/1/cards/{first['id']}/attachments"),
        ("DELETE", f"/1/cards/{first['id']}/attachments/{old}"),
    ]
    [attachment] = first["attachments"]
    assert attachment["content"] == b"\x89PNG a new feed image"
    assert report.cards[0].changes == ["new feed.png"] and report.cards[1].action == "unchanged"


def test_a_post_taken_out_of_the_campaign_archives_its_card(trello, store, clock, tmp_path):
    publish(small_plan(tmp_path), store, clock)
    report = publish(small_plan(tmp_path, second=""), store, clock)
    second = next(c for c in trello.cards.values() if "Deuxième" in c["desc"])
    assert second["closed"] and len(trello.open_cards()) == 1
    assert [(c.key, c.action) for c in report.cards] == [
        ("nl/x/first", "unchanged"), ("nl/x/second", "archive")]
    before = len(trello.writes())
    publish(small_plan(tmp_path, second=""), store, clock)
    assert trello.writes()[before:] == []
    # and back in the campaign: the same card again, not a second one
    report = publish(small_plan(tmp_path), store, clock)
    assert not second["closed"] and len(trello.cards) == 2
    assert report.cards[1].changes == ["restored"]


def test_a_card_deleted_on_trello_is_made_again(trello, store, clock, tmp_path):
    publish(small_plan(tmp_path), store, clock)
    gone = next(c for c in trello.cards.values() if "Eerste" in c["desc"])
    del trello.cards[gone["id"]]
    report = publish(small_plan(tmp_path), store, clock)
    assert report.cards[0].action == "create"
    assert report.cards[0].changes == ["1 file(s)", "it was no longer on the board"]
    assert len(trello.open_cards()) == 2
    assert all(len(c["attachments"]) == 1 for c in trello.open_cards())


def test_a_crash_between_creating_a_card_and_recording_it_makes_no_second_card(
    trello, store, clock, tmp_path, monkeypatch
):
    """Trello made the card, then the run died before it wrote Trello's answer down."""
    real_record = Mapping.record

    def crash(self, key, trello_id, digest, state="live"):
        if key == "card/nl/x/second":
            raise KeyboardInterrupt  # the answer is never recorded
        return real_record(self, key, trello_id, digest, state)

    monkeypatch.setattr(Mapping, "record", crash)
    with pytest.raises(KeyboardInterrupt):
        publish(small_plan(tmp_path), store, clock)
    assert len(trello.cards) == 2
    monkeypatch.setattr(Mapping, "record", real_record)
    report = publish(small_plan(tmp_path), store, clock)
    assert len(trello.cards) == 2  # found by the reference in its description, not made again
    assert [c.action for c in report.cards] == ["unchanged", "found"]
    assert Counter(len(c["attachments"]) for c in trello.cards.values()) == {1: 2}
    before = len(trello.writes())
    publish(small_plan(tmp_path), store, clock)
    assert trello.writes()[before:] == []


def test_a_crash_after_an_upload_makes_no_second_attachment(
    trello, store, clock, tmp_path, monkeypatch
):
    real_record = Mapping.record

    def crash(self, key, trello_id, digest, state="live"):
        if key.startswith("file/nl/x/first/"):
            raise KeyboardInterrupt
        return real_record(self, key, trello_id, digest, state)

    monkeypatch.setattr(Mapping, "record", crash)
    with pytest.raises(KeyboardInterrupt):
        publish(small_plan(tmp_path), store, clock)
    monkeypatch.setattr(Mapping, "record", real_record)
    publish(small_plan(tmp_path), store, clock)
    assert sorted(len(c["attachments"]) for c in trello.cards.values()) == [1, 1]


def test_a_429_storm_is_waited_out_and_nothing_is_made_twice(trello, store, clock, tmp_path):
    trello.storm = 40  # Trello answers 429 to the next 40 requests, whatever the pace
    waits: list[tuple[float, str]] = []
    plan = small_plan(tmp_path)
    limit = RateLimit(clock=clock.time, sleep=clock.sleep)
    api = TrelloClient(CREDENTIALS, api=os.environ["BLUEKIT_TRELLO_API"], limit=limit,
                       sleep=clock.sleep, on_wait=lambda s, why: waits.append((s, why)))
    report = sync_board(plan, Mapping(store, plan.name), api, dry_run=False)
    assert trello.storm == 0 and len(trello.cards) == 2 and len(trello.boards) == 1
    assert sum(1 for _, why in waits if "429" in why) == 40
    assert all(seconds == 10.0 for seconds, why in waits if "429" in why)  # Trello's window
    assert [c.action for c in report.cards] == ["create", "create"]


def test_publishing_keeps_within_100_requests_per_10_seconds(trello, store, clock, tmp_path):
    image = built(tmp_path, "feed.png", b"image")
    cards = tuple(card(f"nl/x/p{n:03}", f"Bericht {n}", [image]) for n in range(120))
    plan = BoardPlan("Blue Heart 2024", (ListPlan("nl", "Nederlands"),), cards)
    started = clock.now
    report = publish(plan, store, clock)
    assert trello.over_limit == 0 and report.requests >= 240  # a card and its image each
    assert clock.now - started >= (report.requests // 100 - 1) * 10


def test_a_wrong_token_is_a_clear_error_that_never_shows_the_token(trello, clock):
    wrong = TrelloClient(Credentials(KEY, "ATTAwrongtoken"), api=os.environ["BLUEKIT_TRELLO_API"])
    with pytest.raises(TrelloAuthError) as refused:
        wrong.get("/members/me/boards")
    assert "401 invalid token" in str(refused.value) and "ATTAwrong" not in str(refused.value)
    bad_key = TrelloClient(Credentials("nokey", TOKEN), api=os.environ["BLUEKIT_TRELLO_API"])
    with pytest.raises(TrelloAuthError, match="invalid key"):
        bad_key.get("/members/me/boards")


def test_trellos_plain_text_errors_are_reported_with_what_trello_said(trello, clock):
    api = client(clock)
    with pytest.raises(TrelloError, match="400 invalid id"):
        api.get("/boards/not-an-id")
    with pytest.raises(TrelloError, match="404 The requested resource was not found"):
        api.get(f"/boards/{'ab' * 12}")
    with pytest.raises(TrelloError, match="400 invalid value for idList"):
        api.post("/cards", {"idList": "c" * 24, "name": "x"})


def test_a_dry_run_reads_the_board_and_changes_nothing(trello, store, clock, tmp_path):
    publish(small_plan(tmp_path), store, clock)
    before = len(trello.writes())
    plan = small_plan(tmp_path, second="Deuxième message, corrigé", third="Nieuw")
    report = sync_board(plan, Mapping(store, plan.name), client(clock), dry_run=True)
    assert trello.writes()[before:] == []
    assert [(c.key, c.action) for c in report.cards] == [
        ("nl/x/first", "unchanged"), ("nl/x/second", "update"), ("nl/x/third", "create")]


def test_a_dry_run_without_key_compares_with_bluekits_record(trello, store, clock, tmp_path):
    publish(small_plan(tmp_path), store, clock)
    plan = small_plan(tmp_path, second="")
    report = sync_board(plan, Mapping(store, plan.name), None, dry_run=True)
    assert report.offline and report.requests == 0
    assert [(c.key, c.action) for c in report.cards] == [
        ("nl/x/first", "unchanged"), ("nl/x/second", "archive")]


def test_two_runs_on_one_board_at_the_same_moment_are_refused(trello, store, clock, tmp_path):
    plan = small_plan(tmp_path)
    with Mapping(store, plan.name).holding(), pytest.raises(BoardBusy, match="another"):
        publish(plan, store, clock)
    assert trello.cards == {}
    publish(plan, store, clock)  # once the other run let go
    assert len(trello.cards) == 2


def test_a_card_with_more_than_100_attachments_is_refused_before_publishing(tmp_path) -> None:
    files = [built(tmp_path, f"image-{n}.png", b"x") for n in range(101)]
    with pytest.raises(TrelloLimitError, match="101 attachments; Trello allows 100"):
        check_limits([card("nl/x/many", "text", files)])


def test_a_text_shows_on_trello_as_written_and_its_links_stay_links() -> None:
    text = "#EndHumanTrafficking *nu* https://www.stopmensenhandel.be/nl?utm_source=x_y 1. stap"
    assert escape(text) == (
        "\\#EndHumanTrafficking \\*nu\\* https://www.stopmensenhandel.be/nl?utm_source=x_y 1. stap"
    )
    assert escape("- lijst\n> citaat") == "\\- lijst\n\\> citaat"


# --- the real kit, end to end ------------------------------------------------------------------


@pytest.fixture
def kit(built_kit) -> Path:
    return built_kit


def test_the_2024_kit_is_published_with_every_post_poster_and_zip(
    trello, store, clock, kit, runner, monkeypatch
):
    report = publish_trello(CAMPAIGN_2024, store, CREDENTIALS, out_dir=kit, dry_run=False,
                            sleep=clock.sleep, clock=clock.time)
    lists = {li["id"]: li["name"] for li in trello.lists.values()}
    assert list(lists.values()) == ["Nederlands", "Français", "Deutsch", "English",
                                    "Drukbestanden · Fichiers d’impression · Druckdateien · "
                                    "Print files"]
    cards = {reference_of(c["desc"]): c for c in trello.cards.values()}
    assert len(cards) == len(trello.cards) == report.count("create")
    instagram = cards["fr/instagram/world-day"]
    assert lists[instagram["idList"]] == "Français"
    assert instagram["name"] == "Instagram · mardi 30 juillet 2024 à 9\u00a0h"
    assert instagram["due"] == "2024-07-30T07:00:00.000Z"  # 09:00 in Brussels, summer time
    assert "**Texte alternatif**\u00a0: " in instagram["desc"]
    assert "Aujourd’hui, c’est la Journée mondiale" in instagram["desc"]
    assert [a["name"] for a in instagram["attachments"]] == [
        "slogan-portrait-1080x1440.png", "slogan-feed-1080x1350.png",
        "slogan-story-1080x1920.png"]
    carousel = cards["fr/instagram/signals-carousel"]["attachments"]
    assert [a["name"] for a in carousel] == [
        f"carousel-{n}-portrait-1080x1440.png" for n in range(1, 6)]
    # every slide's alt text is on the card, not the first one's alone
    slides = cards["fr/instagram/signals-carousel"]["desc"]
    assert all(f"{n}/5\u00a0: " in slides for n in range(1, 6))
    assert [a["name"] for a in cards["fr/linkedin/signals-carousel"]["attachments"]] == [
        "carousel-fr.pdf"]
    assert [a["name"] for a in cards["nl/kit"]["attachments"]] == [
        "blue-heart-2024-nl.zip", "bluekit-social-2024-nl.zip"]
    poster = cards["print/poster-nl-fr"]
    assert poster["name"] == "Tweetalige affiche (Brussel) · Affiche bilingue (Bruxelles)"
    assert [a["name"] for a in poster["attachments"]][:3] == [
        "poster-A4-nl-fr.pdf", "poster-A3-nl-fr.pdf", "poster-A2-nl-fr.pdf"]
    assert (kit / "posters" / "poster-A3-nl-fr.pdf").read_bytes() == poster["attachments"][1][
        "content"]
    assert trello.over_limit == 0
    # the second run, as staff run it: a dry run from the command line reads and changes nothing
    before = len(trello.writes())
    monkeypatch.setenv("BLUEKIT_TRELLO_KEY", KEY)
    monkeypatch.setenv("BLUEKIT_TRELLO_TOKEN", TOKEN)
    result = runner.invoke(app, ["publish", "trello", str(CAMPAIGN_2024), "--out", str(kit),
                                 "--db", store.url.removeprefix("sqlite:///")])
    assert result.exit_code == 0, result.output
    summary = f"0 card(s) to create, 0 to update, 0 to archive, {len(cards)} unchanged"
    assert summary in result.output
    assert "dry run: nothing was changed" in result.output
    assert KEY not in result.output and TOKEN not in result.output
    assert trello.writes()[before:] == []


def test_publishing_an_unbuilt_or_outdated_kit_is_refused(trello, store, tmp_path):
    from bluekit.publish.kit_files import KitNotBuilt

    with pytest.raises(KitNotBuilt, match="run `bluekit build`"):
        publish_trello(CAMPAIGN_2024, store, CREDENTIALS, out_dir=tmp_path / "none")
    assert trello.log == []


def test_a_run_killed_while_trello_makes_a_card_is_completed_without_duplicates(
    trello, store, clock, kit
):
    """A real crash: the publishing process is killed (SIGKILL) while Trello makes its third
    card, so Trello has the card and bluekit never heard of it. The next run finds it."""
    env = {**os.environ, "BLUEKIT_TRELLO_KEY": KEY, "BLUEKIT_TRELLO_TOKEN": TOKEN}
    database = store.url.removeprefix("sqlite:///")
    process = subprocess.Popen(
        [sys.executable, "-m", "bluekit", "publish", "trello", str(CAMPAIGN_2024), "--out",
         str(kit), "--db", database, "--no-dry-run"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    made: list[str] = []

    def kill_on_third(card: dict) -> None:
        made.append(card["id"])
        if len(made) == 3:
            os.kill(process.pid, signal.SIGKILL)

    trello.on_create_card = kill_on_third
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL and len(made) == 3
    trello.on_create_card = None
    report = publish_trello(CAMPAIGN_2024, store, CREDENTIALS, out_dir=kit, dry_run=False,
                            sleep=clock.sleep, clock=clock.time)
    references = Counter(reference_of(c["desc"]) for c in trello.cards.values())
    assert set(references.values()) == {1}  # every card once
    assert report.count("found") == 1 and report.count("create") == len(references) - 3
    assert all(len(c["attachments"]) == len({a["name"] for a in c["attachments"]})
               for c in trello.cards.values())


def test_publishing_without_key_and_token_outside_a_terminal_says_how_to_give_them(
    runner, monkeypatch, kit
) -> None:
    monkeypatch.delenv("BLUEKIT_TRELLO_KEY", raising=False)
    monkeypatch.delenv("BLUEKIT_TRELLO_TOKEN", raising=False)
    result = runner.invoke(app, ["publish", "trello", str(CAMPAIGN_2024), "--out", str(kit),
                                 "--no-dry-run"])
    assert result.exit_code == 2
    assert "no Trello key and token: set BLUEKIT_TRELLO_KEY and BLUEKIT_TRELLO_TOKEN" in (
        result.output)


def test_a_refused_token_ends_the_command_with_one_line_and_never_shows_it(
    trello, runner, monkeypatch, kit, tmp_path
) -> None:
    monkeypatch.setenv("BLUEKIT_TRELLO_KEY", KEY)
    monkeypatch.setenv("BLUEKIT_TRELLO_TOKEN", "ATTAexpiredtoken0123")
    result = runner.invoke(app, ["publish", "trello", str(CAMPAIGN_2024), "--out", str(kit),
                                 "--db", str(tmp_path / "state.db"), "--no-dry-run"])
    assert result.exit_code == 2
    assert "error: Trello refused the key or token (401 invalid token)" in result.output
    assert "ATTAexpired" not in result.output and KEY not in result.output
    assert "Traceback" not in result.output and trello.cards == {}


def test_a_database_of_schema_version_3_gains_the_record_of_the_boards(empty_db_url) -> None:
    import sqlalchemy as sa

    from bluekit.store.upgrade import upgrade

    old = Store(empty_db_url, upgrade=False)
    with old.transaction() as db:  # a database of schema version 3, as bluekit left it before
        upgrade(db, old.state(), "0003")
    assert Store(empty_db_url).state().current  # brought to the newest revision
    with Store(empty_db_url).engine.connect() as db:
        assert sa.inspect(db).has_table("trello_items") and sa.inspect(db).has_table("trello_runs")
