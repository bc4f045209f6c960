"""Stock of campaign material: on hand, reserved by confirmed orders, available, and the ledger.

The campaign file gives each item's opening stock; from the first use on, the database is the
ledger: every receipt, reservation, release and shipment is a move with its reason. A reservation
is one conditional UPDATE ("only if enough is available"), so two people confirming orders at the
same moment can never take the same posters twice, and the database's own checks refuse a
negative stock whatever happens above them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bluekit.campaign.model import Campaign, Material
from bluekit.errors import BluekitError, NotFound
from bluekit.store.database import Store, insert_ignore
from bluekit.store.tables import now, stock_items, stock_moves


class StockError(BluekitError):
    """A stock change that cannot be made."""


@dataclass(frozen=True)
class Shortage:
    item: str
    wanted: int
    available: int


@dataclass(frozen=True)
class StockLevel:
    """One item's stock: what is on the shelf, what confirmed orders hold, what is free."""

    item: str
    name: str
    on_hand: int
    reserved: int
    low_stock: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def low(self) -> bool:
        """At or below the reprint threshold of the campaign file."""
        return self.available <= self.low_stock

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "name": self.name,
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
            "low_stock": self.low_stock,
            "low": self.low,
        }


def ensure_opening(db: Connection, campaign: Campaign, by: str) -> None:
    """Give every catalogue item its opening stock from the campaign file, once per year: an
    item already in the ledger keeps its own figures (the file is not read again)."""
    known = set(
        db.execute(
            sa.select(stock_items.c.item).where(stock_items.c.year == campaign.year)
        ).scalars()
    )
    for material in campaign.materials:
        if material.code not in known and insert_ignore(
            db, stock_items, year=campaign.year, item=material.code, on_hand=material.stock,
            reserved=0,
        ):
            _move(db, campaign.year, material.code, material.stock, 0, "opening", None, by,
                  "opening stock from the campaign file", counted=True)


def _move(
    db: Connection,
    year: int,
    item: str,
    on_hand_change: int,
    reserved_change: int,
    reason: str,
    order_id: int | None,
    by: str,
    note: str | None = None,
    *,
    counted: bool = False,
) -> None:
    """Record a stock move in the ledger and change the item's counters by it (unless the
    caller has already `counted` it), in the caller's transaction. The database's checks refuse
    a change that would make either counter negative."""
    if not counted:
        db.execute(
            stock_items.update()
            .where(stock_items.c.year == year, stock_items.c.item == item)
            .values(
                on_hand=stock_items.c.on_hand + on_hand_change,
                reserved=stock_items.c.reserved + reserved_change,
            )
        )
    db.execute(
        stock_moves.insert().values(
            year=year, item=item, on_hand_change=on_hand_change,
            reserved_change=reserved_change, reason=reason, order_id=order_id, at=now(), by=by,
            note=note,
        )
    )


def _row(db: Connection, year: int, item: str) -> Any:
    """An item's stock, its row locked until the transaction ends (on PostgreSQL; on SQLite
    the transaction holds the file's write lock already): what is read stays true."""
    return db.execute(
        sa.select(stock_items)
        .where(stock_items.c.year == year, stock_items.c.item == item)
        .with_for_update()
    ).first()


def reserve(
    db: Connection, year: int, lines: Sequence[tuple[str, int]], order_id: int, by: str
) -> list[Shortage]:
    """Reserve every line, or nothing: returns what is short (and reserves nothing) if any line
    cannot be covered. Runs inside the caller's transaction."""
    shortages = []
    # in the order of the item codes, as every transaction locks them: two never wait for
    # each other in a circle
    for item, quantity in sorted(lines):
        row = _row(db, year, item)
        available = row.on_hand - row.reserved if row else 0
        if available < quantity:
            shortages.append(Shortage(item, quantity, available))
    if shortages:
        return shortages
    for item, quantity in sorted(lines):
        # The condition repeats the check in the database itself (the row is locked since it
        # was read, so it holds).
        done = db.execute(
            stock_items.update()
            .where(
                stock_items.c.year == year,
                stock_items.c.item == item,
                stock_items.c.on_hand - stock_items.c.reserved >= quantity,
            )
            .values(reserved=stock_items.c.reserved + quantity)
        )
        if done.rowcount != 1:
            raise StockError(f"{item}: the stock changed meanwhile", hint="run the command again")
        _move(db, year, item, 0, quantity, "reserve", order_id, by, counted=True)
    return []


def release(
    db: Connection, year: int, lines: Sequence[tuple[str, int]], order_id: int, by: str
) -> None:
    """Give back what a confirmed order had reserved (it was cancelled)."""
    for item, quantity in sorted(lines):
        _move(db, year, item, 0, -quantity, "release", order_id, by)


def ship(
    db: Connection, year: int, lines: Sequence[tuple[str, int]], order_id: int, by: str
) -> None:
    """Take a shipped order's items off the shelf, and out of the reserved stock."""
    for item, quantity in sorted(lines):
        _move(db, year, item, -quantity, -quantity, "ship", order_id, by)


def material(campaign: Campaign, item: str) -> Material:
    """A catalogue item by code (case is forgiven)."""
    for m in campaign.materials:
        if m.code == item.strip().upper():
            return m
    codes = ", ".join(m.code for m in campaign.materials)
    raise NotFound(f"no item {item!r} in the {campaign.year} catalogue", hint=f"use one of {codes}")


def receive(
    store: Store,
    campaign: Campaign,
    item: str,
    quantity: int,
    *,
    by: str,
    note: str | None = None,
) -> StockLevel:
    """Add a delivery (a reprint) to the stock on hand."""
    m = material(campaign, item)
    if not 1 <= quantity <= 10_000_000:
        raise StockError(
            f"the quantity received must be between 1 and 10,000,000 (got {quantity})"
        )
    with store.transaction() as db:
        ensure_opening(db, campaign, by)
        _move(db, campaign.year, m.code, quantity, 0, "receive", None, by, note)
    return next(level for level in levels(store, campaign) if level.item == m.code)


def levels(store: Store, campaign: Campaign, lang: str = "en") -> list[StockLevel]:
    """Every catalogue item's stock, in catalogue order."""
    with store.transaction() as db:
        ensure_opening(db, campaign, "bluekit")
        rows = {
            r.item: r
            for r in db.execute(
                sa.select(stock_items).where(stock_items.c.year == campaign.year)
            )
        }
    return [
        StockLevel(
            m.code, m.name[lang] if lang in m.name else m.name[campaign.languages[0]],
            rows[m.code].on_hand, rows[m.code].reserved, m.low_stock,
        )
        for m in campaign.materials
    ]


def low_stock(store: Store, campaign: Campaign, lang: str = "en") -> list[StockLevel]:
    """The items to reprint: available at or below their threshold."""
    return [level for level in levels(store, campaign, lang) if level.low]
