"""Moving an order one step on its way (`orders.TRANSITIONS`), with the stock effects of that
step, and the orders waiting on back-order.

Confirming an order reserves its stock, shipping takes the stock out, cancelling gives the
reservation back (see `stock.py`): all in the same transaction as the status change, so the two
never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from bluekit.campaign.model import Campaign
from bluekit.ledger import stock
from bluekit.ledger.orders import (
    STATUSES,
    TRANSITIONS,
    Order,
    OrderError,
    OrderFilter,
    current_user,
    list_orders,
    load_order,
)
from bluekit.store.database import Store
from bluekit.store.tables import now, order_events, orders


class StockShort(OrderError):
    """Confirming would take more than is available; lists what is short."""

    def __init__(self, number: str, shortages: Sequence[stock.Shortage]):
        self.shortages = list(shortages)
        short = "; ".join(
            f"{s.item}: {s.wanted} wanted, {s.available} available ({s.wanted - s.available} "
            f"short)"
            for s in shortages
        )
        super().__init__(
            f"order {number} cannot be confirmed: {short}",
            hint="receive stock first (`bluekit stock receive`), or confirm with --backorder "
            "to put the order on back-order",
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (StockShort, ("", []), self.__dict__)


def change_status(
    store: Store,
    campaign: Campaign,
    number: str,
    status: str,
    *,
    by: str | None = None,
    carrier: str | None = None,
    tracking: str | None = None,
    note: str | None = None,
    backorder: bool = False,
) -> Order:
    """Move an order one step on, with the stock effects of that step, in one transaction.

    Confirming reserves the stock; if some is short, the order is refused with what is short,
    or, with `backorder`, put on back-order. Shipping takes the stock out (it needs a carrier);
    cancelling gives a reservation back.
    """
    if status not in STATUSES:
        raise OrderError(f"no status {status!r}", hint=f"use one of {', '.join(STATUSES)}")
    if status == "shipped" and not (carrier or "").strip():
        raise OrderError("shipping needs the carrier", hint="add --carrier bpost (and --tracking)")
    by = by or current_user()
    with store.transaction() as db:
        order = load_order(db, number, lock=True)
        _check_step(campaign, order, status)
        stock.ensure_opening(db, campaign, by)
        status, note = _move_stock(db, campaign, order, status, note, backorder=backorder, by=by)
        _record_step(db, order, status, by=by, carrier=carrier, tracking=tracking, note=note)
        return load_order(db, order.number)


def _check_step(campaign: Campaign, order: Order, status: str) -> None:
    """Refuse an order of another campaign year, and a step its status does not allow."""
    if order.year != campaign.year:
        raise OrderError(
            f"order {order.number} belongs to {order.year}, not to {campaign.year}",
            hint=f"use campaigns/{order.year}.yaml",
        )
    allowed = TRANSITIONS[order.status]
    if status not in allowed:
        raise OrderError(
            f"order {order.number} is {order.status}: it cannot become {status}",
            hint=(
                f"from {order.status} it can become {', '.join(allowed)}"
                if allowed
                else f"a {order.status} order is final"
            ),
        )


def _move_stock(
    db: Connection, campaign: Campaign, order: Order, status: str, note: str | None, *,
    backorder: bool, by: str,
) -> tuple[str, str | None]:
    """The stock effect of the step; returns the status the order takes and the note of the
    step ("backordered" and what is short, when confirming with `backorder` finds too little)."""
    if status == "confirmed":
        shortages = stock.reserve(db, campaign.year, order.lines, order.id, by)
        if shortages:
            return "backordered", _backorder_note(order, shortages, note, backorder=backorder)
    elif status == "backordered":
        raise OrderError(
            "an order is put on back-order by confirming it with --backorder",
            hint=f"bluekit orders confirm {order.number} --backorder",
        )
    elif status == "shipped":
        stock.ship(db, campaign.year, order.lines, order.id, by)
    elif status == "cancelled" and order.status in ("confirmed", "packed"):
        stock.release(db, campaign.year, order.lines, order.id, by)
    return status, note


def _backorder_note(
    order: Order, shortages: Sequence[stock.Shortage], note: str | None, *, backorder: bool
) -> str:
    """What is short, for the back-order step; refuses unless asked to put it on back-order,
    and a second back-order of an order that already waits."""
    if not backorder:
        raise StockShort(order.number, shortages)
    if order.status == "backordered":
        raise OrderError(
            f"order {order.number} stays on back-order: still short of "
            + ", ".join(f"{s.item} ({s.wanted - s.available})" for s in shortages),
            hint="receive the missing stock first",
        )
    return "; ".join(
        [*(f"{s.item}: {s.wanted - s.available} short" for s in shortages),
         *([note] if note else [])]
    )


def _record_step(
    db: Connection, order: Order, status: str, *, by: str, carrier: str | None,
    tracking: str | None, note: str | None,
) -> None:
    """The new status and the step in the history."""
    # Only if nobody moved it meanwhile (the order's row is locked since it was read, so this
    # holds by construction; the condition says it once more in the database itself).
    moved = db.execute(
        orders.update()
        .where(orders.c.id == order.id, orders.c.status == order.status)
        .values(status=status)
    )
    if moved.rowcount != 1:
        raise OrderError(
            f"order {order.number} was changed by someone else meanwhile",
            hint="look at it again with `bluekit orders show` and repeat the step if needed",
        )
    db.execute(
        order_events.insert().values(
            order_id=order.id,
            status=status,
            at=now(),
            by=by,
            carrier=(carrier or "").strip() or None,
            tracking=(tracking or "").strip() or None,
            note=(note or "").strip() or None,
        )
    )


def backorders(store: Store, year: int) -> list[Order]:
    """Orders waiting on back-order, oldest first: confirm them when the stock has come in."""
    return list_orders(store, OrderFilter(year=year, status="backordered"))
