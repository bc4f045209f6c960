"""Adding an order to the ledger: it is checked, numbered (`2024-0001`, never reused) and
recorded as "received" with its lines and the first step of its history, in one transaction.

An order whose source (a Message-ID, a CSV row's digest) is already known is not added again,
so every import is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bluekit.campaign.model import Campaign
from bluekit.ledger.order_checks import ascii_email, problems_of
from bluekit.ledger.orders import NewOrder, Order, OrderError, current_user, get_order
from bluekit.municipalities import registry
from bluekit.store.database import Store, insert_ignore
from bluekit.store.tables import now, order_counters, order_events, order_lines, orders


def _next_number(db: Connection, year: int) -> str:
    insert_ignore(db, order_counters, year=year, last=0)
    db.execute(
        order_counters.update()
        .where(order_counters.c.year == year)
        .values(last=order_counters.c.last + 1)
    )
    last = db.execute(
        sa.select(order_counters.c.last).where(order_counters.c.year == year)
    ).scalar_one()
    return f"{year}-{last:04d}"


def _find_by_ref(db: Connection, source_ref: str) -> str | None:
    return db.execute(
        sa.select(orders.c.number).where(orders.c.source_ref == source_ref)
    ).scalar_one_or_none()


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
    by = by or current_user()
    with store.transaction() as db:
        if order.source_ref and (number := _find_by_ref(db, order.source_ref)):
            existing = number
        else:
            existing = None
            number = _insert(db, campaign, order, by)
        if also is not None:
            also(db, existing or number)
    return get_order(store, existing or number), existing is None


def _insert(db: Connection, campaign: Campaign, order: NewOrder, by: str) -> str:
    """The rows of a new order: the order, its lines, its "received" step; returns its number."""
    p = order.partner
    municipality = registry.by_postcode(p.postcode)
    number = _next_number(db, campaign.year)
    at = now()
    key = db.execute(
        orders.insert().values(
            number=number,
            year=campaign.year,
            status="received",
            organisation=p.organisation.strip(),
            contact=p.contact.strip(),
            email=ascii_email(p.email),
            telephone=(p.telephone or "").strip() or None,
            street=p.street.strip(),
            postcode=p.postcode.strip(),
            city=p.city.strip(),
            language=p.language,
            municipality=municipality.code if municipality else None,
            remarks=(order.remarks or "").strip() or None,
            source=order.source,
            source_ref=order.source_ref,
            created_at=at,
        )
    ).inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    order_id = key[0]
    db.execute(
        order_lines.insert(),
        [{"order_id": order_id, "item": i, "quantity": q} for i, q in order.lines],
    )
    db.execute(order_events.insert().values(
        order_id=order_id, status="received", at=at, by=by,
        note=f"from {order.source}" + (f" {order.source_ref}" if order.source_ref else ""),
    ))
    return number
