"""Orders from a CSV, as gathered in Excel: one row per order, a column per partner field (by
its English name or its label on the order form, in any language) and one per item code.

Every bad row is reported at once, with its line, and then nothing is imported. A row imported
again is recognised by its content (or its own `reference` column), so an import is safe to
repeat.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from bluekit.campaign.model import Campaign
from bluekit.errors import Location, Problem, ValidationFailed
from bluekit.files.tables import read_table
from bluekit.ledger.order_checks import problems_of
from bluekit.ledger.order_form_reader import form_labels, label_key, parse_quantity
from bluekit.ledger.orders import NewOrder, Partner

CSV_FIELDS = ("organisation", "contact", "email", "telephone", "street", "postcode", "city",
              "language", "remarks", "reference")


def read_orders_csv(
    campaign: Campaign, path: Path, known: Callable[[list[str]], Collection[str]] | None = None,
) -> list[NewOrder]:
    """Orders from a CSV or an `.xlsx` (one row per order, one column per item code); every bad
    row is reported at once, with its line, and then nothing is imported. A row `known` names
    (by its source reference: imported before, so it will be skipped) is not checked again."""
    table = read_table(path)
    header, rows = table.header, table.rows
    catalogue = {m.code for m in campaign.materials}
    columns, problems = _columns(path, header, catalogue)
    seen: dict[str, int] = {}
    found = [(line, values, _row_ref(values, seen))
             for line, values in _row_values(header, columns, rows)]
    done = set(known([ref for _, _, ref in found])) if known else set()
    result: list[NewOrder] = []
    for line, values, ref in found:
        lines, row_problems = _lines(values, catalogue)
        order = _order(values, lines, ref)
        if ref not in done:
            row_problems += problems_of(campaign, order)
            problems += [Problem(Location(path, line), p) for p in row_problems]
        result.append(order)
    if problems:
        raise ValidationFailed(path, problems, what="orders CSV")
    return result


def _row_values(
    header: list[str], columns: dict[int, str], rows: list[tuple[int, list[str]]]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row that is not empty, with its line: column name -> value."""
    wanted = sorted(columns.items())
    every = [name for _, name in wanted] if len(wanted) == len(header) else None
    for line, row in rows:
        if every is not None and len(row) == len(every):  # every column known: the quick way
            values = dict(zip(every, map(str.strip, row), strict=True))
        else:
            values = {name: row[i].strip() for i, name in wanted if i < len(row)}
        if any(values.values()):
            yield line, values


def _columns(
    path: Path, header: list[str], catalogue: set[str]
) -> tuple[dict[int, str], list[Problem]]:
    """What each column holds (an item code or a field name), and the columns not understood."""
    columns: dict[int, str] = {}
    problems: list[Problem] = []
    for index, title in enumerate(header):
        key = title.strip()
        if key.upper() in catalogue:
            columns[index] = key.upper()
        elif key.casefold() in CSV_FIELDS:
            columns[index] = key.casefold()
        elif label_key(key) in form_labels():
            columns[index] = form_labels()[label_key(key)]
        elif key:
            problems.append(Problem(
                Location(path, 1, index + 1), f"unknown column {key!r}",
                hint=f"use {', '.join(CSV_FIELDS)} and the item codes ({', '.join(catalogue)})",
            ))
    return columns, problems


def _lines(values: dict[str, str], catalogue: set[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """The order lines of a row (an empty quantity or 0 is no line), and the quantities that
    are none."""
    lines: list[tuple[str, int]] = []
    problems: list[str] = []
    for code in (c for c in values if c in catalogue and values[c]):
        try:
            quantity = parse_quantity(values[code])
        except ValueError:
            problems.append(f"{code}: {values[code]!r} is not a quantity")
            continue
        if quantity:
            lines.append((code, quantity))
    return lines, problems


def _row_ref(values: dict[str, str], seen: dict[str, int]) -> str:
    """The source reference of a row: its `reference`, else the digest of its content.
    Identical rows in one file are told apart by their rank (`seen` counts them)."""
    digest = values.get("reference") or hashlib.sha256(
        "\x1f".join(f"{k}={values[k]}" for k in sorted(values)).encode()
    ).hexdigest()[:32]
    seen[digest] = seen.get(digest, 0) + 1
    return f"csv:{digest}" + (f"#{seen[digest]}" if seen[digest] > 1 else "")


def _order(values: dict[str, str], lines: list[tuple[str, int]], ref: str) -> NewOrder:
    return NewOrder(
        Partner(
            organisation=values.get("organisation", ""),
            contact=values.get("contact", ""),
            email=values.get("email", ""),
            street=values.get("street", ""),
            postcode=values.get("postcode", ""),
            city=values.get("city", ""),
            language=(values.get("language") or "").lower(),
            telephone=values.get("telephone") or None,
        ),
        tuple(lines),
        values.get("remarks") or None,
        "csv",
        ref,
    )
