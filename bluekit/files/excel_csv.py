"""CSV as Excel in Belgium saves and opens it: UTF-8 with a byte-order mark, `;` between fields,
CRLF line ends. bluekit reads that (and also `,`, as other programs write; `tables.py` reads
them) and writes exactly that, so a file staff keep in Excel goes back and forth unchanged.

Text from outside (a building named in a reply, a partner's organisation) can start like a
spreadsheet formula, and Excel runs `=HYPERLINK(...)`, `+cmd|...` or `@SUM(...)` when the file is
opened. Every cell bluekit writes is neutralised as OWASP's "CSV Injection" page says: a text
that starts with = + - @, a tab or a carriage return gets a single quote in front, so Excel
shows it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def delimiter_of(text: str) -> str:
    """`;` (Excel in Belgium) or `,`, whichever the first line uses more."""
    first = text.splitlines()[0] if text.strip() else ""
    return ";" if first.count(";") >= first.count(",") else ","


# What makes a cell a formula to Excel or LibreOffice (OWASP, "CSV Injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would read the value as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralised(value: object) -> object:
    """The value as a cell Excel shows as text: a text that starts like a formula gets a
    single quote in front; numbers stay numbers."""
    return f"'{value}" if looks_like_formula(value) else value


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A header and rows as bytes Excel in Belgium opens with every accent and column right,
    and no cell read as a formula."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(cell) for cell in header])
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
