"""Sending when things go wrong: two runs at the same moment, a connection or login that fails,
a run killed while the server has the message, a refusal for good. Real `bluekit` processes
(or the command in this one) against a real SMTP server on localhost (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.kit.invitations.invitees import select_invitees
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.ledger.documents import write_order_documents
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_status import change_status
from bluekit.ledger.orders import NewOrder, Partner, get_order
from bluekit.mail import journal
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import contacts_csv, read_contacts
from bluekit.pipeline.outputs import write_outputs
from bluekit.store.database import Store
from bluekit.store.tables import sends

from .conftest import CAMPAIGN_2024, write_signed_campaign

PASSWORD = "s3cret-pw"
BLUEKIT = [sys.executable, "-m", "bluekit"]
C = str(CAMPAIGN_2024)
# bluekit as on a day between the 2024 reply-by date and World Day, when reminders go out
ON_REMINDER_DAY = [sys.executable, str(Path(__file__).with_name("on_day.py")), "2024-07-15"]


def _invitations(folder: Path, step: int) -> tuple[Path, Path, list[str]]:
    """Every `step`th municipality of Belgium with a contact, and their invitations built,
    signed (bluekit sends no unsigned letter): (contacts file, output folder, the addresses).
    The signed campaign file is `_signed(contacts)`."""
    signed = write_signed_campaign(folder / "signed")
    contacts = folder / "contacts.csv"
    chosen = registry.municipalities()[::step]
    contacts.write_bytes(contacts_csv([
        {"refnis": m.code, "municipality": m.local_name, "email": f"college-{m.code}@example.org",
         "street": "Voorbeeldstraat 1", "postcode": "1000", "city": m.local_name}
        for m in chosen
    ]))
    campaign = load_campaign(signed)
    out = folder / "dist"
    write_outputs(plan_invitations(campaign, select_invitees(campaign, read_contacts(contacts))),
                  out)
    return contacts, out, [f"college-{m.code}@example.org" for m in chosen]


def _signed(contacts: Path) -> Path:
    """The signed copy of the 2024 campaign file that `_invitations` wrote beside its contacts."""
    return contacts.parent / "signed" / "2024.yaml"


@pytest.fixture(scope="module")
def spread(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """Every seventh municipality (81, every region and language), their invitations built."""
    return _invitations(tmp_path_factory.mktemp("spread"), 7)


@pytest.fixture(scope="module")
def everyone(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """All 565 municipalities, their invitations built (about 15 s)."""
    return _invitations(tmp_path_factory.mktemp("everyone"), 1)


def _send(server, db: str, out: Path, contacts: Path, *extra: str,
          command: tuple[str, ...] = ("invitations", "send")) -> list[str]:
    return [*command, str(_signed(contacts)), "--contacts", str(contacts), "--out", str(out),
            "--db", db,
            "--host", "127.0.0.1", "--port", str(server.port), "--security", "none",
            "--user", "campagne@just.fgov.be", "--no-dry-run", "--no-limit", "--rate", "0",
            *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "BLUEKIT_SMTP_PASSWORD": PASSWORD}


def _at_once(*commands: list[str], bluekit: list[str] = BLUEKIT
             ) -> list[subprocess.CompletedProcess[str]]:
    """Run bluekit processes side by side; their results once all have ended."""
    running = [subprocess.Popen([*bluekit, *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, encoding="utf-8", env=_env()) for c in commands]
    results = []
    for process, command in zip(running, commands, strict=True):
        out, err = process.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


def _sent_count(output: str, what: str) -> int:
    found = re.search(rf"sent (\d+) {what}\(s\)", output)
    assert found, output
    return int(found[1])


def _statuses(db: str) -> dict[str, str]:
    with Store(db).engine.connect() as connection:
        return dict(connection.execute(sa.select(sends.c.code, sends.c.status)).all())


# --- two runs at the same moment --------------------------------------------------------------


def _two_sends_at_once(smtp_server, db: str, invitations: tuple[Path, Path, list[str]]) -> None:
    """Two runs send the same invitations at the same moment, then a third: each went once."""
    contacts, out, addresses = invitations
    smtp_server.hold_until_sessions = 2  # each run's first message waits for the other's
    first, second = _at_once(*[_send(smtp_server, db, out, contacts)] * 2)
    for result in (first, second):
        # a run that ends while the other still sends its last message says so, with exit 1
        assert result.returncode in (0, 1), result.stderr
        if result.returncode == 1:
            assert "being sent by another run" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    counts = [_sent_count(r.stdout, "invitation") for r in (first, second)]
    assert min(counts) > 0 and sum(counts) == len(addresses)  # both sent, together all
    assert sorted(smtp_server.recipients()) == sorted(addresses)  # each exactly once
    assert set(_statuses(db).values()) == {"sent"}
    [third] = _at_once(_send(smtp_server, db, out, contacts))
    assert third.returncode == 0, third.stderr
    assert f"already sent before (skipped): {len(addresses)}" in third.stdout
    assert len(smtp_server.messages) == len(addresses)


def test_two_sends_at_the_same_moment_send_each_invitation_once(
    spread, smtp_server, db_url: str
) -> None:
    _two_sends_at_once(smtp_server, db_url, spread)


def test_two_sends_of_all_565_invitations_on_postgresql_send_each_once(
    everyone, smtp_server, postgres_server
) -> None:
    # the team's case at full size, on the shared database (the 81 above run on both backends)
    assert len(everyone[2]) == 565
    name, url = postgres_server.new_database()
    try:
        _two_sends_at_once(smtp_server, url, everyone)
    finally:
        postgres_server.drop_database(name)


def test_two_reminder_runs_at_the_same_moment_remind_each_once(
    spread, smtp_server, db_url: str
) -> None:
    contacts, out, addresses = spread
    db = db_url
    store = Store(db)
    codes = [a.removeprefix("college-").removesuffix("@example.org") for a in addresses]
    for code, address in zip(codes[:20], addresses[:20], strict=True):  # these were invited
        journal.mark_sent(store, journal.Key(2024, "invitation", code), address, f"<{code}@x>",
                          "invited in a test")
    smtp_server.hold_until_sessions = 2
    runs = _at_once(*[_send(smtp_server, db, out, contacts,
                            command=("invitations", "remind"))] * 2, bluekit=ON_REMINDER_DAY)
    assert all(r.returncode in (0, 1) for r in runs), [r.stderr for r in runs]
    assert sum(_sent_count(r.stdout, "reminder") for r in runs) == 20
    assert sorted(smtp_server.recipients()) == sorted(addresses[:20])


def test_two_order_mail_runs_at_the_same_moment_send_each_once(
    smtp_server, db_url: str, tmp_path: Path
) -> None:
    campaign = load_campaign(CAMPAIGN_2024)
    db, out = db_url, tmp_path / "dist"
    store = Store(db)
    orders = []
    for n in range(12):
        partner = Partner(f"Gemeente {n}", "Ann Peeters", f"ann{n}@example.be", "Markt 1",
                          "9000", "Gent", "nl")
        added, _ = add_order(store, campaign, NewOrder(partner, (("PIN-BLUEHEART", 5),)))
        orders.append(change_status(store, campaign, added.number, "confirmed"))
    write_order_documents(campaign, [get_order(store, o.number) for o in orders], out)
    smtp_server.hold_until_sessions = 2
    command = ["orders", "send", C, "--step", "confirmed", "--db", db, "--out", str(out),
               "--host", "127.0.0.1", "--port", str(smtp_server.port), "--security", "none",
               "--user", "teh", "--no-dry-run", "--no-limit", "--rate", "0"]
    runs = _at_once(command, command)
    assert all(r.returncode in (0, 1) for r in runs), [r.stderr for r in runs]
    assert sum(_sent_count(r.stdout, "confirmed e-mail") for r in runs) == 12
    assert sorted(smtp_server.recipients()) == sorted(f"ann{n}@example.be" for n in range(12))


# --- a connection or login that fails ---------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def busy_server():
    """A server that answers every connection "421 busy" and hangs up (as one does when it
    is overloaded, also on a reconnect)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"421 4.3.2 Service not available, closing channel\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


@pytest.mark.parametrize("fault", ["wrong password", "refused", "no starttls", "421 greeting"])
def test_a_connection_or_login_failure_leaves_nothing_uncertain(
    fault, runner, spread, smtp_server, busy_server, db_url: str, monkeypatch
) -> None:
    contacts, out, addresses = spread
    db = db_url
    args = _send(smtp_server, db, out, contacts, "--region", "brussels")
    bad = list(args)
    if fault == "wrong password":
        monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", "wrong-password")
    else:
        monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", PASSWORD)
        port = {"refused": _closed_port(), "421 greeting": busy_server}.get(fault)
        if port:
            bad[bad.index("--port") + 1] = str(port)
        else:
            bad[bad.index("--security") + 1] = "starttls"  # the test server has no TLS
    for _ in range(2):  # each failed run used to leave one more "uncertain"
        failed = runner.invoke(app, bad)
        assert failed.exit_code == 2, failed.output
        assert "Traceback" not in failed.output and "wrong-password" not in failed.output
    assert "sending" not in _statuses(db).values()
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", PASSWORD)
    fixed = runner.invoke(app, args)
    assert fixed.exit_code == 0, fixed.output
    assert "uncertain" not in fixed.output
    brussels = [a for a in addresses if registry.by_code(a[8:13]).region == "brussels"]
    assert sorted(smtp_server.recipients()) == sorted(brussels) and brussels


# --- a run killed while the server has the message -------------------------------------------


def test_a_run_killed_while_the_server_has_the_content_is_uncertain_until_marked_sent(
    runner, spread, smtp_server, db_url: str, monkeypatch
) -> None:
    contacts, out, addresses = spread
    db = db_url
    args = _send(smtp_server, db, out, contacts, "--province", "Luxembourg")
    in_province = {m.code for m in registry.select(province="Luxembourg")}
    luxembourg = [a for a in addresses if a[8:13] in in_province]
    hung = luxembourg[1]
    smtp_server.hang_on = {hung}  # takes the second message and never answers
    process = subprocess.Popen([*BLUEKIT, *args], env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not smtp_server.hung and time.monotonic() < deadline:
        time.sleep(0.01)
    assert smtp_server.hung == [hung]
    process.send_signal(signal.SIGKILL)  # the power cut: the run ends without a word
    process.communicate(timeout=30)
    smtp_server.hang_on = set()
    hung_code = hung[8:13]
    assert _statuses(db)[hung_code] == "sending"
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", PASSWORD)
    again = runner.invoke(app, args)
    assert again.exit_code == 1, again.output  # work left undone: not a success
    assert "uncertain (handed to the server when a run stopped" in again.output
    assert hung_code in again.output and "--mark-sent CODE" in again.output
    assert smtp_server.recipients().count(hung) == 0  # not sent blindly
    marked = runner.invoke(app, [*args, "--mark-sent", hung_code])
    assert marked.exit_code == 0, marked.output
    assert f"{hung_code}: recorded as sent (was: sending); nothing was sent" in marked.output
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert f"already sent before (skipped): {len(luxembourg)}" in done.output
    assert sorted(smtp_server.recipients()) == sorted(set(luxembourg) - {hung})


def test_a_connection_lost_after_the_content_went_out_is_uncertain_not_sent_again(
    runner, spread, smtp_server, db_url: str, monkeypatch
) -> None:
    contacts, out, _ = spread
    db = db_url
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", PASSWORD)
    args = _send(smtp_server, db, out, contacts, "--code", "11001", "--code", "11016",
                 "--timeout", "0.5")
    # the answer to the content never comes: the client gives up after its time-out
    smtp_server.hang_on = {"college-11016@example.org"}
    result = runner.invoke(app, args)
    smtp_server.hang_on = set()
    assert result.exit_code == 1, result.output
    assert "uncertain" in result.output and "11016" in result.output
    assert smtp_server.hung == ["college-11016@example.org"]  # handed over once, not retried
    assert smtp_server.recipients() == ["college-11001@example.org"]
    assert _statuses(db) == {"11016": "sending", "11001": "sent"}


# --- a refusal for good -----------------------------------------------------------------------


def test_a_message_refused_for_good_is_not_sent_again_until_retry_failed(
    runner, spread, smtp_server, db_url: str, monkeypatch
) -> None:
    contacts, out, _ = spread
    db = db_url
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", PASSWORD)
    refused = "college-11016@example.org"
    smtp_server.refuse_content = {refused}  # 554 after DATA
    args = _send(smtp_server, db, out, contacts, "--code", "11001", "--code", "11016")
    first = runner.invoke(app, args)
    assert first.exit_code == 1 and "failed: 11016: 554 5.6.0" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 1, again.output
    assert "refused before, not tried again: 11016: 554" in again.output
    assert smtp_server.refused_content == [refused]  # the content was not submitted again
    smtp_server.refuse_content = set()
    retried = runner.invoke(app, [*args, "--retry-failed"])
    assert retried.exit_code == 0, retried.output
    assert sorted(smtp_server.recipients()) == ["college-11001@example.org", refused]


# --- a journal from an older bluekit ----------------------------------------------------------


def test_a_journal_of_schema_version_5_is_brought_forward(runner, spread, smtp_server,
                                                          empty_db_url: str, monkeypatch) -> None:
    from bluekit.store.upgrade import upgrade

    contacts, out, _ = spread
    db = empty_db_url
    old = Store(db, upgrade=False)
    with old.transaction() as connection:  # as bluekit left it at schema version 5
        upgrade(connection, old.state(), "0005")
        for code, status, error in [("11001", "failed", "451 4.3.0 Try again later"),
                                    ("11016", "failed", "550 5.1.1 No such mailbox")]:
            # the columns of version 5 only (claimed_by and note are not there yet)
            connection.execute(sends.insert().values(
                year=2024, kind="invitation", code=code, email="x@example.org",
                message_id="<x>", status=status, attempts=1, error=error,
                updated_at=dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC)))
    assert Store(db).state().current  # brought to 0006 (and any later revision)
    assert _statuses(db) == {"11001": "deferred", "11016": "failed"}  # 4xx: to try again
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", PASSWORD)
    result = runner.invoke(app, _send(smtp_server, db, out, contacts, "--code", "11001",
                                      "--code", "11016"))
    assert result.exit_code == 1 and "refused before, not tried again: 11016: 550" in result.output
    assert smtp_server.recipients() == ["college-11001@example.org"]
