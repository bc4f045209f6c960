"""Material orders: the ledger of what partners ordered, and each order's status history.

An order gets a number (`2024-0001`) that is never reused, starts as "received" and moves only
along the allowed steps; every step is recorded with its time and who took it. Confirming an
order reserves its stock, shipping takes the stock out, cancelling gives the reservation back
(see `stock.py`): all in the same transaction as the status change, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import Connection

from bluekit.campaign.model import Campaign
from bluekit.errors import BluekitError, NotFound
from bluekit.ledger import stock
from bluekit.municipalities import registry
from bluekit.store.database import Store, insert_ignore
from bluekit.store.tables import now, order_counters, order_events, order_lines, orders

LANGUAGES = ("nl", "fr", "de", "en")

# The life of an order. "backordered": confirmed on request although stock is short; it is
# confirmed for real (and reserves its stock) once enough has been received.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("confirmed", "backordered", "cancelled"),
    "backordered": ("confirmed", "cancelled"),
    "confirmed": ("packed", "cancelled"),
    "packed": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": (),
    "cancelled": (),
}
STATUSES = tuple(TRANSITIONS)
SOURCES = ("command", "csv", "email")


class OrderError(BluekitError):
    """An order cannot be added or changed as asked."""


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


@dataclass(frozen=True)
class Partner:
    """Who ordered, and where the parcel goes."""

    organisation: str
    contact: str
    email: str
    street: str
    postcode: str
    city: str
    language: str
    telephone: str | None = None


@dataclass(frozen=True)
class NewOrder:
    """An order as it comes in, before it has a number."""

    partner: Partner
    lines: tuple[tuple[str, int], ...]  # (item code, quantity)
    remarks: str | None = None
    source: str = "command"
    source_ref: str | None = None  # Message-ID or CSV row digest: the same source is added once


@dataclass(frozen=True)
class Event:
    status: str
    at: dt.datetime
    by: str
    carrier: str | None = None
    tracking: str | None = None
    note: str | None = None


@dataclass
class Order:
    """An order with its lines and its history."""

    id: int
    number: str
    year: int
    status: str
    partner: Partner
    lines: list[tuple[str, int]]
    remarks: str | None
    source: str
    source_ref: str | None
    created_at: dt.datetime
    municipality: registry.Municipality | None
    history: list[Event] = field(default_factory=list)

    @property
    def shipment(self) -> Event | None:
        """The shipping step, with carrier and tracking number, once shipped."""
        return next((e for e in reversed(self.history) if e.status == "shipped"), None)

    def as_dict(self) -> dict[str, Any]:
        m = self.municipality
        return {
            "number": self.number,
            "status": self.status,
            "partner": self.partner.__dict__,
            "municipality": m.code if m else None,
            "region": m.region if m else None,
            "province": m.province_nl if m else None,
            "lines": [{"item": item, "quantity": qty} for item, qty in self.lines],
            "remarks": self.remarks,
            "source": self.source,
            "source_ref": self.source_ref,
            "created_at": self.created_at.isoformat(),
            "history": [
                {k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                 for k, v in e.__dict__.items()}
                for e in self.history
            ],
        }


def current_user() -> str:
    """Who is running bluekit, for the history ("by"); the login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --- checking -----------------------------------------------------------------------------------


SINGLE_LINE = ("organisation", "contact", "email", "telephone", "street", "postcode", "city",
               "language")
MAX_QUANTITY = 1_000_000


def ascii_email(address: str) -> str:
    """The address as every mail server takes it: an accented domain in its ASCII form
    (liège.be -> xn--lige-6oa.be); accents before the @ are refused."""
    return validate_email(
        address.strip(), check_deliverability=False, allow_smtputf8=False
    ).ascii_email or address.strip()


def problems_of(campaign: Campaign, order: NewOrder) -> list[str]:
    """Everything wrong with an incoming order, in words a partner's mail can be answered with."""
    from bluekit.pipeline.fonts import unprintable

    problems: list[str] = []
    p = order.partner
    for name in ("organisation", "contact", "email", "street", "postcode", "city"):
        if not getattr(p, name).strip():
            problems.append(f"{name} is missing")
    texts = {name: getattr(p, name) or "" for name in SINGLE_LINE}
    for name, value in texts.items():
        if any(unicodedata.category(c) == "Cc" for c in value):
            problems.append(f"{name} holds a line break or a control character: {value!r}")
    for name, value in [*texts.items(), ("remarks", order.remarks or "")]:
        missing = unprintable(value)
        if missing:
            problems.append(f"{name} holds {', '.join(repr(c) for c in missing)}, which the "
                            "packing slip cannot print")
    if p.email.strip():
        try:
            ascii_email(p.email)
        except EmailNotValidError as exc:
            problems.append(f"e-mail {p.email!r} is not valid ({exc})")
    if p.postcode.strip():
        if not re.fullmatch(r"\d{4}", p.postcode.strip()):
            problems.append(f"postcode {p.postcode!r} is not a Belgian postcode (4 digits)")
        elif registry.by_postcode(p.postcode) is None:
            problems.append(f"postcode {p.postcode} does not exist in Belgium")
    if p.telephone:
        try:
            number = phonenumbers.parse(p.telephone, "BE")
            valid = phonenumbers.is_valid_number(number)
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            problems.append(f"telephone {p.telephone!r} is not a valid number")
    if p.language not in LANGUAGES:
        problems.append(f"language {p.language!r} is not one of {', '.join(LANGUAGES)}")
    catalogue = {m.code for m in campaign.materials}
    seen: set[str] = set()
    for item, quantity in order.lines:
        if item not in catalogue:
            problems.append(f"item {item!r} is not in the {campaign.year} catalogue")
        if item in seen:
            problems.append(f"item {item} is listed twice")
        seen.add(item)
        if quantity <= 0:
            problems.append(f"{item}: the quantity must be at least 1 (got {quantity})")
        elif quantity > MAX_QUANTITY:
            problems.append(f"{item}: {quantity} is more than {MAX_QUANTITY:,} (a typing error?)")
    if not order.lines:
        problems.append("no item ordered")
    if order.source not in SOURCES:
        problems.append(f"source {order.source!r} is not one of {', '.join(SOURCES)}")
    return problems


# --- adding ---------------------------------------------------------------------------------------


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
    p = order.partner
    municipality = registry.by_postcode(p.postcode)
    with store.transaction() as db:
        if order.source_ref and (number := _find_by_ref(db, order.source_ref)):
            existing = number
        else:
            existing = None
            number = _next_number(db, campaign.year)
            at = now()
            order_id = db.execute(
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
            ).inserted_primary_key[0]
            db.execute(
                order_lines.insert(),
                [{"order_id": order_id, "item": i, "quantity": q} for i, q in order.lines],
            )
            db.execute(order_events.insert().values(
                order_id=order_id, status="received", at=at, by=by,
                note=f"from {order.source}" + (f" {order.source_ref}" if order.source_ref else ""),
            ))
        if also is not None:
            also(db, existing or number)
    return get_order(store, existing or number), existing is None


# --- reading --------------------------------------------------------------------------------------


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands datetimes back without their zone; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _order_from_row(row: Any, lines: list[tuple[str, int]], history: list[Event]) -> Order:
    return Order(
        id=row.id,
        number=row.number,
        year=row.year,
        status=row.status,
        partner=Partner(
            organisation=row.organisation,
            contact=row.contact,
            email=row.email,
            street=row.street,
            postcode=row.postcode,
            city=row.city,
            language=row.language,
            telephone=row.telephone,
        ),
        lines=lines,
        remarks=row.remarks,
        source=row.source,
        source_ref=row.source_ref,
        created_at=_as_utc(row.created_at),
        municipality=registry.by_code(row.municipality) if row.municipality else None,
        history=history,
    )


def _load(db: Connection, number: str) -> Order:
    row = db.execute(sa.select(orders).where(orders.c.number == number.strip())).first()
    if row is None:
        raise NotFound(
            f"no order {number!r}", hint="`bluekit orders list` shows the order numbers"
        )
    lines = [
        (r.item, r.quantity)
        for r in db.execute(
            sa.select(order_lines).where(order_lines.c.order_id == row.id)
            .order_by(order_lines.c.item)
        )
    ]
    history = [
        Event(r.status, _as_utc(r.at), r.by, r.carrier, r.tracking, r.note)
        for r in db.execute(
            sa.select(order_events).where(order_events.c.order_id == row.id)
            .order_by(order_events.c.id)
        )
    ]
    return _order_from_row(row, lines, history)


def get_order(store: Store, number: str) -> Order:
    """One order with its lines and history."""
    with store.engine.connect() as db:
        return _load(db, number)


@dataclass(frozen=True)
class OrderFilter:
    """What `orders list` and `orders report` look at; every field narrows the selection."""

    year: int | None = None
    status: str | None = None
    item: str | None = None
    language: str | None = None
    region: str | None = None
    province: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive

    def where(self) -> list[Any]:
        """The SQL conditions on the orders table."""
        conditions: list[Any] = []
        if self.year is not None:
            conditions.append(orders.c.year == self.year)
        if self.status:
            if self.status not in STATUSES:
                raise OrderError(
                    f"no status {self.status!r}", hint=f"use one of {', '.join(STATUSES)}"
                )
            conditions.append(orders.c.status == self.status)
        if self.item:
            conditions.append(
                orders.c.id.in_(
                    sa.select(order_lines.c.order_id).where(order_lines.c.item == self.item)
                )
            )
        if self.language:
            conditions.append(orders.c.language == self.language)
        if self.region or self.province:
            codes = [
                m.code for m in registry.select(region=self.region, province=self.province)
            ]
            conditions.append(orders.c.municipality.in_(codes))
        if self.since:
            conditions.append(orders.c.created_at >= _day_start(self.since))
        if self.until:
            conditions.append(orders.c.created_at < _day_start(self.until + dt.timedelta(1)))
        return conditions


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight in Brussels, as the staff mean a date, in UTC as stored."""
    from zoneinfo import ZoneInfo

    local = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo("Europe/Brussels"))
    return local.astimezone(dt.UTC)


def list_orders(store: Store, selection: OrderFilter | None = None) -> list[Order]:
    """Orders matching the filter, oldest first, with their lines (history left out)."""
    selection = selection or OrderFilter()
    with store.engine.connect() as db:
        rows = db.execute(
            sa.select(orders).where(*selection.where()).order_by(orders.c.id)
        ).all()
        lines: dict[int, list[tuple[str, int]]] = {}
        selected = sa.select(orders.c.id).where(*selection.where()).scalar_subquery()
        for r in db.execute(
            sa.select(order_lines).where(order_lines.c.order_id.in_(selected))
            .order_by(order_lines.c.item)
        ):
            lines.setdefault(r.order_id, []).append((r.item, r.quantity))
    return [_order_from_row(row, lines.get(row.id, []), []) for row in rows]


# --- changing status ------------------------------------------------------------------------------


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
        order = _load(db, number)
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
        stock.ensure_opening(db, campaign, by)
        if status == "confirmed":
            shortages = stock.reserve(db, campaign.year, order.lines, order.id, by)
            if shortages:
                if not backorder:
                    raise StockShort(order.number, shortages)
                if order.status == "backordered":
                    raise OrderError(
                        f"order {order.number} stays on back-order: still short of "
                        + ", ".join(f"{s.item} ({s.wanted - s.available})" for s in shortages),
                        hint="receive the missing stock first",
                    )
                status = "backordered"
                note = "; ".join(
                    [*(f"{s.item}: {s.wanted - s.available} short" for s in shortages),
                     *([note] if note else [])]
                )
        elif status == "backordered":
            raise OrderError(
                "an order is put on back-order by confirming it with --backorder",
                hint=f"bluekit orders confirm {order.number} --backorder",
            )
        elif status == "shipped":
            stock.ship(db, campaign.year, order.lines, order.id, by)
        elif status == "cancelled" and order.status in ("confirmed", "packed"):
            stock.release(db, campaign.year, order.lines, order.id, by)
        # Only if nobody moved it meanwhile: on PostgreSQL the read above takes no lock, and two
        # people shipping the same order at once must not take its stock out twice.
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
        return _load(db, order.number)


def backorders(store: Store, year: int) -> list[Order]:
    """Orders waiting on back-order, oldest first: confirm them when the stock has come in."""
    return list_orders(store, OrderFilter(year=year, status="backordered"))
