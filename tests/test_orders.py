"""Orders and stock on each backend (an SQLite file, a real PostgreSQL server): numbering, every
status step, stock that never goes negative, and two processes working on the same ledger at
once."""

from __future__ import annotations

import contextlib
import multiprocessing

import pytest
import sqlalchemy as sa

from bluekit.campaign.load import load_campaign
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_status import StockShort, change_status
from bluekit.ledger.orders import (
    STATUSES,
    TRANSITIONS,
    NewOrder,
    OrderError,
    OrderFilter,
    Partner,
    get_order,
    list_orders,
)
from bluekit.ledger.stock import StockError, levels, low_stock, receive
from bluekit.store.database import Store
from bluekit.store.tables import order_events, orders, stock_items, stock_moves

from .conftest import CAMPAIGN_2024

CAMPAIGN = load_campaign(CAMPAIGN_2024)

KORTRIJK = Partner(
    organisation="Stad Kortrijk",
    contact="An Peeters",
    email="an.peeters@kortrijk.be",
    street="Grote Markt 54",
    postcode="8500",
    city="Kortrijk",
    language="nl",
    telephone="056 27 80 00",
)


def order(*lines: tuple[str, int], partner: Partner = KORTRIJK, ref: str | None = None) -> NewOrder:
    return NewOrder(partner, tuple(lines), source="command" if ref is None else "email",
                    source_ref=ref)


def level(store: Store, item: str) -> tuple[int, int]:
    found = next(x for x in levels(store, CAMPAIGN) if x.item == item)
    return found.on_hand, found.reserved


def test_numbers_count_up_per_year_and_are_never_reused(store: Store) -> None:
    first, new = add_order(store, CAMPAIGN, order(("PIN-BLUEHEART", 10)))
    second, _ = add_order(store, CAMPAIGN, order(("PIN-BLUEHEART", 5)))
    assert new and (first.number, second.number) == ("2024-0001", "2024-0002")
    change_status(store, CAMPAIGN, "2024-0002", "cancelled", by="test")
    third, _ = add_order(store, CAMPAIGN, order(("PIN-BLUEHEART", 1)))
    assert third.number == "2024-0003"


def test_an_order_keeps_partner_lines_municipality_and_who_received_it(store: Store) -> None:
    added, _ = add_order(store, CAMPAIGN, order(("POSTER-A3-NL", 20), ("PIN-BLUEHEART", 100)),
                         by="sofie")
    found = get_order(store, added.number)
    assert found.partner == KORTRIJK
    assert sorted(found.lines) == [("PIN-BLUEHEART", 100), ("POSTER-A3-NL", 20)]
    assert found.municipality is not None and found.municipality.code == "34022"
    assert [(e.status, e.by) for e in found.history] == [("received", "sofie")]


def test_a_bad_order_is_refused_with_every_problem_named(store: Store) -> None:
    bad = Partner("", "X", "not-an-email", "Straat 1", "9999", "Nergens", "es", "12")
    with pytest.raises(OrderError) as caught:
        add_order(store, CAMPAIGN, NewOrder(bad, (("POSTER-A9", 3), ("PIN-BLUEHEART", 0))))
    message = str(caught.value)
    for expected in ("organisation is missing", "not-an-email", "postcode 9999 does not exist",
                     "telephone '12'", "language 'es'", "'POSTER-A9' is not in the 2024",
                     "PIN-BLUEHEART: the quantity must be at least 1"):
        assert expected in message
    assert list_orders(store) == []


def test_a_line_break_or_a_huge_quantity_is_refused(store: Store) -> None:
    odd = Partner("Stad\nGent", "Piet", "piet@stad.gent", "Botermarkt 1", "9000", "Gent", "nl")
    with pytest.raises(OrderError) as caught:
        add_order(store, CAMPAIGN, NewOrder(odd, (("PIN-BLUEHEART", 10**20),)))
    assert "line break" in str(caught.value) and "more than 1,000,000" in str(caught.value)


def test_the_same_source_is_added_once(store: Store) -> None:
    first, new = add_order(store, CAMPAIGN, order(("PIN-BLUEHEART", 1), ref="<a@example.org>"))
    again, new_again = add_order(
        store, CAMPAIGN, order(("PIN-BLUEHEART", 1), ref="<a@example.org>")
    )
    assert new and not new_again and first.number == again.number
    assert len(list_orders(store)) == 1


def test_every_allowed_step_and_its_stock_effect(store: Store) -> None:
    added, _ = add_order(store, CAMPAIGN, order(("POSTER-A3-NL", 20)))
    on_hand, reserved = level(store, "POSTER-A3-NL")
    change_status(store, CAMPAIGN, added.number, "confirmed", by="a")
    assert level(store, "POSTER-A3-NL") == (on_hand, reserved + 20)
    change_status(store, CAMPAIGN, added.number, "packed", by="b")
    shipped = change_status(store, CAMPAIGN, added.number, "shipped", by="c", carrier="bpost",
                            tracking="323299901234567")
    assert level(store, "POSTER-A3-NL") == (on_hand - 20, reserved)
    assert shipped.shipment is not None and shipped.shipment.tracking == "323299901234567"
    done = change_status(store, CAMPAIGN, added.number, "delivered", by="d")
    assert [(e.status, e.by) for e in done.history[1:]] == [
        ("confirmed", "a"), ("packed", "b"), ("shipped", "c"), ("delivered", "d"),
    ]
    assert done.history[0].status == "received"


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), "packed"),
        ((), "shipped"),
        ((), "delivered"),
        (("confirmed",), "delivered"),
        (("confirmed", "packed", "shipped"), "cancelled"),
        (("cancelled",), "confirmed"),
        (("confirmed", "packed", "shipped", "delivered"), "received"),
    ],
)
def test_illegal_steps_are_refused_and_change_nothing(store: Store, path, illegal) -> None:
    added, _ = add_order(store, CAMPAIGN, order(("PIN-BLUEHEART", 5)))
    for step in path:
        change_status(store, CAMPAIGN, added.number, step, by="t", carrier="bpost")
    before = get_order(store, added.number)
    with pytest.raises(OrderError, match=f"cannot become {illegal}"):
        change_status(store, CAMPAIGN, added.number, illegal, by="t", carrier="bpost")
    assert get_order(store, added.number).history == before.history


def test_the_transition_table_names_only_known_statuses() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert all(set(targets) <= set(STATUSES) for targets in TRANSITIONS.values())


def test_shipping_needs_a_carrier(store: Store) -> None:
    added, _ = add_order(store, CAMPAIGN, order(("PIN-BLUEHEART", 5)))
    change_status(store, CAMPAIGN, added.number, "confirmed")
    change_status(store, CAMPAIGN, added.number, "packed")
    with pytest.raises(OrderError, match="carrier"):
        change_status(store, CAMPAIGN, added.number, "shipped")


def test_cancelling_a_confirmed_order_gives_the_reservation_back(store: Store) -> None:
    added, _ = add_order(store, CAMPAIGN, order(("BROCHURE-DE", 50)))
    start = level(store, "BROCHURE-DE")
    change_status(store, CAMPAIGN, added.number, "confirmed")
    change_status(store, CAMPAIGN, added.number, "packed")
    change_status(store, CAMPAIGN, added.number, "cancelled", note="ordered twice")
    assert level(store, "BROCHURE-DE") == start


def test_an_order_beyond_the_stock_is_refused_with_what_is_short(store: Store) -> None:
    on_hand, _ = level(store, "POSTER-A2-DE")
    added, _ = add_order(
        store, CAMPAIGN, order(("POSTER-A2-DE", on_hand + 7), ("PIN-BLUEHEART", 1))
    )
    with pytest.raises(StockShort) as caught:
        change_status(store, CAMPAIGN, added.number, "confirmed")
    assert "POSTER-A2-DE" in str(caught.value) and "7 short" in str(caught.value)
    assert [(s.item, s.wanted - s.available) for s in caught.value.shortages] == [
        ("POSTER-A2-DE", 7)
    ]
    assert level(store, "POSTER-A2-DE") == (on_hand, 0)
    assert level(store, "PIN-BLUEHEART")[1] == 0  # all or nothing
    assert get_order(store, added.number).status == "received"


def test_a_backorder_waits_for_stock_and_then_confirms(store: Store) -> None:
    on_hand, _ = level(store, "POSTER-A2-DE")
    added, _ = add_order(store, CAMPAIGN, order(("POSTER-A2-DE", on_hand + 50)))
    waiting = change_status(store, CAMPAIGN, added.number, "confirmed", backorder=True)
    assert waiting.status == "backordered" and "50 short" in (waiting.history[-1].note or "")
    assert level(store, "POSTER-A2-DE") == (on_hand, 0)
    with pytest.raises(OrderError, match="stays on back-order"):
        change_status(store, CAMPAIGN, added.number, "confirmed", backorder=True)
    receive(store, CAMPAIGN, "poster-a2-de", 50, by="printer")
    assert change_status(store, CAMPAIGN, added.number, "confirmed").status == "confirmed"
    assert level(store, "POSTER-A2-DE") == (on_hand + 50, on_hand + 50)


def test_receiving_and_the_low_stock_list(store: Store) -> None:
    assert low_stock(store, CAMPAIGN) == []
    item = CAMPAIGN.materials[0]
    added, _ = add_order(store, CAMPAIGN, order((item.code, item.stock - item.low_stock)))
    change_status(store, CAMPAIGN, added.number, "confirmed")
    assert [x.item for x in low_stock(store, CAMPAIGN)] == [item.code]
    receive(store, CAMPAIGN, item.code, 1, by="t")
    assert low_stock(store, CAMPAIGN) == []
    with pytest.raises(StockError):
        receive(store, CAMPAIGN, item.code, 0, by="t")


def test_the_database_itself_refuses_a_negative_stock(store: Store) -> None:
    levels(store, CAMPAIGN)
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as db:
        db.execute(stock_items.update().values(on_hand=-1))
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as db:
        db.execute(stock_items.update().values(reserved=stock_items.c.on_hand + 1))


def test_filters_select_by_status_item_language_and_province(store: Store) -> None:
    namur = Partner("Ville de Namur", "Marie Dubois", "m.dubois@ville.namur.be",
                    "Esplanade de l'Hôtel de Ville 1", "5000", "Namur", "fr")
    a, _ = add_order(store, CAMPAIGN, order(("POSTER-A3-NL", 5)))
    b, _ = add_order(store, CAMPAIGN, order(("POSTER-A3-FR", 5), partner=namur))
    change_status(store, CAMPAIGN, b.number, "confirmed")

    def numbers(**kw: object) -> list[str]:
        return [o.number for o in list_orders(store, OrderFilter(year=2024, **kw))]  # type: ignore[arg-type]

    assert numbers() == [a.number, b.number]
    assert numbers(status="confirmed") == [b.number]
    assert numbers(item="POSTER-A3-NL") == [a.number]
    assert numbers(language="fr") == [b.number]
    assert numbers(province="Namen") == [b.number]
    assert numbers(region="flanders") == [a.number]
    with pytest.raises(OrderError, match="no status"):
        numbers(status="lost")


# --- two processes on one file --------------------------------------------------------------------


def _add_many(db_url: str, who: str, count: int) -> None:
    store = Store(db_url)  # both processes may create the tables at once
    campaign = load_campaign(CAMPAIGN_2024)
    for n in range(count):
        add_order(store, campaign, order(("PIN-BLUEHEART", n + 1), ref=f"<{who}-{n}@test>"),
                  by=who)


def _confirm_all(db_url: str, numbers: list[str]) -> None:
    store = Store(db_url)
    campaign = load_campaign(CAMPAIGN_2024)
    for number in numbers:
        # short of stock, or the other process confirmed it first
        with contextlib.suppress(OrderError):
            change_status(store, campaign, number, "confirmed", by="worker")


def _run_in_two_processes(target, args_a: tuple, args_b: tuple) -> None:  # type: ignore[no-untyped-def]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=target, args=a) for a in (args_a, args_b)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0


def test_two_processes_adding_100_orders_each_end_with_200_unique_numbers(
    empty_db_url: str,
) -> None:
    db = empty_db_url
    _run_in_two_processes(_add_many, (db, "alice", 100), (db, "bob", 100))
    store = Store(db)
    found = list_orders(store)
    assert len(found) == 200
    assert sorted(o.number for o in found) == [f"2024-{n:04d}" for n in range(1, 201)]
    with store.engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(order_events)).scalar() == 200


def test_concurrent_confirmations_never_take_more_than_the_stock(db_url: str) -> None:
    store = Store(db_url)
    on_hand, _ = level(store, "POSTER-A2-DE")  # 100 in the 2024 file
    numbers = [
        add_order(store, CAMPAIGN, order(("POSTER-A2-DE", 7)))[0].number for _ in range(30)
    ]
    _run_in_two_processes(_confirm_all, (db_url, numbers), (db_url, list(reversed(numbers))))
    confirmed = list_orders(store, OrderFilter(status="confirmed"))
    assert len(confirmed) == on_hand // 7
    assert level(store, "POSTER-A2-DE") == (on_hand, 7 * (on_hand // 7))
    with store.engine.connect() as db:
        moved = db.execute(
            sa.select(sa.func.sum(stock_moves.c.reserved_change))
            .where(stock_moves.c.item == "POSTER-A2-DE")
        ).scalar()
        assert moved == 7 * (on_hand // 7)
        statuses = db.execute(sa.select(orders.c.status)).scalars().all()
        assert set(statuses) == {"confirmed", "received"}


def test_reading_the_ledger_does_not_wait_for_a_writer(store: Store) -> None:
    import threading

    add_order(store, CAMPAIGN, order(("PIN-BLUEHEART", 1)))
    holding, release, finished = threading.Event(), threading.Event(), threading.Event()

    def writer() -> None:
        with store.transaction() as db:
            db.execute(sa.text("select 1"))
            holding.set()
            release.wait(timeout=10)
        finished.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(timeout=10)
    try:
        # the write lock is held; a read answers at once instead of waiting for it
        assert [o.number for o in list_orders(store)] == ["2024-0001"]
        assert not finished.is_set()
    finally:
        release.set()
        thread.join()
