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


def order_report(
    source: Store | Reader, campaign: Campaign | Catalogue, selection: OrderFilter | None = None
) -> list[ReportRow]:
    """The totals, item by item (catalogue order), language by language, province by
    province, then person by person."""
    selection = selection or OrderFilter(year=campaign.year)
    with reading(source) as reader:
        where, params = selection.sql(reader)
        if not selection.status:
            where += " AND o.status <> 'cancelled'"
        item = " AND l.item = ?" if selection.item else ""
        found = reader.rows(
            "SELECT o.id, o.language, o.municipality, o.status, l.item, l.quantity FROM orders o"
            f" JOIN order_lines l ON l.order_id = o.id WHERE {where}{item}",
            [*params, *([selection.item] if selection.item else [])],
        )
        steps = reader.rows(
            f"SELECT e.by, e.status, e.order_id FROM order_events e JOIN orders o ON o.id = "
            f"e.order_id WHERE {where} ORDER BY e.id", params,
        )
    totals: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [set(), 0, 0])
    names: dict[tuple[str, str], str] = {}
    pieces: dict[int, int] = defaultdict(int)
    for order_id, language, municipality, status, code, quantity in found:
        province, province_name = _province(municipality)
        pieces[order_id] += quantity
        for group, key, name in (("item", code, None), ("language", language, language),
                                 ("province", province, province_name)):
            total = totals[(group, key)]
            total[0].add(order_id)
            total[1] += quantity
            total[2] += quantity if status in SHIPPED else 0
            if name:
                names[(group, key)] = name
    names.update(_people(steps, pieces, totals))
    catalogue = campaign if isinstance(campaign, Catalogue) else Catalogue.of(campaign)
    for m in catalogue.materials:
        names[("item", m.code)] = m.name["en"] if "en" in m.name else m.name[catalogue.languages[0]]
    order_of_items = {m.code: i for i, m in enumerate(catalogue.materials)}

    def sort_key(key: tuple[str, str]) -> tuple[int, Any]:
        group, value = key
        rank = GROUPS.index(group)
        return (rank, (order_of_items.get(value, 999), value) if group == "item" else value)

    return [
        ReportRow(group, key, names.get((group, key), key), len(t[0]), t[1], t[2])
        for (group, key), t in sorted(totals.items(), key=lambda kv: sort_key(kv[0]))
    ]


def _people(
    steps: list[tuple[Any, ...]], pieces: dict[int, int],
    totals: dict[tuple[str, str], list[Any]],
) -> dict[tuple[str, str], str]:
    """Add each person's totals (the orders of the selection they took a step on); returns
    the steps each took, as their row's name ("received 12, shipped 3")."""
    taken: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for by, status, order_id in steps:
        if order_id not in pieces:  # an order the selection leaves out (another item...)
            continue
        total = totals[("person", by)]
        if order_id not in total[0]:
            total[0].add(order_id)
            total[1] += pieces[order_id]
        if status == "shipped":
            total[2] += pieces[order_id]
        taken[by][status] += 1
    return {
        ("person", by): ", ".join(f"{status} {n}" for status, n in counts.items() if n)
        for by, counts in taken.items()
    }


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
