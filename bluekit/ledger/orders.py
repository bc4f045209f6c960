"""Material orders: what partners ordered, each order's status history, and finding orders.

An order gets a number (`2024-0001`) that is never reused, starts as "received" and moves only
along the allowed steps (`TRANSITIONS`); every step is recorded with its time and who took it.
Adding an order is `order_entry.py`, checking one `order_checks.py`, moving it on with its stock
effects `order_status.py`.

Listing orders is plain SQL through a `Reader` (`bluekit.store.reader`), so that `orders list`
runs without loading SQLAlchemy; the rest takes SQLAlchemy where it is used.
"""

from __future__ import annotations

import datetime as dt
import getpass
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bluekit.errors import BluekitError, NotFound
from bluekit.language import LANGUAGES, Language
from bluekit.municipalities import registry
from bluekit.store.reader import Reader, stored_time

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from bluekit.store.database import Store

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


@dataclass(frozen=True)
class Partner:
    """Who ordered, and where the parcel goes."""

    organisation: str
    contact: str
    email: str
    street: str
    postcode: str
    city: str
    language: str  # as given; `order_checks.problems_of` holds it to one of LANGUAGES
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

    @property
    def language(self) -> Language:
        """The partner's language, which the order's papers are written in."""
        lang = self.partner.language
        if lang not in LANGUAGES:  # never so: an order is only added with a language of these
            raise OrderError(f"order {self.number} has no known language ({lang!r})")
        return lang

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


# The columns of the orders table, in the order `list_orders` selects them.
COLUMNS = ("id", "number", "year", "status", "organisation", "contact", "email", "telephone",
           "street", "postcode", "city", "language", "municipality", "remarks", "source",
           "source_ref", "created_at")
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
        created_at=stored_time(row.created_at),
        municipality=registry.by_code(row.municipality) if row.municipality else None,
        history=history,
    )


def load_order(db: Connection, number: str, *, lock: bool = False) -> Order:
    """One order with its lines and history, read in the caller's transaction; with `lock`,
    its row stays locked until the transaction ends (on PostgreSQL; SQLite's transaction
    holds the whole file already), so that two people moving it at once take turns."""
    import sqlalchemy as sa

    from bluekit.store.tables import order_events, order_lines, orders

    query = sa.select(orders).where(orders.c.number == number.strip())
    row = db.execute(query.with_for_update() if lock else query).first()
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
        Event(r.status, stored_time(r.at), r.by, r.carrier, r.tracking, r.note)
        for r in db.execute(
            sa.select(order_events).where(order_events.c.order_id == row.id)
            .order_by(order_events.c.id)
        )
    ]
    return _order_from_row(row, lines, history)


def get_order(store: Store, number: str) -> Order:
    """One order with its lines and history."""
    with store.engine.connect() as db:
        return load_order(db, number)


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

    def sql(self, reader: Reader) -> tuple[str, list[Any]]:
        """The SQL condition on the orders table (as `o`) and its parameters."""
        conditions: list[str] = []
        params: list[Any] = []

        def add(condition: str, *values: Any) -> None:
            conditions.append(condition)
            params.extend(values)

        if self.year is not None:
            add("o.year = ?", self.year)
        if self.status:
            if self.status not in STATUSES:
                raise OrderError(
                    f"no status {self.status!r}", hint=f"use one of {', '.join(STATUSES)}"
                )
            add("o.status = ?", self.status)
        if self.item:
            add("o.id IN (SELECT order_id FROM order_lines WHERE item = ?)", self.item)
        if self.language:
            add("o.language = ?", self.language)
        if self.region or self.province:
            codes = [m.code for m in registry.select(region=self.region, province=self.province)]
            add(f"o.municipality IN ({', '.join('?' * len(codes)) or 'NULL'})", *codes)
        if self.since:
            add("o.created_at >= ?", reader.moment(_day_start(self.since)))
        if self.until:
            add("o.created_at < ?", reader.moment(_day_start(self.until + dt.timedelta(1))))
        return " AND ".join(conditions) or "1 = 1", params


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight in Brussels, as the staff mean a date, in UTC as stored."""
    from zoneinfo import ZoneInfo

    local = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo("Europe/Brussels"))
    return local.astimezone(dt.UTC)


def reading(source: Store | Reader) -> AbstractContextManager[Reader]:
    """A Reader on `source`: the one given, or one of the Store's connections."""
    return nullcontext(source) if isinstance(source, Reader) else source.reader()


def list_orders(source: Store | Reader, selection: OrderFilter | None = None) -> list[Order]:
    """Orders matching the filter, oldest first, with their lines (history left out)."""
    selection = selection or OrderFilter()
    with reading(source) as reader:
        where, params = selection.sql(reader)
        found = reader.rows(
            f"SELECT {', '.join(COLUMNS)} FROM orders o WHERE {where} ORDER BY o.id", params
        )
        lines: dict[int, list[tuple[str, int]]] = {}
        for order_id, item, quantity in reader.rows(
            "SELECT l.order_id, l.item, l.quantity FROM order_lines l JOIN orders o ON o.id = "
            f"l.order_id WHERE {where} ORDER BY l.order_id, l.item", params
        ):
            lines.setdefault(order_id, []).append((item, quantity))
    return [_listed(row, lines.get(row[0], [])) for row in found]


def _listed(row: tuple[Any, ...], lines: list[tuple[str, int]]) -> Order:
    """An order of a listing from its row (the COLUMNS, in order): the quick way of
    `_order_from_row`, for 100,000 of them."""
    (key, number, year, status, organisation, contact, email, telephone, street, postcode, city,
     language, municipality, remarks, source, source_ref, created_at) = row
    return Order(
        key, number, year, status,
        Partner(organisation, contact, email, street, postcode, city, language, telephone),
        lines, remarks, source, source_ref, stored_time(created_at),
        registry.by_code(municipality) if municipality else None,
    )
