"""Order totals per item, per language and per province, for the team and for the reprint
decisions; exported as CSV in Excel's Belgian dialect and as a real Excel workbook.

Cancelled orders are left out of the totals (unless they are what the filter asks for).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from bluekit.campaign.model import Campaign
from bluekit.files.excel_csv import excel_csv, looks_like_formula
from bluekit.ledger.orders import OrderFilter
from bluekit.municipalities import registry
from bluekit.store.database import Store
from bluekit.store.tables import order_lines, orders

SHIPPED = ("shipped", "delivered")
GROUPS = ("item", "language", "province")


@dataclass(frozen=True)
class ReportRow:
    """One total: how many orders, pieces ordered and pieces shipped for an item, a language
    or a province."""

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
    store: Store, campaign: Campaign, selection: OrderFilter | None = None
) -> list[ReportRow]:
    """The totals, item by item (catalogue order), language by language, province by province."""
    selection = selection or OrderFilter(year=campaign.year)
    where = selection.where()
    if not selection.status:
        where.append(orders.c.status != "cancelled")
    query = (
        sa.select(orders.c.id, orders.c.language, orders.c.municipality, orders.c.status,
                  order_lines.c.item, order_lines.c.quantity)
        .join(order_lines, order_lines.c.order_id == orders.c.id)
        .where(*where)
    )
    if selection.item:
        query = query.where(order_lines.c.item == selection.item)
    totals: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [set(), 0, 0])
    names: dict[tuple[str, str], str] = {}
    with store.engine.connect() as db:
        for row in db.execute(query):
            province, province_name = _province(row.municipality)
            for group, key, name in (
                ("item", row.item, None),
                ("language", row.language, row.language),
                ("province", province, province_name),
            ):
                total = totals[(group, key)]
                total[0].add(row.id)
                total[1] += row.quantity
                total[2] += row.quantity if row.status in SHIPPED else 0
                if name:
                    names[(group, key)] = name
    for m in campaign.materials:
        names[("item", m.code)] = m.name["en"] if "en" in m.name else m.name[campaign.languages[0]]
    order_of_items = {m.code: i for i, m in enumerate(campaign.materials)}

    def sort_key(key: tuple[str, str]) -> tuple[int, Any]:
        group, value = key
        rank = GROUPS.index(group)
        return (rank, (order_of_items.get(value, 999), value) if group == "item" else value)

    return [
        ReportRow(group, key, names.get((group, key), key), len(t[0]), t[1], t[2])
        for (group, key), t in sorted(totals.items(), key=lambda kv: sort_key(kv[0]))
    ]


COLUMNS = ("group", "key", "name", "orders", "quantity", "shipped")


def report_csv(rows: list[ReportRow]) -> bytes:
    """CSV as Excel in Belgium reads and writes it: UTF-8 with BOM, `;`, CRLF."""
    return excel_csv(COLUMNS, ([getattr(r, c) for c in COLUMNS] for r in rows))


def report_xlsx(rows: list[ReportRow], campaign: Campaign, made: dt.datetime) -> bytes:
    """An Excel workbook: a sheet per group (items, languages, provinces), numbers as numbers."""
    # imported here: openpyxl takes a tenth of a second to load, and only this needs it
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    titles = {"item": "Items", "language": "Languages", "province": "Provinces"}
    for group in GROUPS:
        sheet = book.create_sheet(titles[group])
        sheet.append([group.capitalize(), "Name", "Orders", "Quantity", "Shipped"])
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
