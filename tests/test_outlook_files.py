"""Outlook `.msg` files in `orders import`: real OLE compound files written for the tests with
aspose-email-foss (an independent MIT-licensed MSG writer; extract-msg only reads), as Outlook
saves a received mail (transport headers), an HTML-only mail and a mail with attachments; told
by their content, never twice the same mail, and a clear error without the `outlook` extra."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import sys
from pathlib import Path
from typing import Any

import pytest
from aspose.email_foss import msg

from bluekit.cli import app
from bluekit.errors import InputFileError
from bluekit.ledger.intake import import_orders
from bluekit.ledger.orders import list_orders
from bluekit.ledger.outlook import outlook_message
from bluekit.ledger.review import review_list, review_original
from bluekit.store.database import Store

from .conftest import CAMPAIGN_2024
from .test_order_intake import CAMPAIGN, PARTNERS, filled_form

FORM_NL = filled_form("nl", {"POSTER-A3-NL": "20", "PIN-BLUEHEART": "100"})
FORM_FR = filled_form("fr", {"POSTER-A3-FR": "15"})
PDF = b"%PDF-1.4\n% a letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _headers(sender: str, message_id: str | None) -> str:
    lines = [f"From: {sender}", "To: teh@just.fgov.be", "Subject: Bestelling Blue Heart",
             "Date: Mon, 17 Jun 2024 09:00:00 +0200", "MIME-Version: 1.0",
             "Content-Type: multipart/alternative; boundary=\"b1\""]
    if message_id:
        lines.insert(3, f"Message-ID: {message_id}")
    return "\r\n".join(lines) + "\r\n\r\n"


def write_msg(path: Path, *, body: str | None = None, html: str | None = None,
              sender: str = "Jan Janssens <jan.janssens@police.belgium.eu>",
              message_id: str | None = "<order-msg-1@police.belgium.eu>", received: bool = True,
              attachments: tuple[tuple[str, bytes, str], ...] = (), saved_at: int = 0) -> Path:
    """An Outlook file of a mail: `received` ones carry the transport headers Outlook keeps."""
    message = msg.MapiMessage.create("Bestelling Blue Heart", body or "")
    if body is None:  # HTML only: no plain-text body stream at all, as Outlook saves it
        message.emit_compatibility_defaults = False
        message.message_class = "IPM.Note"
    if html is not None:
        message.body_html = html
    name, _, address = sender.partition(" <")
    message.set_property(msg.PropertyId.SENDER_NAME, name)
    message.set_property(msg.PropertyId.SENDER_EMAIL_ADDRESS, address.rstrip(">"))
    if message_id:
        message.set_property(msg.PropertyId.INTERNET_MESSAGE_ID, message_id)
    if received:
        message.set_property(msg.PropertyId.TRANSPORT_MESSAGE_HEADERS,
                             _headers(sender, message_id))
    if saved_at:  # Outlook stamps every save: PR_LAST_MODIFICATION_TIME differs
        stamp = dt.datetime(2024, 6, 17, 9, saved_at, tzinfo=dt.UTC)
        message.set_property(0x3008, 0x0040, stamp)  # PT_SYSTIME
    message.add_recipient("teh@just.fgov.be", display_name="Mensenhandel FOD Justitie")
    for filename, data, mime in attachments:
        message.add_attachment(filename, data, mime_type=mime)
    message.save(str(path))
    return path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'orders.db'}")


def test_a_received_plain_text_mail_saved_by_outlook_is_an_order(store, tmp_path) -> None:
    path = write_msg(tmp_path / "Bestelling.msg", body=FORM_NL)
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    report = import_orders(store, CAMPAIGN, path, by="test")
    assert report.added == ["2024-0001"] and not report.review
    (order,) = list_orders(store)
    assert order.source_ref == "<order-msg-1@police.belgium.eu>"
    assert order.partner.organisation == PARTNERS["nl"]["organisation"]
    assert dict(order.lines) == {"POSTER-A3-NL": 20, "PIN-BLUEHEART": 100}


def test_an_html_only_mail_is_read_from_its_html(store, tmp_path) -> None:
    html = ("<html><head><meta charset=\"utf-8\"></head><body>"
            + "".join(f"<p>{line}</p>" for line in FORM_FR.splitlines()) + "</body></html>")
    path = write_msg(tmp_path / "Commande.msg", html=html,
                     sender="Élise Lefèvre <elise.lefevre@ixelles.brussels>",
                     message_id="<commande-7@ixelles.brussels>")
    converted = email.message_from_bytes(outlook_message(path), policy=email.policy.default)
    assert [p.get_content_type() for p in converted.walk()] == ["text/html"]
    report = import_orders(store, CAMPAIGN, path, by="test")
    assert len(report.added) == 1, report.review
    (order,) = list_orders(store)
    assert order.partner.city == "Ixelles" and order.partner.contact == "Élise Lefèvre"


def test_the_attachments_travel_with_the_mail(store, tmp_path) -> None:
    path = write_msg(tmp_path / "Met bijlagen.msg", body=FORM_NL, attachments=(
        ("Brief gemeente.pdf", PDF, "application/pdf"),
        ("lijst.txt", b"Affiches voor de bib\n", "text/plain"),
    ))
    converted = email.message_from_bytes(outlook_message(path), policy=email.policy.default)
    files = {p.get_filename(): p.get_content() for p in converted.iter_attachments()}
    assert files["Brief gemeente.pdf"] == PDF and files["lijst.txt"] == "Affiches voor de bib\n"
    assert len(import_orders(store, CAMPAIGN, path, by="test").added) == 1


def test_the_same_mail_saved_twice_is_one_order(store, tmp_path) -> None:
    folder = tmp_path / "uit Outlook"
    folder.mkdir()
    first = write_msg(folder / "Bestelling.msg", body=FORM_NL, saved_at=1)
    second = write_msg(folder / "Bestelling (2).msg", body=FORM_NL, saved_at=2)
    draft: dict[str, Any] = {"body": FORM_FR, "message_id": None, "received": False,
             "sender": "Élise Lefèvre <elise.lefevre@ixelles.brussels>",
             "attachments": (("plan.pdf", PDF, "application/pdf"),)}  # multipart: boundaries
    draft_a = write_msg(folder / "Concept.msg", saved_at=3, **draft)
    draft_b = write_msg(folder / "Concept kopie.msg", saved_at=4, **draft)
    assert first.read_bytes() != second.read_bytes()
    assert draft_a.read_bytes() != draft_b.read_bytes()
    report = import_orders(store, CAMPAIGN, folder, by="test")
    assert len(report.added) == 2 and len(report.already) == 2 and not report.review
    drafted = next(o for o in list_orders(store) if o.partner.city == "Ixelles")
    assert drafted.source_ref.startswith("sha256:")  # no Message-ID: known by the digest
    again = import_orders(store, CAMPAIGN, folder, by="test")
    assert not again.added and len(again.already) == 4


def test_an_outlook_file_is_told_by_its_content_not_its_name(store, tmp_path) -> None:
    folder = tmp_path / "mails"
    folder.mkdir()
    write_msg(folder / "bestelling.eml", body=FORM_NL)  # misnamed by hand
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (folder / "bestelling.msg").write_bytes(
        b"From: Stad Eupen <juergen.mueller@eupen.be>\r\nMessage-ID: <eupen-1@eupen.be>\r\n"
        b"Subject: Bestellung\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + filled_form("de", {"PIN-BLUEHEART": "30"}).encode()
    )  # an e-mail that was given the name of an Outlook file
    report = import_orders(store, CAMPAIGN, folder, by="test")
    assert len(report.added) == 2 and not report.review


def test_a_damaged_outlook_file_goes_to_review_whole(store, tmp_path) -> None:
    path = tmp_path / "kapot.msg"
    data = write_msg(tmp_path / "ok.msg", body=FORM_NL).read_bytes()[:3000]
    path.write_bytes(data)
    report = import_orders(store, CAMPAIGN, path, by="test")
    assert not report.added and len(report.review) == 1
    (item,) = review_list(store, 2024)
    assert review_original(store, item.id) == data


def test_without_the_outlook_extra_the_error_says_what_to_install(
    store, tmp_path, runner, monkeypatch
) -> None:
    path = write_msg(tmp_path / "Bestelling.msg", body=FORM_NL)
    monkeypatch.setitem(sys.modules, "extract_msg", None)  # as if it were not installed
    with pytest.raises(InputFileError) as caught:
        import_orders(store, CAMPAIGN, tmp_path, by="test")
    assert 'pip install "bluekit[outlook]"' in caught.value.hint
    assert "Bestelling.msg" in str(caught.value)
    result = runner.invoke(app, ["orders", "import", str(CAMPAIGN_2024), str(path),
                                 "--db", str(tmp_path / "cli.db")])
    assert result.exit_code == 2 and 'pip install "bluekit[outlook]"' in result.output
    assert list_orders(store) == []
