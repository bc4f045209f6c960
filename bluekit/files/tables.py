"""Tables staff keep in Excel, read as bluekit reads every one of them (contacts, lighting
replies, orders): a CSV, or the first sheet of an `.xlsx` workbook.

A CSV is UTF-8 when Excel saves it as "CSV UTF-8"; its plain "CSV (gescheiden door
lijstscheidingsteken)" is written in the Windows (ANSI) code page, cp1252. bluekit reads UTF-8
first and cp1252 when the file is not UTF-8, and says so (a note on the command line), since a
file in yet another code page would read as cp1252 with wrong accents. Numbers in a workbook
come back as they read in Excel (11001, not 11001.0; a time as 21:00).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bluekit.errors import InputFileError
from bluekit.files.excel_csv import delimiter_of

log = logging.getLogger("bluekit.files")

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
UTF8, ANSI, WORKBOOK = "UTF-8", "Windows-1252 (ANSI)", "Excel workbook"


@dataclass(frozen=True)
class Table:
    """The rows of a table file: the first row's names, then each row with its line (CSV) or
    row number (workbook), for the messages that point at it."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]
    read_as: str  # UTF8, ANSI or WORKBOOK

    @property
    def names(self) -> list[str]:
        """The column names, stripped and in lower case."""
        return [name.strip().lower() for name in self.header]

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each row as its line and a mapping of column name to stripped value ('' where the
        row is short); cells beyond the named columns are left out."""
        names = self.names
        for line, cells in self.rows:
            values = {name: (cells[i].strip() if i < len(cells) else "")
                      for i, name in enumerate(names) if name}
            yield line, values


def read_table(path: Path, *, missing_hint: str = "") -> Table:
    """The rows of a CSV or `.xlsx` file; a clear error when it cannot be read."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        rows = _workbook_rows(path, missing_hint)
        read_as = WORKBOOK
    else:
        text, read_as = _csv_text(path, missing_hint)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
        try:
            rows = [(reader.line_num, row) for row in reader]
        except csv.Error as exc:
            raise InputFileError(f"{path}:{reader.line_num}: not a readable CSV row ({exc})",
                                 hint="check the quotes on that line") from None
    if not rows:
        raise InputFileError(f"{path}: empty", hint="the first row names the columns")
    return Table(path, rows[0][1], rows[1:], read_as)


def _csv_text(path: Path, missing_hint: str) -> tuple[str, str]:
    raw = _bytes(path, missing_hint)
    try:
        return raw.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputFileError(
            f"{path}: neither UTF-8 nor Windows-1252 text",
            hint="in Excel choose Save as > 'CSV UTF-8 (comma delimited) (*.csv)'",
        ) from None
    log.info("%s is not UTF-8: read as %s, the code page of Excel's plain CSV; if accents look "
             "wrong, save it as 'CSV UTF-8'", path, ANSI)
    return text, ANSI


def _bytes(path: Path, missing_hint: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file", hint=missing_hint) from None
    except OSError as exc:  # a folder, no permission, a file Excel holds locked
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})",
                             hint="close it in Excel if it is open there") from None


def _workbook_rows(path: Path, missing_hint: str) -> list[tuple[int, list[str]]]:
    """The rows of the workbook's first sheet as text, with their row numbers."""
    # imported here: openpyxl takes a tenth of a second to load, and only workbooks need it
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    _bytes(path, missing_hint)  # the same errors as for a CSV when it is missing
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputFileError(f"{path}: not an Excel workbook bluekit can read ({exc})",
                             hint="save it again in Excel as 'Excel Workbook (*.xlsx)'") from None
    try:
        sheet = book.worksheets[0]
        rows = [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    while rows and not any(rows[-1][1]):  # Excel's formatted but empty rows at the end
        rows.pop()
    return rows


def _cell_text(value: object) -> str:
    """A cell as the text Excel shows for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
