"""CSV as Excel in Belgium saves and opens it: UTF-8 with a byte-order mark, `;` between fields,
CRLF line ends. bluekit reads that (and also `,`, as other programs write) and writes exactly
that, so a file staff keep in Excel goes back and forth unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from bluekit.errors import InputFileError


def read_text(path: Path, *, missing_hint: str = "") -> str:
    """The text of a CSV file (byte-order mark dropped), or a clear error if it cannot be."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file", hint=missing_hint) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(
            f"{path}: not UTF-8 text",
            hint="in Excel choose Save as > 'CSV UTF-8 (comma delimited) (*.csv)'",
        ) from None


def delimiter_of(text: str) -> str:
    """`;` (Excel in Belgium) or `,`, whichever the first line uses more."""
    first = text.splitlines()[0] if text.strip() else ""
    return ";" if first.count(";") >= first.count(",") else ","


def dict_reader(text: str) -> csv.DictReader[str]:
    """Rows as dictionaries keyed by the first row's names, stripped and in lower case."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    return reader


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A header and rows as bytes Excel in Belgium opens with every accent and column right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
