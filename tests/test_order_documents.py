"""The papers and reports of orders: packing slips, order e-mails, totals and their exports, and
the `orders` and `stock` commands as staff use them."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from email import message_from_bytes, policy

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.ledger.documents import plan_order_documents, slip_job
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_report import order_report, report_csv, report_xlsx
from bluekit.ledger.order_status import change_status
from bluekit.ledger.orders import NewOrder, OrderError, Partner, get_order
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import TextOverflowError, render
from bluekit.store.database import Store

from .conftest import CAMPAIGN_2024
from .test_order_intake import filled_form, mail

CAMPAIGN = load_campaign(CAMPAIGN_2024)
C = str(CAMPAIGN_2024)

EUPEN = Partner("Stadt Eupen", "Jürgen Müller", "juergen.mueller@eupen.be", "Am Stadthaus 1",
                "4700", "Eupen", "de")
GENT = Partner("Stad Gent", "Piet De Smet", "piet@stad.gent", "Botermarkt 1", "9000", "Gent", "nl")


def _shipped(store: Store, partner: Partner, *lines: tuple[str, int]) -> str:
    added, _ = add_order(store, CAMPAIGN, NewOrder(partner, lines, remarks="Bitte an den Empfang"))
    for step in ("confirmed", "packed"):
        change_status(store, CAMPAIGN, added.number, step)
    change_status(store, CAMPAIGN, added.number, "shipped", carrier="bpost",
                  tracking="323299901234567")
    return added.number


def test_the_packing_slip_is_an_a4_pdf_in_the_partners_language(store, tmp_path) -> None:
    number = _shipped(store, EUPEN, ("POSTER-A3-DE", 40), ("BROCHURE-DE", 100))
    out = tmp_path / "dist"
    write_outputs(plan_order_documents(CAMPAIGN, [get_order(store, number)]), out)
    pdf = PdfReader(out / "orders" / number / f"packing-slip-{number}.pdf")
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    size = (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4))
    assert size == (210, 297)
    text = pdf.pages[0].extract_text()
    for expected in ("Lieferschein", "LIEFERUNG AN", "Stadt Eupen", "Jürgen Müller", "4700 Eupen",
                     number, "Plakat A3 – Deutsch", "Informationsbroschüre", "Bitte an den Empfang",
                     "Verpackt von", "FÖD Justiz"):
        assert expected in text, expected
    assert text.index("Plakat A3") < text.index("Informationsbroschüre")  # catalogue order


def test_every_page_of_a_long_slip_names_its_order(store, tmp_path) -> None:
    remarks = "\n".join(f"Levering {n}: poort {n} aan de achterkant" for n in range(1, 60))
    added, _ = add_order(store, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 100),),
                                                   remarks=remarks))
    out = tmp_path / "dist"
    write_outputs(plan_order_documents(CAMPAIGN, [get_order(store, added.number)]), out)
    pages = PdfReader(out / "orders" / added.number / f"packing-slip-{added.number}.pdf").pages
    assert len(pages) == 2
    for index, page in enumerate(pages, start=1):
        assert f"{added.number} · {index}/2" in page.extract_text()


def test_order_mails_exist_for_the_steps_reached_with_stable_ids(store, tmp_path) -> None:
    number = _shipped(store, GENT, ("PIN-BLUEHEART", 25))
    received, _ = add_order(store, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 1),)))
    out = tmp_path / "dist"
    planned = plan_order_documents(CAMPAIGN, [get_order(store, number),
                                              get_order(store, received.number)])
    write_outputs(planned, out)
    paths = sorted(p.path for p in planned)
    assert paths == sorted([
        f"orders/{number}/packing-slip-{number}.pdf",
        f"orders/{number}/confirmed-{number}.eml",
        f"orders/{number}/shipped-{number}.eml",
        f"orders/{received.number}/packing-slip-{received.number}.pdf",
    ])
    shipped = message_from_bytes((out / f"orders/{number}/shipped-{number}.eml").read_bytes(),
                                 policy=policy.default)
    assert shipped["Subject"] == f"Uw bestelling {number} is verzonden"
    assert shipped["To"] == "Piet De Smet <piet@stad.gent>"
    assert shipped["Message-ID"] == f"<bluekit.2024.order-shipped.{number}@just.fgov.be>"
    assert shipped["Content-Language"] == "nl"
    text = shipped.get_body(("plain",)).get_content()
    assert "bpost" in text and "323299901234567" in text and "25 × Blue Heart-pin" in text
    html = shipped.get_body(("html",)).get_content()
    assert 'lang="nl"' in html and "323299901234567" in html


def test_a_partner_name_with_markup_is_escaped_in_the_html_mail(store, tmp_path) -> None:
    odd = Partner("<script>alert(1)</script> & Co", "Ann <b>", "ann@example.be", "Straat 1",
                  "9000", "Gent", "nl")
    added, _ = add_order(store, CAMPAIGN, NewOrder(odd, (("PIN-BLUEHEART", 1),)))
    change_status(store, CAMPAIGN, added.number, "confirmed")
    out = tmp_path / "dist"
    write_outputs(plan_order_documents(CAMPAIGN, [get_order(store, added.number)]), out)
    message = message_from_bytes(
        (out / f"orders/{added.number}/confirmed-{added.number}.eml").read_bytes(),
        policy=policy.default,
    )
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_the_report_totals_and_both_exports_open_back(store) -> None:
    gent, _ = add_order(store, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 25),
                                                         ("POSTER-A3-NL", 10))), by="an")
    for step, who in (("confirmed", "an"), ("packed", "bert"), ("shipped", "bert")):
        change_status(store, CAMPAIGN, gent.number, step, by=who, carrier="bpost")
    add_order(store, CAMPAIGN, NewOrder(EUPEN, (("POSTER-A3-DE", 40), ("PIN-BLUEHEART", 5))),
              by="chloé")
    cancelled, _ = add_order(store, CAMPAIGN, NewOrder(EUPEN, (("PIN-BLUEHEART", 999),)))
    change_status(store, CAMPAIGN, cancelled.number, "cancelled")
    rows = order_report(store, CAMPAIGN)
    table = {(r.group, r.key): (r.orders, r.quantity, r.shipped) for r in rows}
    assert table[("item", "PIN-BLUEHEART")] == (2, 30, 25)
    assert table[("item", "POSTER-A3-DE")] == (1, 40, 0)
    assert table[("language", "de")] == (1, 45, 0)
    provinces = {r.name: r.quantity for r in rows if r.group == "province"}
    assert provinces == {"Oost-Vlaanderen / Flandre orientale": 35,
                         "Luik / Liège": 45}
    # who did what: the orders each took a step on, their pieces, the pieces each shipped
    people = {r.key: (r.name, r.orders, r.quantity, r.shipped) for r in rows
              if r.group == "person"}
    assert people == {"an": ("received 1, confirmed 1", 1, 35, 0),
                      "bert": ("packed 1, shipped 1", 1, 35, 35),
                      "chloé": ("received 1", 1, 45, 0)}

    data = report_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                                 delimiter=";"))
    assert parsed[0].keys() == {"group", "key", "name", "orders", "quantity", "shipped"}
    assert {(r["key"], r["quantity"]) for r in parsed if r["group"] == "item"} == {
        ("POSTER-A3-NL", "10"), ("POSTER-A3-DE", "40"), ("PIN-BLUEHEART", "30")}

    book = load_workbook(io.BytesIO(report_xlsx(rows, CAMPAIGN, dt.datetime.now(dt.UTC))))
    assert book.sheetnames == ["Items", "Languages", "Provinces", "People"]
    assert ("bert", "packed 1, shipped 1", 1, 35, 35) in book["People"].iter_rows(values_only=True)
    items = list(book["Items"].iter_rows(values_only=True))
    assert items[0] == ("Item", "Name", "Orders", "Quantity", "Shipped")
    assert ("PIN-BLUEHEART", "Blue Heart pin", 2, 30, 25) in items


# --- the commands ---------------------------------------------------------------------------


def test_the_orders_and_stock_commands_from_intake_to_delivery(runner, tmp_path, db_url) -> None:
    db = db_url
    out = str(tmp_path / "dist")

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == code, result.output
        return result.output

    added = run("orders", "add", C, "--organisation", "Stad Gent", "--contact", "Piet De Smet",
                "--email", "piet@stad.gent", "--street", "Botermarkt 1", "--postcode", "9000",
                "--city", "Gent", "--language", "nl", "--item", "POSTER-A2-DE=150",
                "--item", "pin-blueheart=10")
    assert "added order 2024-0001" in added
    eml = tmp_path / "in.eml"
    eml.write_bytes(mail(filled_form("fr", {"BROCHURE-FR": "100"})))
    assert "1 order(s) added" in run("orders", "import", C, str(eml))
    assert "0 order(s) added, 1 already imported" in run("orders", "import", C, str(eml))

    listed = json.loads(run("orders", "list", C, "--json"))
    assert [(o["number"], o["status"]) for o in listed] == [("2024-0001", "received"),
                                                           ("2024-0002", "received")]
    refused = run("orders", "confirm", C, "2024-0001", code=2)
    assert "POSTER-A2-DE: 150 wanted, 100 available (50 short)" in refused
    assert "--backorder" in refused
    assert "backordered" in run("orders", "confirm", C, "2024-0001", "--backorder")
    assert "confirm" in run("stock", "receive", C, "POSTER-A2-DE", "50", "--note", "reprint")
    run("orders", "confirm", C, "2024-0001")
    run("orders", "pack", C, "2024-0001")
    run("orders", "ship", C, "2024-0001", "--carrier", "bpost", "--tracking", "3232")
    assert "cannot become packed" in run("orders", "pack", C, "2024-0001", code=2)
    run("orders", "deliver", C, "2024-0001")
    shown = json.loads(run("orders", "show", C, "2024-0001", "--json"))
    assert [h["status"] for h in shown["history"]] == [
        "received", "backordered", "confirmed", "packed", "shipped", "delivered"]

    stock = {r["item"]: r for r in json.loads(run("stock", C, "--json"))}
    assert (stock["POSTER-A2-DE"]["on_hand"], stock["POSTER-A2-DE"]["low"]) == (0, True)
    assert "POSTER-A2-DE" in run("stock", "low", C, code=1)

    run("orders", "report", C, "--out", str(tmp_path / "r.xlsx"))
    assert load_workbook(tmp_path / "r.xlsx").sheetnames == ["Items", "Languages", "Provinces",
                                                          "People"]
    report = json.loads(run("orders", "report", C, "--json", "--language", "fr"))
    assert [(r["key"], r["quantity"]) for r in report if r["group"] == "item"] == [
        ("BROCHURE-FR", 100)]
    assert "must end in .csv or .xlsx" in run("orders", "report", C, "--out", "r.txt", code=2)

    assert "3 file(s) made" in run("orders", "documents", C, "2024-0001", "--out", out)
    assert "no order '2024-0099'" in run("orders", "show", C, "2024-0099", code=2)

    junk = tmp_path / "junk.eml"
    junk.write_bytes(mail("Hoeveel kosten de pins?", message_id="<q@x>"))
    run("orders", "import", C, str(junk))
    review = json.loads(run("orders", "review", C, "--json"))
    assert review[0]["reason"].startswith("no order form found")
    assert b"Hoeveel kosten" in runner.invoke(
        app, ["orders", "review", C, "--show", str(review[0]["id"]), "--db", db]
    ).stdout_bytes
    item = str(review[0]["id"])
    assert "still not a readable order: no order form found" in run(
        "orders", "review", C, "--retry", item, code=1)
    assert "one at a time" in run("orders", "review", C, "--retry", item, "--done", item, code=2)
    assert "dealt with (an)" in run("orders", "review", C, "--done", item, "--by", "an",
                                    "--note", "answered: pins are free")
    assert json.loads(run("orders", "review", C, "--json")) == []
    assert "by an: answered: pins are free" in run("orders", "review", C, "--all")
    assert "already dealt with" in run("orders", "review", C, "--done", item, code=2)


def test_orders_add_asks_in_a_terminal_for_what_the_options_leave_out(
    runner, tmp_path, monkeypatch, db_url
) -> None:
    monkeypatch.setattr("bluekit.cli.orders._interactive", lambda: True)
    answers = ["Stad Gent", "Piet De Smet", "piet@stad.gent", "", "Botermarkt 1", "9000",
               "Gent", "NL"]
    # one answer per catalogue item: 25 of the second, nothing of the others
    quantities = ["0", "25"] + ["0"] * (len(CAMPAIGN.materials) - 2)
    result = runner.invoke(
        app, ["orders", "add", C, "--db", db_url, "--json"],
        input="\n".join(answers + quantities) + "\n",
    )
    assert result.exit_code == 0, result.output
    order = json.loads(result.stdout[result.stdout.index("{"):])
    assert order["partner"]["organisation"] == "Stad Gent" and order["partner"]["language"] == "nl"
    assert order["partner"]["telephone"] is None  # the optional question left empty
    assert [(line["item"], line["quantity"]) for line in order["lines"]] == [
        (CAMPAIGN.materials[1].code, 25)]
    monkeypatch.setattr("bluekit.cli.orders._interactive", lambda: False)
    piped = runner.invoke(app, ["orders", "add", C, "--db", db_url])
    assert piped.exit_code == 2 and "organisation is missing" in piped.output  # no questions


def test_order_mails_are_sent_once_through_the_safe_path(runner, tmp_path, smtp_server,
                                                         monkeypatch, db_url) -> None:
    db = db_url
    store = Store(db)
    number = _shipped(store, GENT, ("PIN-BLUEHEART", 3))
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", "s3cret-pw")
    args = ["orders", "send", C, "--step", "shipped", "--host", "127.0.0.1", "--port",
            str(smtp_server.port), "--security", "none", "--user", "teh", "--db", db,
            "--out", str(tmp_path / "dist")]
    dry = runner.invoke(app, args)
    assert dry.exit_code == 0 and f"would send 1 shipped e-mail(s): {number}" in dry.output
    assert smtp_server.messages == []
    sent = runner.invoke(app, [*args, "--no-dry-run"])
    assert sent.exit_code == 0, sent.output
    assert smtp_server.recipients() == ["piet@stad.gent"]
    again = runner.invoke(app, [*args, "--no-dry-run"])
    assert "already sent before (skipped): 1" in again.output
    assert len(smtp_server.messages) == 1
    assert "s3cret-pw" not in sent.output + again.output


def test_the_order_form_command_prints_the_form_and_the_link(runner) -> None:
    form = runner.invoke(app, ["orders", "form", C, "--lang", "de"])
    assert form.exit_code == 0 and "=== Blue Heart 2024 – Bestellformular ===" in form.output
    link = runner.invoke(app, ["orders", "form", C, "--lang", "en", "--mailto"])
    assert link.output.startswith("mailto:teh@just.fgov.be?subject=")


def test_a_very_long_word_wraps_on_the_slip_instead_of_running_off(store) -> None:
    long_word = "https://www.example.be/" + "x" * 150
    odd = Partner("Gemeente " + "Y" * 120, "Ann", "ann@example.be", "Straat 1", "9000", "Gent",
                  "nl")
    added, _ = add_order(store, CAMPAIGN, NewOrder(odd, (("PIN-BLUEHEART", 1),),
                                                   remarks=f"Zie {long_word}"))
    job = slip_job(CAMPAIGN, get_order(store, added.number))
    ppi = 40
    png = render(dataclasses.replace(job, format="png", ppi=ppi))
    with Image.open(io.BytesIO(png)) as image:
        page = image.convert("L")
        margin = round((210 - 20) / 25.4 * ppi)  # the last 20 mm: only paper
        strip = page.crop((margin, 0, page.width, page.height))
        assert strip.getextrema()[0] > 240, "something runs into the right margin"


def test_an_address_too_long_for_the_window_is_an_error_not_a_clipped_slip(store) -> None:
    odd = Partner("Gemeentebestuur " * 40, "Ann", "ann@example.be", "Straat 1", "9000", "Gent",
                  "nl")
    with pytest.raises(OrderError, match="does not fit the packing slip's window"):
        add_order(store, CAMPAIGN, NewOrder(odd, (("PIN-BLUEHEART", 1),)))  # refused at intake
    added, _ = add_order(store, CAMPAIGN, NewOrder(GENT, (("PIN-BLUEHEART", 1),)))
    # an order with such an address, had it come in anyway: its slip is an error, never clipped
    order = dataclasses.replace(get_order(store, added.number), partner=odd)
    with pytest.raises(TextOverflowError) as caught:
        render(slip_job(CAMPAIGN, order))
    assert "delivery address (nl) does not fit" in str(caught.value)
    assert "the contacts file or the order" in caught.value.hint
