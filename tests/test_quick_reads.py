"""The quick ways of the ledger's listings, on each backend: `orders list` and `orders report`
read with plain SQL (no SQLAlchemy) and take the campaign's catalogue from what validating it
kept (no campaign model), and give what the full way gives; a changed or broken campaign file
is validated again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bluekit.campaign.catalogue import Catalogue, cache_dir, load_catalogue
from bluekit.campaign.load import load_campaign
from bluekit.errors import ValidationFailed
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_report import order_report
from bluekit.ledger.order_status import change_status
from bluekit.ledger.orders import NewOrder, OrderFilter, Partner, list_orders
from bluekit.store.database import Store
from bluekit.store.reader import open_reader

from .conftest import CAMPAIGN_2024

CAMPAIGN = load_campaign(CAMPAIGN_2024)
NAMUR = Partner("Ville de Namur", "Marie Dubois", "m.dubois@ville.namur.be",
                "Esplanade de l'Hôtel de Ville 1", "5000", "Namur", "fr")
GENT = Partner("Stad Gent", "Piet De Smet", "piet@stad.gent", "Botermarkt 1", "9000", "Gent",
               "nl")


def _ledger(store: Store) -> None:
    add_order(store, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 5), ("POSTER-A3-NL", 2))),
              by="an")
    b, _ = add_order(store, CAMPAIGN, NewOrder(NAMUR, (("POSTER-A3-FR", 7),)), by="bert")
    change_status(store, CAMPAIGN, b.number, "confirmed", by="bert")


def test_the_reader_lists_and_totals_as_the_store_does(db_url: str) -> None:
    store = Store(db_url)
    _ledger(store)
    reader = open_reader(db_url)
    assert reader is not None
    with reader:
        for selection in (OrderFilter(year=2024), OrderFilter(year=2024, province="Namen"),
                          OrderFilter(year=2024, item="PIN-BLUEHEART"),
                          OrderFilter(year=2024, status="confirmed", language="fr")):
            assert list_orders(reader, selection) == list_orders(store, selection)
        assert order_report(reader, Catalogue.of(CAMPAIGN)) == order_report(store, CAMPAIGN)


def test_no_reader_for_a_database_that_is_not_there_or_not_up_to_date(
    empty_db_url: str, tmp_path: Path
) -> None:
    assert open_reader(tmp_path / "none.db") is None
    assert not (tmp_path / "none.db").exists()
    assert open_reader(empty_db_url) is None  # no tables yet: the Store makes them
    assert open_reader("postgresql://nobody@127.0.0.1:1/x") is None  # the Store says why


def _run(code: str, *args: str) -> str:
    found = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    return found.stdout


@pytest.mark.parametrize("command", [["orders", "list"], ["orders", "list", "--json"],
                                     ["orders", "report", "--json"]])
def test_the_listings_load_neither_sqlalchemy_nor_the_campaign_model(
    db_url: str, command: list[str]
) -> None:
    _ledger(Store(db_url))
    load_catalogue(CAMPAIGN_2024)  # validated once, as the first run of any command does
    code = ("import sys, contextlib, io\n"
            "from bluekit.cli import app\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
            "    app(sys.argv[1:])\n"
            "print(out.getvalue())\n"
            "print('sqlalchemy' in sys.modules, 'pydantic' in sys.modules)")
    output = _run(code, command[0], command[1], str(CAMPAIGN_2024), *command[2:],
                  "--db", db_url).splitlines()
    assert output[-1] == "False False"
    if "--json" in command and command[1] == "list":
        listed = json.loads("\n".join(output[:-1]))
        assert [o["number"] for o in listed] == ["2024-0001", "2024-0002"]
    if command[1] == "report":
        rows = json.loads("\n".join(output[:-1]))
        assert {r["key"]: r["name"] for r in rows if r["group"] == "person"} == {
            "an": "received 1", "bert": "received 1, confirmed 1"}


def test_a_campaign_file_is_validated_again_once_it_changed(write_campaign) -> None:
    path = write_campaign()
    first = load_catalogue(path)
    assert first == Catalogue.of(CAMPAIGN)
    kept = list((cache_dir() / "catalogues").glob("*.json"))
    assert kept and load_catalogue(path) == first

    def more_pins(data: dict) -> None:
        data["materials"][0]["stock"] = 12345

    write_campaign(more_pins)
    assert load_catalogue(path).materials[0].stock == 12345

    def broken(data: dict) -> None:
        data["materials"][0]["stock"] = -1

    write_campaign(broken)
    with pytest.raises(ValidationFailed, match="materials"):
        load_catalogue(path)


def test_a_listing_of_a_broken_campaign_file_is_an_error_with_its_line(
    write_campaign, runner, db_url
) -> None:
    from bluekit.cli import app

    path = write_campaign(lambda data: data.update(year="twenty"))
    result = runner.invoke(app, ["orders", "list", str(path), "--db", db_url])
    assert result.exit_code == 1 and f"{path}:" in result.output and "year" in result.output
