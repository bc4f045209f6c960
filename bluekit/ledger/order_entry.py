"""Adding orders to the ledger: each is checked, numbered (`2024-0001`, never reused) and
recorded as "received" with its lines and the first step of its history; one order in one
transaction, or many (an import) a few hundred to a transaction.

An order whose source (a Message-ID, a CSV row's digest) is already known is not added again,
so every import is safe to repeat, also when it was killed half-way (a transaction is whole or
not there) and when two run at once: every transaction that adds orders of a year first locks
that year's order counter, so they take turns, and what one finds already there stays true
until it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bluekit.campaign.model import Campaign
from bluekit.ledger.order_checks import ascii_email, problems_of
from bluekit.ledger.orders import NewOrder, Order, OrderError, current_user, get_order
from bluekit.municipalities import registry
from bluekit.store.database import Store, insert_ignore, insert_many
from bluekit.store.tables import now, order_counters, order_events, order_lines, orders

BATCH = 500  # orders per transaction in an import: a few milliseconds of lock at a time


def _lock_year(db: Connection, year: int) -> None:
    """Hold the year's order counter (made if need be) until the transaction ends."""
    insert_ignore(db, order_counters, year=year, last=0)
    db.execute(
        sa.select(order_counters.c.last).where(order_counters.c.year == year).with_for_update()
    ).scalar_one()


def _next_numbers(db: Connection, year: int, count: int) -> list[str]:
    """The next `count` numbers of the year, taken from its counter (locked by `_lock_year`)."""
    db.execute(
        order_counters.update()
        .where(order_counters.c.year == year)
        .values(last=order_counters.c.last + count)
    )
    last = db.execute(
        sa.select(order_counters.c.last).where(order_counters.c.year == year)
    ).scalar_one()
    return [f"{year}-{n:04d}" for n in range(last - count + 1, last + 1)]


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def known_refs(db: Connection, refs: Sequence[str]) -> dict[str, str]:
    """Which of these sources are orders already: source reference -> order number."""
    found: dict[str, str] = {}
    for chunk in _chunks(refs, BATCH):
        rows = db.execute(
            sa.select(orders.c.source_ref, orders.c.number).where(orders.c.source_ref.in_(chunk))
        )
        found.update((ref, number) for ref, number in rows)
    return found


def add_order(
    store: Store, campaign: Campaign, order: NewOrder, *, by: str | None = None,
    also: Callable[[Connection, str], None] | None = None,
) -> tuple[Order, bool]:
    """Record a new order as "received"; returns it and whether it is new. An order whose
    `source_ref` is already known is not added again: the existing one is returned. `also`
    runs in the same transaction with the order's number: if it raises, nothing is added."""
    problems = problems_of(campaign, order)
    if problems:
        raise OrderError("the order cannot be added: " + "; ".join(problems))
    with store.transaction() as db:
        ((number, new),) = insert_orders(db, campaign, [order], by or current_user())
        if also is not None:
            also(db, number)
    return get_order(store, number), new


def add_orders(
    store: Store, campaign: Campaign, new_orders: Sequence[NewOrder], *, by: str | None = None,
    checked: bool = False, known: dict[str, str] | None = None,
) -> Iterator[tuple[str, bool, NewOrder]]:
    """Record many orders (an import), BATCH to a transaction; yields each one's number,
    whether it is new, and the order, as its transaction commits. Sources known already are
    found without taking a lock (a second import of a file is all reads). `checked` says the
    caller has checked every order with `problems_of` (as reading a CSV does); `known`, the
    sources known already (`known_refs`), when the caller has looked them up."""
    if not checked:
        for order in new_orders:
            if problems := problems_of(campaign, order):
                raise OrderError("the order cannot be added: " + "; ".join(problems))
    by = by or current_user()
    if known is None:
        with store.reading() as db:
            known = known_refs(db, [o.source_ref for o in new_orders if o.source_ref])
    for order in new_orders:
        if order.source_ref in known:
            yield known[order.source_ref], False, order
    fresh = [o for o in new_orders if o.source_ref not in known]
    for batch in _chunks(fresh, BATCH):
        with store.transaction() as db:
            added = insert_orders(db, campaign, batch, by)
        yield from ((number, new, order) for (number, new), order in zip(added, batch, strict=True))


def insert_orders(
    db: Connection, campaign: Campaign, new_orders: Sequence[NewOrder], by: str
) -> list[tuple[str, bool]]:
    """The rows of new orders, in the caller's transaction: each order, its lines, its
    "received" step; an order whose source is known already is not added again. Returns each
    one's number and whether it is new."""
    _lock_year(db, campaign.year)
    known = known_refs(db, [o.source_ref for o in new_orders if o.source_ref])
    fresh: list[NewOrder] = []
    first: dict[str, int] = {}  # source -> its place in `fresh` (the same one twice: once)
    slots: list[tuple[str | int, bool]] = []  # a number known already, or a place in `fresh`
    for order in new_orders:
        ref = order.source_ref
        if ref is not None and ref in known:
            slots.append((known[ref], False))
        elif ref is not None and ref in first:
            slots.append((first[ref], False))
        else:
            if ref is not None:
                first[ref] = len(fresh)
            slots.append((len(fresh), True))
            fresh.append(order)
    numbers = _insert(db, campaign, fresh, by) if fresh else []
    return [(numbers[slot] if isinstance(slot, int) else slot, new) for slot, new in slots]


def _row(campaign: Campaign, order: NewOrder, number: str) -> dict[str, Any]:
    p = order.partner
    municipality = registry.by_postcode(p.postcode)
    return {
        "number": number,
        "year": campaign.year,
        "status": "received",
        "organisation": p.organisation.strip(),
        "contact": p.contact.strip(),
        "email": ascii_email(p.email),
        "telephone": (p.telephone or "").strip() or None,
        "street": p.street.strip(),
        "postcode": p.postcode.strip(),
        "city": p.city.strip(),
        "language": p.language,
        "municipality": municipality.code if municipality else None,
        "remarks": (order.remarks or "").strip() or None,
        "source": order.source,
        "source_ref": order.source_ref,
        "created_at": now(),
    }


def _ids(db: Connection, numbers: list[str]) -> list[int]:
    """The ids the database gave the orders of these numbers, in the same order."""
    found = {number: key for number, key in db.execute(
        sa.select(orders.c.number, orders.c.id).where(orders.c.number.in_(numbers))
    )}
    return [found[number] for number in numbers]


def _insert(db: Connection, campaign: Campaign, fresh: Sequence[NewOrder], by: str) -> list[str]:
    """The rows of orders known to be new, with their lines and first step; their numbers."""
    numbers = _next_numbers(db, campaign.year, len(fresh))
    rows = [_row(campaign, order, number) for order, number in zip(fresh, numbers, strict=True)]
    insert_many(db, orders, rows)
    ids = _ids(db, numbers)
    insert_many(db, order_lines, [
        {"order_id": key, "item": item, "quantity": quantity}
        for key, order in zip(ids, fresh, strict=True) for item, quantity in order.lines
    ])
    insert_many(db, order_events, [
        {"order_id": key, "status": "received", "at": row["created_at"], "by": by,
         "carrier": None, "tracking": None,
         "note": f"from {order.source}" + (f" {order.source_ref}" if order.source_ref else "")}
        for key, order, row in zip(ids, fresh, rows, strict=True)
    ])
    return numbers
