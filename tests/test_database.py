"""The state database on each backend (an SQLite file, a real PostgreSQL server): the schema's
versions as Alembic revisions, a database from before Alembic or from a newer bluekit, `bluekit
db status | upgrade | copy | export | import`, and a password that is never shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.ledger.lighting import Reply, record
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_status import change_status
from bluekit.ledger.orders import NewOrder, Partner, get_order, list_orders
from bluekit.ledger.review import to_review
from bluekit.ledger.stock import receive
from bluekit.municipalities import registry
from bluekit.store import transfer
from bluekit.store.address import database_url, redacted
from bluekit.store.database import Store, StoreError
from bluekit.store.schema import HEAD, REVISIONS
from bluekit.store.tables import metadata, now, order_events, schema_version, sends
from bluekit.store.upgrade import script_revisions, upgrade

from .conftest import CAMPAIGN_2024
from .postgres_server import PASSWORD

CAMPAIGN = load_campaign(CAMPAIGN_2024)
GENT = Partner("Stad Gent", "Piet De Smet", "piet@stad.gent", "Botermarkt 1", "9000", "Gent",
               "nl", "09 210 10 10")


def fill(store: Store) -> None:
    """A ledger with a row in every table: orders in several steps, stock moves, a reply, a
    journal entry, a review item (with bytes that are no text) dealt with."""
    for n in range(3):
        add_order(store, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", n + 1),
                                                   ("POSTER-A3-NL", 5)), source="email",
                                            source_ref=f"<fill-{n}@example.org>"), by="an")
    change_status(store, CAMPAIGN, "2024-0001", "confirmed", by="bert")
    change_status(store, CAMPAIGN, "2024-0001", "packed", by="bert")
    change_status(store, CAMPAIGN, "2024-0001", "shipped", by="chris", carrier="bpost",
                  tracking="3232")
    change_status(store, CAMPAIGN, "2024-0002", "cancelled", by="an", note="twice")
    receive(store, CAMPAIGN, "PIN-BLUEHEART", 500, by="printer", note="reprint")
    record(store, 2024, Reply(registry.find("Kortrijk"), True, "Stadhuis", "21:00", "01:00"))
    with store.transaction() as db:
        db.execute(sends.insert().values(year=2024, kind="invitation", code="34022",
                                         email="info@kortrijk.be", message_id="<m@x>",
                                         status="sent", attempts=1, updated_at=now()))
    to_review(store, 2024, "<junk@x>", "junk.eml", None, b"\xff\x00 not a mail", "unreadable")
    from bluekit.ledger.review import resolve_review, review_list

    resolve_review(store, review_list(store, 2024)[0].id, by="an", note="spam")


def rows_of(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, as the export writes them (times in UTC, bytes encoded)."""
    with store.reading() as db:
        return {
            t.name: [tuple(transfer._to_json(row[c.name], c) for c in t.columns)
                     for chunk in transfer._rows(db, t) for row in chunk]
            for t in transfer.TABLES
        }


# --- the schema and its versions ------------------------------------------------------------------


def test_the_revisions_are_the_schema_versions_in_order() -> None:
    numbers = [f"{n:04d}" for n in range(1, len(REVISIONS) + 1)]
    assert script_revisions() == list(REVISIONS) == numbers


def test_the_revisions_make_exactly_the_tables_bluekit_defines(empty_db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = Store(empty_db_url)
    with store.reading() as db:
        context = MigrationContext.configure(db, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    if store.backend == "sqlite":  # SQLite keeps a VARCHAR's length only as a word
        differences = [d for d in differences
                       if not (isinstance(d, list) and d[0][0] == "modify_type"
                               and d[0][2:4] == ("sends", "code"))]
    assert differences == []
    with store.reading() as db:
        versions = db.execute(sa.select(schema_version.c.version)).scalars().all()
    assert sorted(versions) == list(range(1, len(REVISIONS) + 1))


def test_opening_an_up_to_date_database_does_not_load_alembic(db_url: str) -> None:
    Store(db_url).close()
    code = ("import sys; from bluekit.store.database import Store; s = Store(sys.argv[1]); "
            "assert s.state().current; print('alembic' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code, db_url], capture_output=True, text=True)
    assert found.stdout.strip() == "False", found.stderr


def test_a_database_from_before_alembic_is_stamped_and_brought_forward(empty_db_url: str) -> None:
    old = Store(empty_db_url, upgrade=False)
    with old.transaction() as db:  # schema version 2 as bluekit 0.1 left it: no alembic_version
        upgrade(db, old.state(), "0002")
        db.execute(sa.text("DROP TABLE alembic_version"))
    state = old.state()
    assert (state.revision, state.legacy, state.pending) == ("0002", True, REVISIONS[2:])
    opened = Store(empty_db_url)
    assert opened.state().current
    with opened.reading() as db:
        assert sa.inspect(db).has_table("order_review_handled")
        versions = sorted(db.execute(sa.select(schema_version.c.version)).scalars())
        assert versions == list(range(1, len(REVISIONS) + 1))


def test_every_revision_is_undone_by_its_downgrade_and_done_again(empty_db_url: str) -> None:
    from alembic import command

    from bluekit.store.upgrade import _config

    store = Store(empty_db_url)
    with store.transaction() as db:  # a message deferred at version 6 (a 4xx answer)
        db.execute(sends.insert().values(year=2024, kind="invitation", code="11001",
                                         email="a@x", message_id="<a@x>", status="deferred",
                                         attempts=1, error="451 later", updated_at=now(),
                                         claimed_by="an@pc:1:ab"))
    with store.transaction() as db:
        command.downgrade(_config(db), "0005")
    with store.reading() as db:  # what bluekit knew at version 5: no claims, a failure
        assert {c["name"] for c in sa.inspect(db).get_columns("sends")}.isdisjoint(
            {"claimed_by", "note"})
        assert db.execute(sa.text("SELECT status FROM sends")).scalar() == "failed"
    with store.transaction() as db:
        command.downgrade(_config(db), "base")
    with store.reading() as db:
        assert set(sa.inspect(db).get_table_names()) <= {"alembic_version", "schema_version"}
    assert Store(empty_db_url).state().current  # every revision again, from nothing


def test_a_database_of_a_newer_bluekit_is_refused_and_left_as_it_is(db_url: str, runner) -> None:
    store = Store(db_url)
    fill(store)
    with store.transaction() as db:
        db.execute(sa.text("UPDATE alembic_version SET version_num = '0042'"))
    before = rows_of(store)
    with pytest.raises(StoreError, match="schema version 0042, made by a newer bluekit") as caught:
        Store(db_url)
    assert "pip install --upgrade bluekit" in caught.value.hint
    result = runner.invoke(app, ["orders", "list", str(CAMPAIGN_2024), "--db", db_url])
    assert result.exit_code == 2 and "newer bluekit" in result.output
    assert "Traceback" not in result.output and PASSWORD not in result.output
    status = runner.invoke(app, ["db", "status", "--db", db_url])
    assert status.exit_code == 1 and "newer than this bluekit" in status.output
    assert rows_of(Store(db_url, upgrade=False)) == before
    with Store(db_url, upgrade=False).reading() as db:
        assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0042"


# --- bluekit db status and upgrade; the password ----------------------------------------------


def test_status_looks_without_changing_and_upgrade_brings_forward(empty_db_url, runner) -> None:
    status = runner.invoke(app, ["db", "status", "--db", empty_db_url, "--json"])
    assert status.exit_code == 1
    assert json.loads(status.output)["pending"] == list(REVISIONS)
    assert Store(empty_db_url, upgrade=False).state().revision is None  # status changed nothing
    done = runner.invoke(app, ["db", "upgrade", "--db", empty_db_url])
    assert done.exit_code == 0 and f"none -> {HEAD}" in done.output
    again = runner.invoke(app, ["db", "upgrade", "--db", empty_db_url])
    assert "already up to date" in again.output
    status = runner.invoke(app, ["db", "status", "--db", empty_db_url])
    assert status.exit_code == 0 and f"version {HEAD}, up to date" in status.output
    assert PASSWORD not in status.output + done.output + again.output


def test_a_status_of_a_file_not_there_yet_does_not_make_it(tmp_path: Path, runner) -> None:
    result = runner.invoke(app, ["db", "status", "--db", str(tmp_path / "new" / "l.db")])
    assert result.exit_code == 1 and "none yet" in result.output
    assert not (tmp_path / "new").exists()


def test_a_wrong_password_or_server_is_a_clear_error_without_the_password(
    postgres_server, runner, monkeypatch
) -> None:
    wrong = postgres_server.url("postgres").replace(PASSWORD, "Not-the-pw-77")
    result = runner.invoke(app, ["db", "status", "--db", wrong])
    assert result.exit_code == 2 and "password authentication failed" in result.output
    assert "Not-the-pw-77" not in result.output and "Traceback" not in result.output
    monkeypatch.setenv("BLUEKIT_DATABASE_URL", f"postgresql://u:{PASSWORD}@127.0.0.1:1/x")
    down = runner.invoke(app, ["stock", str(CAMPAIGN_2024)])
    assert down.exit_code == 2 and "Connection refused" in down.output
    assert PASSWORD not in down.output and "u:***@127.0.0.1:1/x" in down.output


def test_the_password_is_read_from_pgpassword_as_psql_does(postgres_server, monkeypatch) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    store = Store(postgres_server.url("postgres", password=False) + "?sslmode=disable")
    assert store.state() is not None


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://teh:s3cr%40t@db.just.fgov.be:5433/bluekit",
     "postgresql+psycopg://teh:***@db.just.fgov.be:5433/bluekit"),
    ("postgresql://db.just.fgov.be/bluekit?user=teh&password=s3cr3t",
     "postgresql+psycopg://db.just.fgov.be/bluekit?user=teh&password=***"),
    ("postgres://teh@db/bluekit", "postgresql+psycopg://teh@db/bluekit"),
])
def test_an_address_is_shown_without_its_password(url: str, shown: str) -> None:
    assert redacted(database_url(url)) == shown


def test_a_windows_path_is_a_file_not_an_address() -> None:
    assert database_url("C:\\Users\\an\\bluekit.db") == "sqlite:///C:\\Users\\an\\bluekit.db"


# --- moving a ledger ----------------------------------------------------------------------------


def test_a_laptop_ledger_is_copied_whole_into_an_empty_database(
    tmp_path: Path, empty_db_url: str, runner
) -> None:
    laptop = Store(tmp_path / "laptop.db")
    fill(laptop)
    result = runner.invoke(app, ["db", "copy", "--db", str(tmp_path / "laptop.db"),
                                 "--to", empty_db_url])
    assert result.exit_code == 0, result.output
    assert "3 orders" in result.output and PASSWORD not in result.output
    team = Store(empty_db_url)
    assert rows_of(team) == rows_of(laptop)
    # the team carries on where the laptop stopped: the next number, new ids after the copied
    added, _ = add_order(team, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 1),)), by="dirk")
    assert added.number == "2024-0004"
    change_status(team, CAMPAIGN, "2024-0003", "confirmed", by="dirk")
    assert [e.by for e in get_order(team, "2024-0001").history] == ["an", "bert", "bert", "chris"]


def test_a_copy_into_a_database_that_holds_a_ledger_is_refused(tmp_path, db_url, runner) -> None:
    target = Store(db_url)
    fill(target)
    before = rows_of(target)
    laptop = Store(tmp_path / "laptop.db")
    add_order(laptop, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 1),)))
    result = runner.invoke(app, ["db", "copy", "--db", str(tmp_path / "laptop.db"),
                                 "--to", db_url])
    assert result.exit_code == 2 and "is not empty (" in result.output
    assert "3 orders" in result.output
    assert rows_of(target) == before


def test_a_copy_that_fails_half_way_leaves_the_target_empty(
    tmp_path, db_url, monkeypatch
) -> None:
    laptop = Store(tmp_path / "laptop.db")
    fill(laptop)

    def broken(db: sa.Connection) -> None:
        raise OSError("the network went away")

    monkeypatch.setattr(transfer, "_reset_sequences", broken)
    with pytest.raises(OSError):
        transfer.copy_ledger(laptop, Store(db_url))
    assert all(n == 0 for n in _counts(db_url).values())


def _counts(url: str) -> dict[str, int]:
    with Store(url).reading() as db:
        return transfer.table_counts(db)


def test_an_export_imported_into_a_new_database_is_the_same_ledger(
    tmp_path, db_url, empty_db_url, runner
) -> None:
    source = Store(db_url)
    fill(source)
    exported = runner.invoke(app, ["db", "export", str(tmp_path / "l.json"), "--db", db_url])
    assert exported.exit_code == 0, exported.output
    imported = runner.invoke(app, ["db", "import", str(tmp_path / "l.json"), "--db", empty_db_url])
    assert imported.exit_code == 0, imported.output
    restored = Store(empty_db_url)
    assert rows_of(restored) == rows_of(source)
    runner.invoke(app, ["db", "export", str(tmp_path / "again.json"), "--db", empty_db_url])
    first, second = (json.loads((tmp_path / name).read_text("utf-8"))
                     for name in ("l.json", "again.json"))
    assert first["tables"] == second["tables"]
    assert [o.number for o in list_orders(restored)] == ["2024-0001", "2024-0002", "2024-0003"]
    again = runner.invoke(app, ["db", "import", str(tmp_path / "l.json"), "--db", empty_db_url])
    assert again.exit_code == 2 and "is not empty" in again.output


def test_an_export_of_an_older_schema_restores_and_is_brought_forward(tmp_path, empty_db_url):
    document = {"format": "bluekit-ledger", "format_version": 1, "schema": "0002",
                "tables": {"order_counters": {"columns": ["year", "last"], "rows": [[2024, 7]]}}}
    (tmp_path / "old.json").write_text(json.dumps(document), "utf-8")
    counts = transfer.import_ledger(Store(empty_db_url, upgrade=False), tmp_path / "old.json")
    assert counts == {"order_counters": 1}
    store = Store(empty_db_url)
    assert store.state().current
    assert add_order(store, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 1),)))[0].number == \
        "2024-0008"


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not a ledger export"),
    ('{"format": "something else"}', "not a ledger export"),
    ('{"format": "bluekit-ledger", "schema": "0099", "tables": {}}', "schema version 0099"),
    ('{"format": "bluekit-ledger", "schema": "0003", "tables": {"orders": {"columns": ["x"],'
     ' "rows": []}}}', "table 'orders' with columns ['x']"),
])
def test_a_file_that_is_no_export_is_refused_by_name(tmp_path, runner, content, message) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    result = runner.invoke(app, ["db", "import", str(path), "--db", str(tmp_path / "n.db")])
    assert result.exit_code == 2 and f"{path}: " in result.output and message in result.output


def test_every_step_names_who_took_it_in_the_database(db_url: str) -> None:
    store = Store(db_url)
    fill(store)
    with store.reading() as db:
        people = set(db.execute(sa.select(order_events.c.by)).scalars())
    assert people == {"an", "bert", "chris"}


def test_the_shared_database_as_the_readme_tells_it_to_set_up(postgres_server) -> None:
    """What IT creates (README, "A team on one shared database"), and two colleagues using it:
    the first to open it makes the tables, the second works in them."""
    database, team, an, bert = "bluekit_shared", "bluekit_team", "an", "bert"
    postgres_server.admin(
        f"CREATE ROLE {team}",
        f"CREATE DATABASE {database} OWNER {team}",
        *(f"CREATE ROLE {who} LOGIN PASSWORD '{PASSWORD}' IN ROLE {team}" for who in (an, bert)),
        *(f"ALTER ROLE {who} SET role = '{team}'" for who in (an, bert)),
    )
    try:
        url = postgres_server.url(database)
        first = Store(url.replace("bluekit:", f"{an}:"))
        add_order(first, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 1),)), by=an)
        second = Store(url.replace("bluekit:", f"{bert}:"))
        added, _ = add_order(second, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 2),)), by=bert)
        change_status(second, CAMPAIGN, "2024-0001", "confirmed", by=bert)
        assert added.number == "2024-0002"
        assert [e.by for e in get_order(first, "2024-0001").history] == [an, bert]
        first.close()
        second.close()
    finally:
        postgres_server.drop_database(database)
        postgres_server.admin(*(f"DROP ROLE IF EXISTS {who}" for who in (an, bert, team)))
