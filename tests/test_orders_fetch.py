"""`orders fetch` against a real IMAP server (Dovecot on loopback): only new mail is read, a
message is imported once whatever happens (a second run, a new UIDVALIDITY, a SIGKILL in the
middle of 300), messages are moved only once committed, and replies to the invitations go to
`lighting inbox`; signing in with a password or with an OAuth token (XOAUTH2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage

import imapclient
import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bluekit.cli import app
from bluekit.ledger.lighting_inbox import inbox
from bluekit.ledger.mailbox_fetch import Where, fetch_orders
from bluekit.ledger.orders import list_orders
from bluekit.ledger.review import review_list
from bluekit.mail import journal
from bluekit.mail.imap import ImapSettings, Mailbox, MailboxError
from bluekit.mail.oauth import MicrosoftSignIn, Tenant
from bluekit.mail.token_cache import open_token_cache
from bluekit.store.address import database_url
from bluekit.store.database import Store
from bluekit.store.tables import mailbox_state, orders

from .conftest import CAMPAIGN_2024, ROOT, _free_port
from .identity_provider import IMAP_SCOPE, USER
from .imap_server import PASSWORD, dovecot, introspection_answer
from .mail_servers import identity_provider
from .test_order_intake import CAMPAIGN, filled_form, mail

CHECKS: dict[str, object] = {}  # "introspect": token -> user, set by the OAuth test


@pytest.fixture(scope="module")
def imap():
    web = HTTPServer(host="127.0.0.1", port=_free_port())
    web.start()

    def answer(request: Request) -> Response:
        check = CHECKS.get("introspect") or (lambda token: None)
        body = introspection_answer(request.form.get("token", ""), check)  # type: ignore[arg-type]
        return Response(body, content_type="application/json")

    web.expect_request("/introspect", method="POST").respond_with_handler(answer)
    try:
        with dovecot(_free_port(), f"http://127.0.0.1:{web.port}/introspect") as server:
            yield server
    finally:
        web.stop()


@pytest.fixture
def box_name() -> str:
    return f"teh-{uuid.uuid4().hex[:10]}@just.fgov.be"


def _client(imap, user: str) -> imapclient.IMAPClient:
    client = imapclient.IMAPClient("127.0.0.1", port=imap.port, ssl=False)
    client.login(user, PASSWORD)
    return client


def _append(imap, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
    client = _client(imap, user)
    if not client.folder_exists(folder):
        client.create_folder(folder)
    for raw in messages:
        client.append(folder, raw)
    client.logout()


def _uids(imap, user: str, folder: str) -> list[int]:
    client = _client(imap, user)
    if not client.folder_exists(folder):
        return []
    client.select_folder(folder, readonly=True)
    found = client.search("ALL")
    client.logout()
    return list(found)


def _order(number: int) -> bytes:
    return mail(filled_form("nl", {"PIN-BLUEHEART": str(number % 90 + 1)}),
                message_id=f"<order-{number}@example.org>")


def _fetch(store, imap, user, folder="INBOX", move_to=None):
    settings = ImapSettings("127.0.0.1", user, imap.port, "none", password=PASSWORD)
    with Mailbox(settings) as box:
        return fetch_orders(store, CAMPAIGN, box, Where("127.0.0.1", user, folder),
                            move_to=move_to, by="test")


def test_a_second_fetch_reads_nothing_new_and_a_later_message_is_read(imap, store, box_name):
    _append(imap, box_name, [_order(n) for n in range(3)])
    first = _fetch(store, imap, box_name)
    assert first.read == 3 and len(first.added) == 3 and not first.review
    second = _fetch(store, imap, box_name)
    assert second.read == 0 and not second.added
    _append(imap, box_name, [_order(3)])
    third = _fetch(store, imap, box_name)
    assert third.read == 1 and len(third.added) == 1
    assert len(list_orders(store)) == 4
    with store.engine.connect() as db:
        (state,) = db.execute(sa.select(mailbox_state)).all()
    assert state.mailbox == box_name and state.folder == "INBOX" and state.last_uid == 4


def test_fetching_leaves_the_messages_unread(imap, store, box_name) -> None:
    _append(imap, box_name, [_order(1)])
    _fetch(store, imap, box_name)
    client = _client(imap, box_name)
    client.select_folder("INBOX", readonly=True)
    flags = client.get_flags(client.search("ALL"))
    assert all(b"\\Seen" not in f for f in flags.values())


def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(imap, store, box_name):
    _append(imap, box_name, [_order(1), _order(2)], folder="Bestellingen")
    assert len(_fetch(store, imap, box_name, "Bestellingen").added) == 2
    client = _client(imap, box_name)  # the folder made anew: new UIDVALIDITY, UIDs from 1
    client.delete_folder("Bestellingen")
    client.logout()
    _append(imap, box_name, [_order(1), _order(2), _order(3)], folder="Bestellingen")
    again = _fetch(store, imap, box_name, "Bestellingen")
    assert again.renumbered and again.read == 3
    assert len(again.added) == 1 and len(again.already) == 2
    assert len(list_orders(store)) == 3


def test_move_to_moves_each_message_once_it_is_imported(imap, store, box_name) -> None:
    unreadable = mail("Dag, mogen we affiches? Groeten", message_id="<question@example.org>")
    _append(imap, box_name, [_order(1), unreadable, _order(2)])
    report = _fetch(store, imap, box_name, move_to="Verwerkt")
    assert len(report.added) == 2 and len(report.review) == 1 and report.moved == 3
    assert _uids(imap, box_name, "INBOX") == [] and len(_uids(imap, box_name, "Verwerkt")) == 3
    assert len(review_list(store, 2024)) == 1  # not dropped: moved and kept for review


def test_replies_to_the_invitations_are_listed_by_lighting_inbox(
    imap, store, box_name, runner
) -> None:
    journal.mark_sent(store, journal.Key(2024, "invitation", "34022"), "stad@kortrijk.be",
                      "<invitation-34022@bluekit.test>", "sent in a test")
    reply = EmailMessage()
    reply["From"] = "Schepen <schepen@kortrijk.be>"
    reply["Subject"] = "RE: Blue Heart 2024 – uitnodiging"
    reply["Message-ID"] = "<reply-1@kortrijk.be>"
    reply["In-Reply-To"] = "<invitation-34022@bluekit.test>"
    reply["Date"] = "Thu, 20 Jun 2024 10:15:00 +0200"
    reply.set_content("Wij doen mee: het stadhuis kleurt blauw van 21 tot 1 uur.")
    _append(imap, box_name, [bytes(reply), _order(1)])
    report = _fetch(store, imap, box_name)
    assert report.replies == ["34022"] and len(report.added) == 1 and not report.review
    listed = runner.invoke(app, ["lighting", "inbox", str(CAMPAIGN_2024), "--db", store.url])
    assert listed.exit_code == 0, listed.output
    assert "34022 Kortrijk (Courtrai) - schepen@kortrijk.be" in listed.output
    assert "het stadhuis kleurt blauw" in listed.output
    assert f"bluekit lighting record {CAMPAIGN_2024} 34022 --accepted" in listed.output
    recorded = runner.invoke(app, ["lighting", "record", str(CAMPAIGN_2024), "34022",
                                   "--accepted", "--building", "Stadhuis", "--db", store.url])
    assert recorded.exit_code == 0, recorded.output
    assert inbox(store, 2024) == [] and len(inbox(store, 2024, recorded=True)) == 1
    assert _fetch(store, imap, box_name).read == 0


def test_a_wrong_password_names_oauth_for_microsoft_365(imap, box_name) -> None:
    settings = ImapSettings("127.0.0.1", box_name, imap.port, "none", password="wrong")
    with pytest.raises(MailboxError) as caught, Mailbox(settings):
        pass
    assert "refused the password sign-in" in str(caught.value)
    assert "--auth oauth" in caught.value.hint and "wrong" not in str(caught.value)


def test_the_mailbox_is_read_with_an_oauth_token(imap, store, tmp_path, monkeypatch) -> None:
    with identity_provider(tmp_path, monkeypatch) as provider:
        def holder(token: str) -> str | None:
            return USER if provider.valid(token, USER, IMAP_SCOPE) else None

        CHECKS["introspect"] = holder
        try:
            sign_in = MicrosoftSignIn(Tenant.from_options(None, None), open_token_cache())
            sign_in.login(device_code=True, user=None, show=lambda text: None)
            _append(imap, USER, [_order(7)])
            settings = ImapSettings("127.0.0.1", USER, imap.port, "none",
                                    tokens=sign_in.source(USER))
            with Mailbox(settings) as box:
                report = fetch_orders(store, CAMPAIGN, box, Where("127.0.0.1", USER))
            assert len(report.added) == 1
            provider.expire_all()
            with pytest.raises(MailboxError) as caught, Mailbox(settings):
                pass
            assert "OAuth" in str(caught.value) and "bluekit auth login" in caught.value.hint
        finally:
            CHECKS.pop("introspect", None)


def _count(url: str) -> int:
    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(orders)).scalar() or 0)
    except sa.exc.OperationalError:  # not created yet
        return 0
    finally:
        engine.dispose()


def test_a_fetch_of_300_killed_half_way_completes_once_on_the_next_run(imap, box_name, db_url):
    _append(imap, box_name, [_order(n) for n in range(300)])
    command = [sys.executable, "-m", "bluekit", "orders", "fetch", str(CAMPAIGN_2024),
               "--host", "127.0.0.1", "--port", str(imap.port), "--security", "none",
               "--mailbox", box_name, "--move-to", "Verwerkt", "--db", db_url]
    env = {**os.environ, "BLUEKIT_IMAP_PASSWORD": PASSWORD}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _count(db_url) < 60 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    at_kill = _count(db_url)
    assert 60 <= at_kill < 300, "the fetch must be killed in the middle"
    store = Store(db_url)
    committed = {o.source_ref for o in list_orders(store)}
    client = _client(imap, box_name)
    client.select_folder("Verwerkt", readonly=True)
    moved = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    moved_ids = {d[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip()
                 for d in moved.values()}
    client.logout()
    assert moved_ids <= committed  # nothing was moved before its order was committed
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    refs = [o.source_ref for o in list_orders(store)]
    assert len(refs) == 300 and len(set(refs)) == 300
    assert _uids(imap, box_name, "INBOX") == [] and len(_uids(imap, box_name, "Verwerkt")) == 300


def test_a_version_4_database_gains_the_mailbox_tables(empty_db_url) -> None:
    from bluekit.store.upgrade import upgrade

    old = Store(empty_db_url, upgrade=False)
    with old.transaction() as db:  # as bluekit left it before `orders fetch`
        upgrade(db, old.state(), "0004")
    store = Store(empty_db_url)
    assert store.state().current
    with store.engine.connect() as db:
        assert sa.inspect(db).has_table("mailbox_state")
        assert sa.inspect(db).has_table("lighting_inbox")


def test_two_fetches_at_the_same_moment_import_and_move_each_message_once(imap, box_name, db_url):
    _append(imap, box_name, [_order(n) for n in range(100)])
    command = [sys.executable, "-m", "bluekit", "orders", "fetch", str(CAMPAIGN_2024),
               "--host", "127.0.0.1", "--port", str(imap.port), "--security", "none",
               "--mailbox", box_name, "--move-to", "Verwerkt", "--db", db_url]
    env = {**os.environ, "BLUEKIT_IMAP_PASSWORD": PASSWORD}
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    refs = [o.source_ref for o in list_orders(Store(db_url))]
    assert len(refs) == 100 and len(set(refs)) == 100
    assert _uids(imap, box_name, "INBOX") == [] and len(_uids(imap, box_name, "Verwerkt")) == 100
