"""The review list: messages that could not be read as an order, kept whole with the reason,
until a person deals with them (types the order in, answers, or finds it is no order at all) or
a new reading, with the catalogue and rules as they are now, makes an order of them.

An item dealt with leaves the open list but keeps its original; an order is never added twice
for one item, nor for an item someone dealt with meanwhile.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa

from bluekit.campaign.model import Campaign
from bluekit.errors import NotFound
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_mail import read_order
from bluekit.ledger.orders import NewOrder, OrderError, current_user
from bluekit.store.database import Store, insert_ignore
from bluekit.store.tables import now, order_review, order_review_handled


def to_review(
    store: Store, year: int, ref: str, name: str, message: EmailMessage | None, raw: bytes,
    reason: str,
) -> None:
    """Keep a message for a person to look at, with the reason; a message kept already stays
    as it is."""
    with store.transaction() as db:
        insert_ignore(
            db, order_review, year=year, source_ref=ref, source_name=name,
            sender=_header(message, "From"), subject=_header(message, "Subject"),
            reason=reason, original=raw, received_at=now(),
        )


def _header(message: EmailMessage | None, name: str) -> str | None:
    """A header to show in the list: decoded, or as it stands in the message when decoding it
    fails (an encoded line break in an address is refused by the e-mail package)."""
    if message is None:
        return None
    try:
        return str(message.get(name, ""))
    except Exception:  # the reason it is in review; the raw value still tells people enough
        raw = next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), "")
        return " ".join(raw.split())


@dataclass(frozen=True)
class ReviewItem:
    id: int
    source_name: str
    sender: str | None
    subject: str | None
    reason: str
    received_at: str
    year: int = 0  # the campaign it came in for
    handled_at: str | None = None  # set once a person dealt with it
    handled_by: str | None = None
    note: str | None = None
    order_number: str | None = None  # the order it became, if it did

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _review_rows(db: sa.Connection, *where: Any) -> list[ReviewItem]:
    handled = order_review_handled
    rows = db.execute(
        sa.select(order_review, handled.c.handled_at, handled.c.handled_by, handled.c.note,
                  handled.c.order_number)
        .select_from(order_review.outerjoin(handled, handled.c.review_id == order_review.c.id))
        .where(*where)
        .order_by(order_review.c.id)
    ).all()
    return [
        ReviewItem(r.id, r.source_name, r.sender, r.subject, r.reason,
                   r.received_at.isoformat(timespec="seconds"), r.year,
                   r.handled_at.isoformat(timespec="seconds") if r.handled_at else None,
                   r.handled_by, r.note, r.order_number)
        for r in rows
    ]


def review_list(store: Store, year: int, *, handled: bool = False) -> list[ReviewItem]:
    """The messages waiting for a person: not an order bluekit could read. With `handled`,
    also those a person has dealt with."""
    where = [order_review.c.year == year]
    if not handled:
        where.append(order_review_handled.c.review_id.is_(None))
    with store.engine.connect() as db:
        return _review_rows(db, *where)


def review_item(store: Store, review_id: int, year: int | None = None) -> ReviewItem:
    """One review item, open or handled; with `year`, only one of that campaign."""
    with store.engine.connect() as db:
        found = _review_rows(db, order_review.c.id == review_id)
    if not found or (year is not None and found[0].year != year):
        raise NotFound(
            f"no review item {review_id}" + (f" for {year}" if year is not None and found else ""),
            hint="`bluekit orders review` lists them",
        )
    return found[0]


def _already_handled(item: ReviewItem) -> ReviewHandled:
    return ReviewHandled(
        f"review item {item.id} was already dealt with ({item.handled_at} by {item.handled_by}"
        + (f" as order {item.order_number}" if item.order_number else "")
        + (f": {item.note}" if item.note else "") + ")",
        hint="`bluekit orders review --all` shows the items dealt with",
    )


class ReviewHandled(OrderError):
    """The review item was dealt with already."""


def resolve_review(
    store: Store, review_id: int, *, year: int | None = None, by: str | None = None,
    note: str | None = None,
) -> ReviewItem:
    """Mark a review item as dealt with (typed in by hand, answered, or no order at all): it
    leaves the open list and keeps its original. Marking it twice is an error."""
    review_item(store, review_id, year)
    with store.transaction() as db:
        done = _claim(db, review_id, by=by, note=note)
    if not done:
        raise _already_handled(review_item(store, review_id))
    return review_item(store, review_id)


def _claim(
    db: sa.Connection, review_id: int, *, by: str | None, note: str | None,
    order_number: str | None = None,
) -> bool:
    """Record that a person dealt with the item; False if someone already did."""
    return insert_ignore(
        db, order_review_handled, review_id=review_id, handled_at=now(),
        handled_by=by or current_user(), note=(note or "").strip() or None,
        order_number=order_number,
    )


def retry_review(
    store: Store, campaign: Campaign, review_id: int, *, by: str | None = None,
    note: str | None = None,
) -> tuple[ReviewItem, str | None]:
    """Read a review item's original again, with the campaign's catalogue and rules as they are
    now (an item code added, say). If it is an order now, it is added and the item marked dealt
    with, in one transaction; returns the item and the order's number, or None when it still is
    no order (the reason is updated). An order is never added twice, nor for an item someone
    dealt with meanwhile."""
    item = review_item(store, review_id, campaign.year)
    if item.handled_at:
        raise _already_handled(item)
    order, reason = _read_again(store, campaign, review_id)
    if order is None:
        with store.transaction() as db:
            db.execute(order_review.update().where(order_review.c.id == review_id)
                       .values(reason=reason))
        return review_item(store, review_id), None

    def claim(db: sa.Connection, number: str) -> None:
        # in the order's own transaction: if someone marked the item meanwhile (having typed
        # the order in by hand, say), this raises and the order is not added
        if not _claim(db, review_id, by=by, order_number=number,
                      note=note or "imported on a new reading"):
            raise _already_handled(review_item(store, review_id))

    added, _ = add_order(store, campaign, order, by=by, also=claim)
    return review_item(store, review_id), added.number


def _read_again(
    store: Store, campaign: Campaign, review_id: int
) -> tuple[NewOrder | None, str]:
    """The order a review item's original holds now, or None and why it still is none."""
    with store.engine.connect() as db:
        row = db.execute(
            sa.select(order_review.c.source_ref, order_review.c.original)
            .where(order_review.c.id == review_id)
        ).one()
    try:
        message = message_from_bytes(bytes(row.original), policy=email.policy.default)
    except Exception as exc:  # as on import: a message too broken to read stays in review
        return None, f"not readable as an e-mail ({exc.__class__.__name__})"
    try:
        return read_order(campaign, message, row.source_ref)
    except Exception as exc:  # as on import: what no reader foresaw keeps it in review
        return None, f"not readable as an order ({exc.__class__.__name__}: {exc})"


def review_original(store: Store, review_id: int) -> bytes:
    """The original message of a review item, byte for byte."""
    with store.engine.connect() as db:
        row = db.execute(
            sa.select(order_review.c.original).where(order_review.c.id == review_id)
        ).first()
    if row is None:
        raise NotFound(f"no review item {review_id}", hint="`bluekit orders review` lists them")
    return bytes(row.original)
