"""The contacts CSV in the dialect of Excel in Belgium."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bluekit.errors import InputFileError, ValidationFailed
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import (
    COLUMNS,
    Contact,
    read_contacts,
    write_contacts,
    write_template,
)

from .conftest import EXAMPLE_CONTACTS

HEADER = "refnis;municipality;email;addressee;street;postcode;city;language\r\n"


def _write(tmp_path: Path, body: str, *, bom: bool = True, header: str = HEADER) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + (header + body).encode("utf-8"))
    return path


def test_the_example_file_reads_with_the_language_regime() -> None:
    contacts = read_contacts(EXAMPLE_CONTACTS)
    assert len(contacts) >= 5
    schaarbeek = contacts["21015"]
    assert schaarbeek.languages_for(registry.find("Schaarbeek")) == ("nl", "fr")
    assert contacts["63049"].languages == ("fr",)  # Malmedy chose French only
    assert all(c.email.endswith("example.org") for c in contacts.values())


def test_a_round_trip_keeps_everything_in_excels_dialect(tmp_path: Path) -> None:
    original = read_contacts(EXAMPLE_CONTACTS)
    out = tmp_path / "out.csv"
    write_contacts(out, original)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.splitlines()[0].decode("utf-8-sig").split(";")
    assert b"\r\n" in raw and header[:8] == list(COLUMNS)
    assert "street_fr" in header and "city_de" not in header  # only the columns in use
    assert read_contacts(out) == original
    assert "Liège" in raw.decode("utf-8-sig")


def test_commas_and_a_missing_bom_are_accepted(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "34022,Kortrijk,info@kortrijk.example.org,College,Grote Markt 1,8500,Kortrijk,\n",
        bom=False,
        header=HEADER.replace(";", ","),
    )
    assert read_contacts(path)["34022"] == Contact(
        "34022", "info@kortrijk.example.org", "College", "Grote Markt 1", "8500", "Kortrijk"
    )


def test_every_bad_row_is_named_by_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "99999;Nowhere;a@example.org;;;;;\r\n"
        "34022;Kortrijk;info@kortrijk.example.org;;;;;\r\n"
        "34022;Kortrijk;other@kortrijk.example.org;;;;;\r\n"
        "62063;Liège;not-an-address;;;;;\r\n"
        "63023;Eupen;info@eupen.example.org;;;;;es\r\n",
    )
    with pytest.raises(ValidationFailed) as info:
        read_contacts(path)
    found = [(p.location.line, p.field) for p in info.value.problems]
    assert found == [(2, "refnis"), (4, "refnis"), (5, "email"), (6, "language")]
    messages = [p.message for p in info.value.problems]
    assert "unknown REFNIS code '99999'" in messages[0]
    assert "already has a row on line 3" in messages[1]
    assert "not-an-address" in messages[2]


def test_a_file_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "x;y\r\n", header="name;mail\r\n")
    with pytest.raises(InputFileError, match="missing column"):
        read_contacts(path)


def test_a_misspelt_column_for_one_language_is_refused_with_the_right_name(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "63023;Eupen;a@eupen.be;;;;;;Collège communal\r\n",
                  header=HEADER.replace("\r\n", ";adressee_fr\r\n"))
    with pytest.raises(InputFileError, match="unknown column 'adressee_fr' \\(did you mean "
                       "'addressee_fr'\\?\\)"):
        read_contacts(path)


def test_a_template_row_with_only_a_note_of_ones_own_is_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, "63023;Eupen;;;;;;;call back in May\r\n",
                  header=HEADER.replace("\r\n", ";notes\r\n"))
    assert read_contacts(path) == {}


def test_the_template_lists_all_565_and_reads_back_empty(tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    assert write_template(path) == 565
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) == 565 and rows[0]["refnis"] == "11001"
    assert read_contacts(path) == {}  # nothing filled in yet
    with pytest.raises(InputFileError, match="already exists"):
        write_template(path)
