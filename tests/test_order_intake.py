"""Orders coming in: the order form in four languages, e-mails (.eml, mbox, Maildir, HTML-only,
malformed) and CSV, imported once only, an import killed half-way, and two imports of the same
mailbox at once; the ledger on each backend (SQLite, a real PostgreSQL server)."""

from __future__ import annotations

import json
import mailbox
import os
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import sqlalchemy as sa

from bluekit.campaign.load import load_campaign
from bluekit.errors import NotFound, ValidationFailed
from bluekit.kit.order_form import form_text, mailto_link, order_strings
from bluekit.kit.typography import colon
from bluekit.ledger import review
from bluekit.ledger.intake import import_orders
from bluekit.ledger.order_form_reader import parse_form
from bluekit.ledger.orders import OrderFilter, list_orders
from bluekit.ledger.review import (
    ReviewHandled,
    resolve_review,
    retry_review,
    review_list,
    review_original,
)
from bluekit.store.database import Store
from bluekit.store.tables import order_events, order_lines, orders

from .conftest import CAMPAIGN_2024

CAMPAIGN = load_campaign(CAMPAIGN_2024)

PARTNERS = {
    "nl": {"organisation": "Politiezone Brussel-Noord", "contact": "Jan Janssens",
           "email": "jan.janssens@police.belgium.eu", "telephone": "02 249 22 11",
           "street": "Rogierplein 1", "postcode": "1210", "city": "Sint-Joost-ten-Node"},
    "fr": {"organisation": "Commune d'Ixelles", "contact": "Élise Lefèvre",
           "email": "elise.lefevre@ixelles.brussels", "telephone": "",
           "street": "Chaussée d'Ixelles 168", "postcode": "1050", "city": "Ixelles"},
    "de": {"organisation": "Stadt Eupen", "contact": "Jürgen Müller",
           "email": "juergen.mueller@eupen.be", "telephone": "087 59 58 00",
           "street": "Am Stadthaus 1", "postcode": "4700", "city": "Eupen"},
    "en": {"organisation": "IOM Belgium", "contact": "Sarah Jones",
           "email": "sjones@iom.int", "telephone": "",
           "street": "Rue Montoyer 40", "postcode": "1000", "city": "Brussels"},
}


def filled_form(lang: str, items: dict[str, str], *, remarks: str = "", **override: str) -> str:
    """The empty form of `lang` with the partner of `lang` and the quantities filled in."""
    labels, c = order_strings()[lang], colon(lang)
    values = {**PARTNERS[lang], **override}
    lines = []
    for line in form_text(CAMPAIGN, lang).splitlines():
        for name, value in values.items():
            if line == f"{labels['label_' + name]}{c}":
                line += value
        code = line.split(" ")[0]
        if code in items and line.endswith(c):
            line += items[code]
        if line == f"{labels['label_remarks']}{c}":
            line += remarks
        lines.append(line)
    return "\n".join(lines) + "\n"


def mail(body: str, *, subject: str = "Bestelling", sender: str = "someone@example.org",
         message_id: str | None = "<order-1@example.org>", html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "teh@just.fgov.be"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
    return bytes(message)


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_the_order_form_of_each_language_is_read_back(store, tmp_path, lang) -> None:
    eml = tmp_path / "order.eml"
    eml.write_bytes(mail(filled_form(lang, {"POSTER-A3-FR": "1.000", "PIN-BLUEHEART": "50"},
                                     remarks="Levering graag vóór 20 juli.\nDank u!")))
    report = import_orders(store, CAMPAIGN, eml, by="test")
    assert report.added == ["2024-0001"] and report.review == []
    (order,) = list_orders(store)
    partner = PARTNERS[lang]
    assert order.partner.organisation == partner["organisation"]
    assert order.partner.email == partner["email"]
    assert order.partner.language == lang
    assert order.partner.telephone == (partner["telephone"] or None)
    assert sorted(order.lines) == [("PIN-BLUEHEART", 50), ("POSTER-A3-FR", 1000)]
    assert order.remarks == "Levering graag vóór 20 juli.\nDank u!"
    assert order.source == "email" and order.source_ref == "<order-1@example.org>"


def test_the_form_names_the_campaign_in_its_language_and_old_forms_still_read() -> None:
    form = filled_form("fr", {"PIN-BLUEHEART": "5"})
    assert form.startswith("=== Cœur bleu 2024 – bon de commande ===\n")
    assert filled_form("nl", {}).startswith("=== Blue Heart 2024 – bestelformulier ===\n")
    old = form.replace("Cœur bleu", "Blue Heart", 1)  # a form sent before the name was French
    no_ligature = form.replace("Cœur bleu", "Coeur  bleu", 1)  # a mail program's rewriting
    for text in (form, old, no_ligature):
        parsed = parse_form(CAMPAIGN, text)
        assert parsed.problems == [] and parsed.form_language == "fr", parsed.problems
        assert parsed.order is not None and parsed.order.lines == (("PIN-BLUEHEART", 5),)
    unknown = form.replace("Cœur bleu", "Cœur rouge", 1)
    assert parse_form(CAMPAIGN, unknown).problems[0].startswith("no order form found")


def test_a_form_quoted_in_a_reply_and_an_empty_email_field_use_the_sender(store, tmp_path) -> None:
    form = filled_form("nl", {"BROCHURE-NL": "200"}, email="")
    quoted = "Zie hieronder.\n\n" + "".join(f"> {line}\n" for line in form.splitlines())
    eml = tmp_path / "reply.eml"
    eml.write_bytes(mail(quoted, sender="Jan <jan@pz.example.be>"))
    import_orders(store, CAMPAIGN, eml)
    (order,) = list_orders(store)
    assert order.partner.email == "jan@pz.example.be" and order.lines == [("BROCHURE-NL", 200)]


def test_an_html_only_mail_is_read(store, tmp_path) -> None:
    form = filled_form("fr", {"POSTER-A2-FR": "25"}, email="elise@ixelles.brussels")
    html = "<html><body><p>Bonjour,</p><div>" + "<br>".join(
        line.replace("&", "&amp;").replace("'", "&#39;") for line in form.splitlines()
    ) + "</div></body></html>"
    eml = tmp_path / "html.eml"
    eml.write_bytes(mail("", html=html))
    report = import_orders(store, CAMPAIGN, eml)
    assert report.review == [], report.review
    (order,) = list_orders(store)
    assert order.partner.organisation == "Commune d'Ixelles"
    assert order.lines == [("POSTER-A2-FR", 25)]


def test_the_french_form_sets_its_colons_the_french_way_and_reads_either_way() -> None:
    form = filled_form("fr", {"PIN-BLUEHEART": "5"})
    assert "Organisation\u00a0: Commune d'Ixelles" in form and "Quantités\u00a0:" in form
    for typed in (form, form.replace("\u00a0:", ":"), form.replace("\u00a0:", " :")):
        parsed = parse_form(CAMPAIGN, typed)
        assert parsed.problems == [] and parsed.order.partner.organisation == "Commune d'Ixelles"
        assert list(parsed.order.lines) == [("PIN-BLUEHEART", 5)]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Hallo, mogen we 50 affiches? Groeten", "no order form found"),
        (filled_form("nl", {}), "no quantity filled in"),
        (filled_form("nl", {"PIN-BLUEHEART": "veel"}), "'veel' is not a quantity"),
        (filled_form("nl", {"PIN-BLUEHEART": "1,000"}), "'1,000' is not a quantity"),
        (filled_form("nl", {"PIN-BLUEHEART": "2 x 50"}), "'2 x 50' is not a quantity"),
        (filled_form("nl", {"PIN-BLUEHEART": "10-20"}), "'10-20' is not a quantity"),
        (filled_form("nl", {"PIN-BLUEHEART": "5"}, remarks="Bedankt! 🙏"), "cannot print"),
        (filled_form("nl", {"PIN-BLUEHEART": "5"}, email="zoë@example.be"), "not valid"),
        (filled_form("de", {"PIN-BLUEHEART": "5"}, organisation=""), "Organisation is empty"),
        (filled_form("nl", {"PIN-BLUEHEART": "5"}, postcode="9999"), "postcode 9999 does not"),
        (filled_form("nl", {"PIN-BLUEHEART": "5"}).replace("BROCHURE-DE (", "BROCHURE-XX ("),
         "BROCHURE-XX is not an item"),
        (filled_form("nl", {"PIN-BLUEHEART": "5"}).replace("=== einde ===", ""), "end line"),
        (filled_form("nl", {"PIN-BLUEHEART": "5"}).replace("2024", "2023", 1), "for 2023"),
    ],
)
def test_a_message_that_is_not_a_readable_order_goes_to_review(
    store, tmp_path, body, reason
) -> None:
    raw = mail(body)
    eml = tmp_path / "bad.eml"
    eml.write_bytes(raw)
    report = import_orders(store, CAMPAIGN, eml)
    assert report.added == [] and len(report.review) == 1
    (item,) = review_list(store, 2024)
    assert reason in item.reason
    assert review_original(store, item.id) == raw
    again = import_orders(store, CAMPAIGN, eml)
    assert again.review == [] and len(again.already) == 1 and len(review_list(store, 2024)) == 1


def _unknown_item_in_review(store: Store, tmp_path: Path) -> Path:
    eml = tmp_path / "new-item.eml"
    eml.write_bytes(mail(filled_form("nl", {"PIN-BLUEHEART": "5"})
                         .replace("BROCHURE-DE (", "BROCHURE-XX (")))
    assert len(import_orders(store, CAMPAIGN, eml).review) == 1
    return eml


def _with_brochure_xx():
    """The 2024 campaign with the item that message asks for added to the catalogue."""
    brochure = next(m for m in CAMPAIGN.materials if m.code == "BROCHURE-DE")
    return CAMPAIGN.model_copy(update={"materials": [
        *CAMPAIGN.materials, brochure.model_copy(update={"code": "BROCHURE-XX"})]})


def test_a_review_item_dealt_with_leaves_the_list_and_keeps_its_original(
    store, tmp_path
) -> None:
    eml = _unknown_item_in_review(store, tmp_path)
    (item,) = review_list(store, 2024)
    done = resolve_review(store, item.id, by="an", note="typed in as 2024-0001")
    assert (done.handled_by, done.note) == ("an", "typed in as 2024-0001") and done.handled_at
    assert review_list(store, 2024) == []
    assert [i.id for i in review_list(store, 2024, handled=True)] == [item.id]
    assert review_original(store, item.id) == eml.read_bytes()
    with pytest.raises(ReviewHandled, match=r"already dealt with \(.* by an: typed in as"):
        resolve_review(store, item.id)
    again = import_orders(store, CAMPAIGN, eml)  # the same message is still known
    assert again.review == [] and len(again.already) == 1


def test_a_review_item_read_again_becomes_an_order_once_the_catalogue_allows_it(
    store, tmp_path
) -> None:
    _unknown_item_in_review(store, tmp_path)
    (item,) = review_list(store, 2024)
    still, number = retry_review(store, CAMPAIGN, item.id)  # nothing changed: still no order
    assert number is None and "BROCHURE-XX is not an item" in still.reason
    assert review_list(store, 2024) == [still]
    wider = _with_brochure_xx()
    done, number = retry_review(store, wider, item.id, by="an")
    assert number == "2024-0001" and done.order_number == number and done.handled_by == "an"
    (order,) = list_orders(store)
    assert order.number == number and list(order.lines) == [("PIN-BLUEHEART", 5)]
    assert review_list(store, 2024) == []
    with pytest.raises(ReviewHandled):
        retry_review(store, wider, item.id)
    assert len(list_orders(store)) == 1


def test_a_retry_adds_no_order_when_someone_deals_with_the_item_meanwhile(
    store, tmp_path, monkeypatch
) -> None:
    _unknown_item_in_review(store, tmp_path)
    (item,) = review_list(store, 2024)
    wider = _with_brochure_xx()
    real = review.read_order

    def a_colleague_marks_it_while_it_is_read(*args):  # between the check and the adding
        resolve_review(store, item.id, by="colleague", note="typed in as 2024-0001")
        return real(*args)

    monkeypatch.setattr(review, "read_order", a_colleague_marks_it_while_it_is_read)
    with pytest.raises(ReviewHandled, match="by colleague: typed in"):
        retry_review(store, wider, item.id)
    assert list_orders(store) == []  # the order was not added beside the one typed in


def test_a_review_item_of_another_year_is_not_found(store, tmp_path) -> None:
    _unknown_item_in_review(store, tmp_path)
    (item,) = review_list(store, 2024)
    other = CAMPAIGN.model_copy(update={"year": 2025})
    with pytest.raises(NotFound, match=f"no review item {item.id} for 2025"):
        resolve_review(store, item.id, year=2025)
    with pytest.raises(NotFound):
        retry_review(store, other, item.id)


def test_bytes_that_are_no_mail_at_all_are_kept_for_review(store, tmp_path) -> None:
    eml = tmp_path / "junk.eml"
    eml.write_bytes(b"\xff\xfe\x00garbage without headers\x00\xff")
    import_orders(store, CAMPAIGN, eml)
    (item,) = review_list(store, 2024)
    assert review_original(store, item.id) == eml.read_bytes()


def _mbox(path: Path, count: int, *, broken_every: int = 0) -> Path:
    box = mailbox.mbox(path)
    for n in range(count):
        body = filled_form("nl", {"PIN-BLUEHEART": str(n + 1)})
        if broken_every and n % broken_every == 0:
            body = "Geen formulier, wel een vraag."
        box.add(mail(body, message_id=f"<order-{n}@example.org>"))
    box.flush()
    box.close()
    return path


def test_importing_an_mbox_twice_adds_every_order_once(store, tmp_path) -> None:
    path = _mbox(tmp_path / "teh.mbox", 12, broken_every=5)
    first = import_orders(store, CAMPAIGN, path)
    assert (len(first.added), len(first.review)) == (9, 3)
    second = import_orders(store, CAMPAIGN, path)
    assert (second.added, second.review, len(second.already)) == ([], [], 12)
    assert len(list_orders(store)) == 9 and len(review_list(store, 2024)) == 3


def test_a_maildir_is_imported(store, tmp_path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir")
    for n in range(3):
        box.add(mail(filled_form("en", {"BROCHURE-EN": str(10 * (n + 1))}),
                     message_id=f"<md-{n}@example.org>"))
    report = import_orders(store, CAMPAIGN, tmp_path / "Maildir")
    assert len(report.added) == 3
    assert sorted(q for o in list_orders(store) for _, q in o.lines) == [10, 20, 30]


def test_a_message_without_message_id_is_recognised_by_its_content(store, tmp_path) -> None:
    eml = tmp_path / "noid.eml"
    eml.write_bytes(mail(filled_form("nl", {"PIN-BLUEHEART": "3"}), message_id=None))
    assert len(import_orders(store, CAMPAIGN, eml).added) == 1
    assert import_orders(store, CAMPAIGN, eml).added == []


def _orders_so_far(engine: sa.Engine) -> int:
    try:
        with engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(orders)).scalar_one())
    except sa.exc.DBAPIError:
        return 0  # not created yet


def test_a_killed_import_leaves_the_database_consistent_and_the_rerun_completes_it(
    tmp_path: Path, empty_db_url: str,
) -> None:
    path = _mbox(tmp_path / "big.mbox", 400)
    command = [sys.executable, "-m", "bluekit", "orders", "import", str(CAMPAIGN_2024), str(path)]
    env = {**os.environ, "BLUEKIT_DATABASE_URL": empty_db_url}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env)
    watcher = Store(empty_db_url, upgrade=False)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and (done := _orders_so_far(watcher.engine)) < 40:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 40 <= done < 400, "the import should have been killed half-way"
    with watcher.engine.connect() as db:
        if db.dialect.name == "sqlite":
            assert db.exec_driver_sql("pragma integrity_check").scalar() == "ok"
            assert db.exec_driver_sql("pragma foreign_key_check").all() == []
        # every order that is there is whole: a line and a "received" step
        assert db.execute(
            sa.select(sa.func.count()).select_from(orders).where(
                orders.c.id.not_in(sa.select(order_lines.c.order_id))
                | orders.c.id.not_in(sa.select(order_events.c.order_id))
            )
        ).scalar() == 0
    watcher.close()
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert rerun.returncode == 0, rerun.stderr
    _assert_every_order_once(Store(empty_db_url), 400)


def _assert_every_order_once(store: Store, count: int) -> None:
    found = list_orders(store, OrderFilter(year=2024))
    assert len(found) == count
    assert len({o.source_ref for o in found}) == count
    assert sorted(o.number for o in found) == [f"2024-{n:04d}" for n in range(1, count + 1)]


def test_two_imports_of_the_same_mailbox_at_once_add_every_order_once(
    tmp_path: Path, db_url: str,
) -> None:
    path = _mbox(tmp_path / "shared.mbox", 150, broken_every=10)
    command = [sys.executable, "-m", "bluekit", "orders", "import", str(CAMPAIGN_2024), str(path),
               "--json"]
    env = {**os.environ, "BLUEKIT_DATABASE_URL": db_url}
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            for _ in range(2)]
    results = [p.communicate(timeout=180) for p in both]
    assert [p.returncode for p in both] == [0, 0], [err for _, err in results]
    reports = [json.loads(out) for out, _ in results]
    assert sum(len(r["added"]) for r in reports) == 135
    store = Store(db_url)
    _assert_every_order_once(store, 135)
    assert len(review_list(store, 2024)) == 15


# --- CSV ------------------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def test_a_csv_from_excel_is_imported_once(store, tmp_path) -> None:
    path = _csv(tmp_path, (
        "Organisatie;Contactpersoon;E-mail;Straat en nummer;Postcode;Gemeente;Taal;"
        "POSTER-A3-NL;PIN-BLUEHEART\r\n"
        "Stad Gent;Piet De Smet;piet@stad.gent;Botermarkt 1;9000;Gent;nl;30;\r\n"
        "Ville de Liège;Anne Henry;anne@liege.be;Place du Marché 2;4000;Liège;fr;;1 000\r\n"
        ";;;;;;;;\r\n"
    ))
    report = import_orders(store, CAMPAIGN, path)
    assert len(report.added) == 2
    assert [(o.partner.city, o.lines) for o in list_orders(store)] == [
        ("Gent", [("POSTER-A3-NL", 30)]), ("Liège", [("PIN-BLUEHEART", 1000)]),
    ]
    assert import_orders(store, CAMPAIGN, path).added == []
    assert len(list_orders(store)) == 2


def test_a_bad_csv_names_every_bad_line_and_imports_nothing(store, tmp_path) -> None:
    path = _csv(tmp_path, (
        "organisation,contact,email,street,postcode,city,language,PIN-BLUEHEART\n"
        "Stad Gent,Piet,piet@stad.gent,Botermarkt 1,9000,Gent,nl,10\n"
        "Stad Gent,Piet,piet-at-gent,Botermarkt 1,9000,Gent,nl,lots\n"
    ))
    with pytest.raises(ValidationFailed) as caught:
        import_orders(store, CAMPAIGN, path)
    text = str(caught.value)
    assert "orders.csv:3" in text and "'lots' is not a quantity" in text and "piet-at-gent" in text
    assert list_orders(store) == []


# --- the form itself ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_the_mailto_link_opens_the_form_addressed_to_the_orders_mailbox(lang) -> None:
    link = mailto_link(CAMPAIGN, lang)
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "teh@just.fgov.be"
    assert len(link) < 2000  # Outlook and older browsers cut longer mailto links
    query = dict(p.split("=", 1) for p in parts.query.split("&"))
    body = unquote(query["body"])
    assert "\r\n" in body and " " not in query["body"]
    parsed = parse_form(CAMPAIGN, body)
    assert parsed.form_language == lang
    assert parsed.problems and "no quantity filled in for any item" in parsed.problems


def test_an_outlook_html_mail_with_a_span_per_label_and_value_is_read(store, tmp_path) -> None:
    form = filled_form("nl", {"POSTER-A3-NL": "15"}, email="piet@stad.gent")
    html = "<html><body>" + "".join(
        "<p class=MsoNormal>" + (
            f"<span>{line.split(': ', 1)[0]}: </span><span lang=NL-BE>{line.split(': ', 1)[1]}"
            "</span>" if ": " in line else f"<span>{line}</span>"
        ) + "<o:p></o:p></p>"
        for line in form.splitlines()
    ) + "</body></html>"
    eml = tmp_path / "outlook.eml"
    eml.write_bytes(mail("", html=html))
    report = import_orders(store, CAMPAIGN, eml)
    assert report.review == [], report.review
    (order,) = list_orders(store)
    assert order.partner.organisation == "Politiezone Brussel-Noord"
    assert order.lines == [("POSTER-A3-NL", 15)]


def test_an_accented_domain_is_stored_as_mail_servers_take_it(store, tmp_path) -> None:
    eml = tmp_path / "idn.eml"
    eml.write_bytes(mail(filled_form("fr", {"PIN-BLUEHEART": "3"}, email="zoe@liège.be")))
    import_orders(store, CAMPAIGN, eml)
    (order,) = list_orders(store)
    assert order.partner.email == "zoe@xn--lige-6oa.be"


def test_a_csv_import_killed_half_way_is_completed_by_running_it_again(
    tmp_path: Path, empty_db_url: str
) -> None:
    count = 6000  # twelve transactions of 500
    rows = [f"Partner {n};Contact {n};p{n}@example.org;Straat 1;9000;Gent;nl;csv-{n};{n % 50 + 1}"
            for n in range(count)]
    path = _csv(tmp_path, "organisation;contact;email;street;postcode;city;language;reference;"
                          "PIN-BLUEHEART\r\n" + "\r\n".join(rows) + "\r\n")
    command = [sys.executable, "-m", "bluekit", "orders", "import", str(CAMPAIGN_2024), str(path)]
    env = {**os.environ, "BLUEKIT_DATABASE_URL": empty_db_url}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env)
    watcher = Store(empty_db_url, upgrade=False)
    deadline = time.monotonic() + 90
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        if (done := _orders_so_far(watcher.engine)) >= 500:
            break
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 500 <= done < count, "the import should have been killed half-way"
    assert _orders_so_far(watcher.engine) % 500 == 0  # whole transactions only
    watcher.close()
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert rerun.returncode == 0, rerun.stderr
    store = Store(empty_db_url)
    found = list_orders(store, OrderFilter(year=2024))
    assert len(found) == count and len({o.source_ref for o in found}) == count
    assert {o.number for o in found} == {f"2024-{n:04d}" for n in range(1, count + 1)}
