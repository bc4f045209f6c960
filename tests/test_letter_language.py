"""What a native reader and a civil servant expect of the invitations: every municipality's
college addressed by its region and regime, German in lower case after the salutation, the
French "1er", no printed line ending inside a number, date or address, reminders that never
ask for a date already past, both languages in the calendar, the sender and the subject, and
a named signatory."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import icalendar
import pytest
from pypdf import PdfReader

from bluekit.campaign.load import check_campaign, load_campaign
from bluekit.errors import BluekitError
from bluekit.kit.invitations.calendar_file import calendar_file
from bluekit.kit.invitations.email_message import email_job, mail_bodies, subject
from bluekit.kit.invitations.invitees import select_invitees
from bluekit.kit.invitations.letters import letter_job
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.kit.invitations.texts import place_and_date
from bluekit.language import written_date
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import Contact
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import render
from bluekit.workflows.sending import check_reminders_due, send

from .conftest import CAMPAIGN_2024, signed, texts_in

CAMPAIGN = load_campaign(CAMPAIGN_2024)

# The language regime, written out here from the brief rather than taken from the registry.
GERMAN_SPEAKING = {"Amel", "Büllingen", "Bütgenbach", "Eupen", "Kelmis", "Lontzen", "Raeren",
                   "Sankt Vith", "Burg-Reuland"}
FACILITIES = {
    **dict.fromkeys(["Drogenbos", "Kraainem", "Linkebeek", "Sint-Genesius-Rode", "Wemmel",
                     "Wezembeek-Oppem", "Bever", "Mesen", "Spiere-Helkijn", "Ronse", "Herstappe",
                     "Voeren"], ("nl", "fr")),
    **dict.fromkeys(["Vloesberg", "Edingen", "Moeskroen", "Komen-Waasten"], ("fr", "nl")),
    **dict.fromkeys(["Malmedy", "Waimes"], ("fr", "de")),
}
# How each college is addressed: Flanders and Brussels have a college of mayor and aldermen,
# Wallonia (the German-speaking Community included) a collège communal.
FORMS = {
    ("mayor", "nl"): ("Aan het college van burgemeester en schepenen",
                      "Geacht college van burgemeester en schepenen,"),
    ("mayor", "fr"): ("Au Collège des bourgmestre et échevins",
                      "Mesdames et Messieurs les membres du Collège,"),
    ("mayor", "de"): ("Bürgermeister- und Schöffenkollegium",
                      "Sehr geehrte Mitglieder des Bürgermeister- und Schöffenkollegiums,"),
    ("mayor", "en"): ("Board of Mayor and Aldermen",
                      "Dear Members of the Board of Mayor and Aldermen,"),
    ("communal", "nl"): ("Aan het gemeentecollege", "Geacht gemeentecollege,"),
    ("communal", "fr"): ("Au Collège communal",
                         "Mesdames et Messieurs les membres du Collège communal,"),
    ("communal", "de"): ("Gemeindekollegium", "Sehr geehrte Mitglieder des Gemeindekollegiums,"),
    ("communal", "en"): ("Municipal Executive", "Dear Members of the Municipal Executive,"),
}
CLOSINGS = {"nl": "Met vriendelijke groeten,", "de": "Mit freundlichen Grüßen",
            "en": "Yours faithfully,"}
STREETS = {"nl": "Voorbeeldstraat 112", "fr": "Rue de l’Exemple 112", "de": "Beispielstraße 112",
           "en": "Example Street 112"}


def _invitees(codes=None, language: str = ""):
    contacts = {
        m.code: Contact(m.code, f"college{m.code}@example.org", street=STREETS["nl"],
                        postcode="1000", city=m.name_nl, languages=tuple(language.split("+"))
                        if language else ())
        for m in registry.municipalities() if codes is None or m.code in codes
    }
    return select_invitees(CAMPAIGN, contacts)


def _expected_languages(m: registry.Municipality) -> tuple[str, ...]:
    names = {m.name_nl, m.name_fr, m.name_de}
    if names & GERMAN_SPEAKING:
        return ("de", "fr")
    for name, languages in FACILITIES.items():
        if name in names:
            return languages
    return {"flanders": ("nl",), "wallonia": ("fr",), "brussels": ("nl", "fr")}[m.region]


def test_every_municipality_is_addressed_by_its_region_and_regime() -> None:
    invitees = _invitees()
    assert len(invitees) == 565
    assert sum(i.municipality.region == "brussels" for i in invitees) == 19
    assert sum(len(i.languages) == 2 and i.municipality.region != "brussels"
               for i in invitees) == 27
    for invitee in invitees:
        m = invitee.municipality
        assert invitee.languages == _expected_languages(m), m.display_name
        kind = "mayor" if m.region in ("flanders", "brussels") else "communal"
        for lang in invitee.languages:
            data = letter_job(CAMPAIGN, invitee, lang).data
            addressee, salutation = FORMS[kind, lang]
            assert data["addressee_lines"][:2] == [addressee, m.name(lang)], (m.code, lang)
            assert data["salutation"] == salutation, (m.code, lang)
            if lang == "fr":  # the closing repeats the salutation's form of address
                assert data["closing"] == (f"Veuillez agréer, {salutation[:-1]}, l’assurance de "
                                           "notre considération distinguée.")
            else:
                assert data["closing"] == CLOSINGS[lang]


def test_a_letter_in_a_language_outside_the_regime_still_follows_the_region() -> None:
    (eupen,) = _invitees({"63023"}, "en")
    (ghent,) = _invitees({"44021"}, "de")
    assert letter_job(CAMPAIGN, eupen, "en").data["salutation"] == FORMS["communal", "en"][1]
    assert letter_job(CAMPAIGN, ghent, "de").data["addressee_lines"][0] == FORMS["mayor", "de"][0]


def test_the_common_addressee_column_heads_only_the_letter_in_its_language() -> None:
    eupen = registry.find("Eupen")
    contact = Contact("63023", "a@eupen.example.org", addressee="Gemeindekollegium der Stadt Eupen")
    (invitee,) = select_invitees(CAMPAIGN, {"63023": contact})
    assert letter_job(CAMPAIGN, invitee, "de").data["addressee_lines"][0] == \
        "Gemeindekollegium der Stadt Eupen"
    assert letter_job(CAMPAIGN, invitee, "fr").data["addressee_lines"][:2] == \
        ["Au Collège communal", eupen.name("fr")]


def _text_after_salutation(text: str, salutation: str) -> str:
    return " ".join(text.split(salutation, 1)[1].split())


def test_german_goes_on_in_lower_case_after_the_salutation(tmp_path: Path) -> None:
    (eupen,) = _invitees({"63023"})
    letter = render(letter_job(CAMPAIGN, eupen, "de"))
    (tmp_path / "de.pdf").write_bytes(letter)
    salutation = FORMS["communal", "de"][1]
    texts = [_text_after_salutation(PdfReader(tmp_path / "de.pdf").pages[0].extract_text(),
                                    salutation)]
    for reminder in (False, True):
        plain, _ = mail_bodies(CAMPAIGN, eupen, reminder=reminder)
        texts.append(_text_after_salutation(plain.split("--- Français ---")[0], salutation))
    for text in texts:
        assert text[:1].islower(), text[:40]


def test_german_order_mails_go_on_in_lower_case_after_the_greeting(tmp_path: Path) -> None:
    from bluekit.ledger.documents import mail_job
    from bluekit.ledger.order_entry import add_order
    from bluekit.ledger.order_status import change_status
    from bluekit.ledger.orders import NewOrder, Partner, get_order
    from bluekit.store.database import Store

    store = Store(f"sqlite:///{tmp_path / 'orders.db'}")
    partner = Partner("Stadt Eupen", "Jürgen Müller", "j.mueller@eupen.example.org",
                      "Am Stadthaus 1", "4700", "Eupen", "de")
    added, _ = add_order(store, CAMPAIGN, NewOrder(partner, (("PIN-BLUEHEART", 1000),)))
    for step in ("confirmed", "packed"):
        change_status(store, CAMPAIGN, added.number, step)
    change_status(store, CAMPAIGN, added.number, "shipped", carrier="bpost", tracking="3232")
    order = get_order(store, added.number)
    for status in ("confirmed", "shipped"):
        text = mail_job(CAMPAIGN, order, status).text
        after = text.split("Guten Tag Jürgen Müller,\n\n", 1)[1]
        # lower case, unless the first word is the formal Ihre
        assert after[:1].islower() or after.startswith("Ihre "), after[:40]
    assert "1.000 × Blue-Heart-Anstecker" in mail_job(CAMPAIGN, order, "shipped").text


def test_the_first_of_the_month_is_1er_in_french(tmp_path: Path) -> None:
    first = dt.date(2024, 7, 1)
    assert written_date(first, "fr") == "lundi 1er juillet 2024"
    assert written_date(first, "fr", "long") == "1er juillet 2024"
    assert written_date(dt.date(2024, 7, 2), "fr") == "mardi 2 juillet 2024"
    assert written_date(first, "nl") == "maandag 1 juli 2024"
    assert written_date(first, "de") == "Montag, 1. Juli 2024"
    assert written_date(first, "en") == "Monday 1 July 2024"  # British: no comma
    inv = CAMPAIGN.invitation.model_copy(
        update={"letter_date": dt.date(2024, 6, 1), "reply_by": first})
    campaign = CAMPAIGN.model_copy(update={"invitation": inv})
    assert place_and_date(campaign, "fr") == "Bruxelles, le 1er juin 2024"
    (liege,) = _invitees({"62063"})
    (tmp_path / "fr.pdf").write_bytes(render(letter_job(campaign, liege, "fr")))
    text = " ".join(PdfReader(tmp_path / "fr.pdf").pages[0].extract_text().split())
    assert "le 1er juin 2024" in text and "pour le lundi 1er juillet 2024 au plus tard" in text


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[\u00a0\u202f]", " ", text).split())


def _printed(data: dict) -> dict:
    """The data the letter prints: not its colours, nor what only a PDF reader shows (the
    document's title and author, the heart's alternative text)."""
    printed = {k: v for k, v in data.items() if k not in ("palette", "lang", "document")}
    if "signature" in printed:
        printed["signature"] = {k: v for k, v in printed["signature"].items() if k != "mark_alt"}
    return printed


def _facts(data: dict) -> set[str]:
    """What a line must never split in this letter: telephone numbers, dates, addresses,
    e-mail and web addresses, hashtags, each as it is printed."""
    text = _plain(" ".join(texts_in(_printed(data))))
    found = set(re.findall(r"(?:\+32 |0)\d{1,3}(?: \d{2,3}){2,3}", text))
    found |= set(re.findall(r"[\w.-]+@[\w.-]+\.[a-z]+|www\.[\w./-]*\w|#\w+", text))
    months = "juni|juli|juin|juillet|Juni|Juli|June|July"
    found |= set(re.findall(rf"\d{{1,2}}(?:er|\.)? (?:{months}) 2024", text))
    found |= {_plain(line) for line in data["addressee_lines"]}
    found |= {_plain(line) for line in data["sender_lines"] if re.search(r"\d{4} ", line)}
    return found


def test_no_line_of_a_letter_ends_inside_a_number_a_date_or_an_address(tmp_path: Path) -> None:
    # Municipalities whose names have every length from short to long shift the line breaks
    # of each paragraph: one of each length, in each of its languages, and some in English.
    by_length: dict[tuple[int, str], str] = {}
    for m in registry.municipalities():
        for lang in m.languages:
            by_length.setdefault((len(m.name(lang)), m.region), m.code)
    invitees = _invitees(set(by_length.values()))
    letters = [(i, lang) for i in invitees for lang in i.languages]
    letters += [(i, "en") for i in _invitees(set(list(by_length.values())[::4]), "en")]
    assert len(letters) > 60
    for invitee, lang in letters:
        job = letter_job(CAMPAIGN, invitee, lang)
        path = tmp_path / f"{invitee.municipality.code}-{lang}.pdf"
        path.write_bytes(render(job))
        lines = [_plain(line) for page in PdfReader(path).pages
                 for line in page.extract_text().splitlines()]
        source = _plain(" ".join(texts_in(_printed(job.data))))
        for fact in _facts(job.data):
            whole = sum(line.count(fact) for line in lines)
            assert whole >= source.count(fact) > 0, (path.name, fact, lines)


def test_a_reminder_never_asks_for_a_date_in_the_past(write_campaign) -> None:
    inv = CAMPAIGN.invitation
    assert inv.reminder is not None and inv.reminder_reply_by is not None
    (schaarbeek,) = _invitees({"21015"})
    plain, _ = mail_bodies(CAMPAIGN, schaarbeek, reminder=True)
    for lang in ("nl", "fr"):
        assert written_date(inv.reminder_reply_by, lang) in plain  # the new date, asked for
        assert written_date(inv.reply_by, lang) not in plain  # never the one that has passed
    first_day = inv.reply_by + dt.timedelta(days=1)  # the first day reminders go out
    for day in (first_day, inv.reminder_reply_by):
        check_reminders_due(CAMPAIGN, day)
    with pytest.raises(BluekitError, match="asks for an answer by 2024-07-19, which has passed"):
        check_reminders_due(CAMPAIGN, inv.reminder_reply_by + dt.timedelta(days=1))
    with pytest.raises(BluekitError, match="has not passed yet"):
        check_reminders_due(CAMPAIGN, inv.reply_by)
    # a reminder text that asks for {reply_by} is refused before anything is built
    path = write_campaign(lambda d: d["invitation"]["reminder"].update(
        nl="Laat u ons uiterlijk op {reply_by} weten of {municipality} meedoet?"))
    _, problems = check_campaign(path)
    assert any(p.field == "invitation.reminder.nl" and "{reply_by}" in p.message
               and p.kind == "error" for p in problems)


def test_a_german_text_that_starts_with_a_capital_article_is_refused(write_campaign) -> None:
    def capital(data):
        body = data["invitation"]["body"][0]
        body["de"] = "Der " + body["de"].removeprefix("am ")
    _, problems = check_campaign(write_campaign(capital))
    (problem,) = [p for p in problems if p.field == "invitation.body[0].de"]
    assert "DIN 5008" in problem.message and problem.kind == "error"


def test_the_calendar_entry_is_in_both_languages_description_and_alarm_included() -> None:
    (eupen,) = _invitees({"63023"})
    (event,) = icalendar.Calendar.from_ical(calendar_file(CAMPAIGN, eupen)).walk("VEVENT")
    description = str(event["description"])
    assert "Welttag gegen Menschenhandel" in description and "/de" in description
    assert "Journée mondiale" in description and "/fr" in description
    assert "#EndHumanTrafficking und #HumanTrafficking" in description
    (alarm,) = event.walk("VALARM")
    assert str(alarm["description"]).startswith("Morgen ist der Welttag gegen Menschenhandel")
    assert " / Demain, c’est la Journée mondiale" in str(alarm["description"])
    assert str(event["summary"]).count(" / ") == 1


def test_the_sender_and_the_subject_are_in_each_language_and_fit_an_inbox() -> None:
    (schaarbeek,) = _invitees({"21015"})
    (liege,) = _invitees({"62063"})
    assert len(subject(CAMPAIGN, schaarbeek)) <= 78  # both languages seen in an inbox
    assert subject(CAMPAIGN, schaarbeek, reminder=True).startswith("Herinnering / Rappel – ")
    assert subject(CAMPAIGN, liege) == CAMPAIGN.invitation.subject["fr"]  # one language: full
    planned = plan_invitations(CAMPAIGN, [schaarbeek])
    letters = [p for p in planned if p.path.endswith(".pdf")]
    ics = next(p for p in planned if p.path.endswith(".ics"))
    headers = dict(email_job(CAMPAIGN, schaarbeek, letters, ics).headers)
    assert headers["From"] == "FOD Justitie / SPF Justice – Blue Heart / Cœur bleu " \
        "<teh@just.fgov.be>"
    too_long = CAMPAIGN.invitation.subject_short | {"fr": "Votre commune s’illuminera-t-elle "
                                                          "en bleu le mardi 30 juillet 2024 ?"}
    _, problems = check_campaign(_written(CAMPAIGN_2024, "subject_short", too_long))
    assert any(p.field == "invitation.subject_short" and "inbox" in p.message for p in problems)


def _written(path: Path, key: str, value: dict) -> Path:
    import yaml

    data = yaml.safe_load(path.read_text("utf-8"))
    data["invitation"][key] = value
    out = Path(__import__("tempfile").mkdtemp()) / "c.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return out


def test_the_signatory_is_named_by_staff_and_validated(write_campaign, tmp_path: Path) -> None:
    # unsigned (as the campaign file comes): a warning, the function alone, nothing sent
    assert CAMPAIGN.invitation.signatory.name is None
    (kortrijk,) = _invitees({"34022"})
    with pytest.raises(BluekitError, match="signed by no one"):
        send(CAMPAIGN, [], None, kind="invitation", settings=None, out_dir=tmp_path,
             dry_run=False, limit=None)
    for bad in ("Voornaam Achternaam", "Peeters", "<naam>", "An Peeters 2"):
        path = write_campaign(lambda d, bad=bad: d["invitation"]["signatory"].update(name=bad))
        _, problems = check_campaign(path)
        assert any(p.field == "invitation.signatory.name" and p.kind == "error"
                   for p in problems), bad
    for good in ("An Peeters", "Marie Dubois-Lambert", "Jan de Smet", "Anne-Sophie N’Diaye"):
        path = write_campaign(lambda d, good=good: d["invitation"]["signatory"].update(name=good))
        _, problems = check_campaign(path)
        assert not [p for p in problems if p.field == "invitation.signatory.name"], good
    # signed: the name above the function, in the letter and the e-mail
    campaign = signed(CAMPAIGN)
    (tmp_path / "nl.pdf").write_bytes(render(letter_job(campaign, kortrijk, "nl")))
    text = PdfReader(tmp_path / "nl.pdf").pages[0].extract_text()
    assert "Anna Test\nCoördinator voor de bestrijding van mensenhandel\nFOD Justitie" in text
    plain, html = mail_bodies(campaign, kortrijk)
    assert "Anna Test\nCoördinator voor de bestrijding van mensenhandel" in plain
    assert "<strong>Anna Test</strong>" in html


def test_an_old_campaign_file_is_told_that_bluekit_addresses_the_colleges(write_campaign) -> None:
    path = write_campaign(lambda d: d["invitation"].update(
        salutation={"nl": "Geacht college,", "fr": "Madame, Monsieur,", "de": "Hallo,",
                    "en": "Dear all,"}))
    _, problems = check_campaign(path)
    (problem,) = [p for p in problems if p.field == "invitation.salutation"]
    assert "no longer used" in problem.message and "region" in problem.hint


def test_the_letters_of_the_example_build_read_in_order(tmp_path: Path) -> None:
    from bluekit.municipalities.contacts import read_contacts

    from .conftest import EXAMPLE_CONTACTS

    invitees = select_invitees(CAMPAIGN, read_contacts(EXAMPLE_CONTACTS))
    write_outputs(plan_invitations(CAMPAIGN, invitees), tmp_path)
    eml = next(tmp_path.glob("invitations/21015-*/message.eml")).read_bytes()
    message = email.message_from_bytes(eml, policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Geacht college van burgemeester en schepenen,\n\nOp dinsdag 30 juli 2024" in plain
    assert "Veuillez agréer, Mesdames et Messieurs les membres du Collège, l’assurance" in plain


def test_french_keeps_its_no_break_spaces_and_german_its_quotes_everywhere() -> None:
    """Every French text, the campaign's and bluekit's own, has a no-break space before ; : ?
    ! and inside « »; German quotes are „…“, never straight ones."""
    import yaml

    from .conftest import CAMPAIGN_2022, ROOT

    def strings(value, path):
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from strings(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from strings(item, f"{path}[{i}]")

    def texts(value, lang, path=""):
        """The texts in `lang`: under a key `lang`, however deep."""
        if isinstance(value, dict):
            for key, item in value.items():
                if key == lang:
                    yield from strings(item, f"{path}.{key}")
                else:
                    yield from texts(item, lang, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from texts(item, lang, f"{path}[{i}]")

    templates = ROOT / "bluekit" / "templates"
    sources = [CAMPAIGN_2024, CAMPAIGN_2022, *sorted(templates.glob("*_strings.yaml")),
               templates / "address_forms.yaml"]
    checked = 0
    for source in sources:
        data = yaml.safe_load(source.read_text("utf-8"))
        for path, text in texts(data, "fr"):
            checked += 1
            assert not re.search(r" [;:?!»]|« ", text), (source.name, path, text)
        for path, text in texts(data, "de"):
            assert '"' not in text and text.count("„") == text.count("“"), (source.name, path)
    assert checked > 100
