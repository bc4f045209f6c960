"""Order totals per item, per language and per province, for the team and for the reprint
decisions, and per person, who took which steps; exported as CSV in Excel's Belgian dialect and
as a real Excel workbook.

Cancelled orders are left out of the totals (unless they are what the filter asks for). Plain
SQL through a `Reader`, so that `orders report` runs without loading SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from bluekit.campaign.catalogue import Catalogue
from bluekit.files.excel_csv import excel_csv, looks_like_formula
from bluekit.ledger.orders import STATUSES, OrderFilter, reading
from bluekit.municipalities import registry
from bluekit.store.reader import Reader

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.store.database import Store

SHIPPED = ("shipped", "delivered")
GROUPS = ("item", "language", "province", "person")


@dataclass(frozen=True)
class ReportRow:
    """One total: how many orders, pieces ordered and pieces shipped for an item, a language
    or a province; for a person (the name the steps were recorded with), the orders they took
    a step on, their pieces, the pieces they shipped, and as `name` the steps they took."""

    group: str
    key: str
    name: str
    orders: int
    quantity: int
    shipped: int


def _province(code: str | None) -> tuple[str, str]:
    m = registry.by_code(code) if code else None
    if m is None:
        return "-", "unknown"
    if m.province_code is None:
        return "04000", "Brussels-Capital / Brussel-Hoofdstad / Bruxelles-Capitale"
    names = [registry.province_short_name(n) for n in (m.province_nl, m.province_fr) if n]
    return m.province_code, " / ".join(dict.fromkeys(names))


_SHIPPED = "CASE WHEN o.status IN ('shipped', 'delivered') THEN l.quantity ELSE 0 END"
# per order of the selection, its pieces (of the item asked for, if one is)
_PIECES = ("WITH pieces AS (SELECT o.id AS id, sum(l.quantity) AS q FROM orders o JOIN "
           "order_lines l ON l.order_id = o.id WHERE {where} GROUP BY o.id) ")


def order_report(
    source: Store | Reader, campaign: Campaign | Catalogue, selection: OrderFilter | None = None
) -> list[ReportRow]:
    """The totals, item by item (catalogue order), language by language, province by
    province, then person by person; added up by the database."""
    selection = selection or OrderFilter(year=campaign.year)
    totals: dict[tuple[str, str], tuple[int, int, int]] = {}
    names: dict[tuple[str, str], str] = {}
    with reading(source) as reader:
        where, params = selection.sql(reader)
        if not selection.status:
            where += " AND o.status <> 'cancelled'"
        if selection.item:
            where, params = where + " AND l.item = ?", [*params, selection.item]
        for group, column in (("item", "l.item"), ("language", "o.language"),
                              ("province", "o.municipality")):
            for key, *counts in reader.rows(
                f"SELECT {column}, count(DISTINCT o.id), sum(l.quantity), sum({_SHIPPED}) FROM "
                f"orders o JOIN order_lines l ON l.order_id = o.id WHERE {where} "
                f"GROUP BY {column}", params,
            ):
                if group == "province":  # a municipality's totals to its province's
                    key, names[(group, key)] = _province(key)
                    counts = [a + b for a, b in zip(totals.get((group, key), (0, 0, 0)),
                                                    counts, strict=True)]
                elif group == "language":
                    names[(group, key)] = key
                totals[(group, key)] = (int(counts[0]), int(counts[1]), int(counts[2]))
        _people(reader, where, params, totals, names)
    catalogue = campaign if isinstance(campaign, Catalogue) else Catalogue.of(campaign)
    for m in catalogue.materials:
        names[("item", m.code)] = m.name["en"] if "en" in m.name else m.name[catalogue.languages[0]]
    order_of_items = {m.code: i for i, m in enumerate(catalogue.materials)}

    def sort_key(key: tuple[str, str]) -> tuple[int, Any]:
        group, value = key
        rank = GROUPS.index(group)
        return (rank, (order_of_items.get(value, 999), value) if group == "item" else value)

    return [
        ReportRow(group, key, names.get((group, key), key), *t)
        for (group, key), t in sorted(totals.items(), key=lambda kv: sort_key(kv[0]))
    ]


def _people(
    reader: Reader, where: str, params: list[Any],
    totals: dict[tuple[str, str], tuple[int, int, int]], names: dict[tuple[str, str], str],
) -> None:
    """Each person's totals (the orders of the selection they took a step on, their pieces,
    the pieces they shipped) and, as their row's name, the steps they took."""
    pieces = _PIECES.format(where=where)
    for by, orders_count, quantity, shipped in reader.rows(
        pieces + "SELECT d.who, count(*), sum(p.q), sum(CASE WHEN d.shipped = 1 THEN p.q ELSE 0 "
        "END) FROM (SELECT e.by AS who, e.order_id AS order_id, max(CASE WHEN e.status = "
        "'shipped' THEN 1 ELSE 0 END) AS shipped FROM order_events e GROUP BY e.by, "
        "e.order_id) d JOIN pieces p ON p.id = d.order_id GROUP BY d.who", params,
    ):
        totals[("person", by)] = (int(orders_count), int(quantity), int(shipped))
    taken: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for by, status, count in reader.rows(
        pieces + "SELECT e.by, e.status, count(*) FROM order_events e JOIN pieces p ON "
        "p.id = e.order_id GROUP BY e.by, e.status", params,
    ):
        taken[by][status] = int(count)
    for by, counts in taken.items():
        names[("person", by)] = ", ".join(f"{status} {n}" for status, n in counts.items() if n)


COLUMNS = ("group", "key", "name", "orders", "quantity", "shipped")


def report_csv(rows: list[ReportRow]) -> bytes:
    """CSV as Excel in Belgium reads and writes it: UTF-8 with BOM, `;`, CRLF."""
    return excel_csv(COLUMNS, ([getattr(r, c) for c in COLUMNS] for r in rows))


def report_xlsx(rows: list[ReportRow], campaign: Campaign | Catalogue, made: dt.datetime) -> bytes:
    """An Excel workbook: a sheet per group (items, languages, provinces), numbers as numbers."""
    # imported here: openpyxl takes a tenth of a second to load, and only this needs it
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    titles = {"item": "Items", "language": "Languages", "province": "Provinces",
              "person": "People"}
    for group in GROUPS:
        sheet = book.create_sheet(titles[group])
        named = "Steps taken" if group == "person" else "Name"
        sheet.append([group.capitalize(), named, "Orders", "Quantity", "Shipped"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for r in (r for r in rows if r.group == group):
            sheet.append([r.key, r.name, r.orders, r.quantity, r.shipped])
            for cell in sheet[sheet.max_row]:
                if looks_like_formula(cell.value):
                    # text, never a formula: as Excel keeps a text typed with a leading '
                    cell.data_type, cell.quotePrefix = "s", True
        for index, width in enumerate((16, 44, 10, 12, 12), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
    book.properties.title = f"Blue Heart {campaign.year} – orders"
    book.properties.creator = "bluekit"
    book.properties.created = made.replace(tzinfo=None)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_dicts(rows: list[ReportRow]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]
