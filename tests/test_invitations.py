"""Invitations: letters in the right languages, e-mails, and sending to a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import re
import shutil
from pathlib import Path

import html5lib
import icalendar
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.kit.invitations.invitees import select_invitees
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.ledger.lighting import Reply, record
from bluekit.mail import journal
from bluekit.mail.smtp import SendError, SmtpSettings
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import read_contacts
from bluekit.pipeline.outputs import write_outputs
from bluekit.store.tables import sends
from bluekit.workflows.sending import invitation_messages, reminder_messages, send

from .conftest import CAMPAIGN_2024, EXAMPLE_CONTACTS, signed

PASSWORD = "s3cret-pw"


@pytest.fixture(scope="module")
def campaign():
    return signed(load_campaign(CAMPAIGN_2024))


@pytest.fixture(scope="module")
def built(campaign, tmp_path_factory):
    """The example contacts' invitations, built once."""
    out = tmp_path_factory.mktemp("dist")
    invitees = select_invitees(campaign, read_contacts(EXAMPLE_CONTACTS))
    write_outputs(plan_invitations(campaign, invitees), out)
    return out, invitees


def settings(server, password: str = PASSWORD) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", server.port, "none", "campagne@just.fgov.be", password, 5)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


SALUTATIONS = {  # the first words after the salutation's "Geacht", "Mesdames et Messieurs"...
    "nl": "Geacht ",
    "fr": "Mesdames et Messieurs les membres du Collège",
    "de": "Sehr geehrte Mitglieder des ",
}
WORLD_DAY = {
    "nl": "dinsdag 30 juli 2024",
    "fr": "mardi 30 juillet 2024",
    "de": "Dienstag, 30. Juli 2024",
}


@pytest.mark.parametrize(
    ("code", "languages"),
    [
        ("34022", ["nl"]),  # Flemish: Kortrijk
        ("62063", ["fr"]),  # Walloon: Liège
        ("21015", ["nl", "fr"]),  # Brussels: Schaarbeek, both languages
        ("63023", ["de", "fr"]),  # German-speaking: Eupen, German and French
        ("23098", ["nl", "fr"]),  # facilities: Drogenbos, both languages
    ],
)
def test_letters_are_in_the_municipalitys_languages(built, code, languages) -> None:
    out, invitees = built
    invitee = next(i for i in invitees if i.municipality.code == code)
    assert list(invitee.languages) == languages
    letters = {p.stem[-2:]: p for p in (out / invitee.folder).glob("*.pdf")}
    assert sorted(letters) == sorted(languages)
    for lang in languages:
        text = _pdf_text(letters[lang])
        assert SALUTATIONS[lang] in text
        assert WORLD_DAY[lang] in text
        assert invitee.municipality.name(lang) in text
        others = [SALUTATIONS[o] for o in SALUTATIONS if o != lang]
        assert not any(o in text for o in others)


def test_each_letter_of_a_bilingual_municipality_has_the_address_in_its_language(built) -> None:
    out, invitees = built
    folders = {i.municipality.code: out / i.folder for i in invitees}
    letter = {  # (code, language) -> the letter's text
        (code, lang): _pdf_text(next(folders[code].glob(f"*-{lang}.pdf")))
        for code, lang in [("21015", "nl"), ("21015", "fr"), ("63023", "de"), ("63023", "fr")]
    }
    assert "Aan het college van burgemeester en schepenen Schaarbeek Voorbeeldplein 1 1030 " \
        "Schaarbeek" in letter["21015", "nl"]
    assert "Au Collège des bourgmestre et échevins Schaerbeek Place Exemple 1 1030 Schaerbeek" \
        in letter["21015", "fr"]
    assert "Gemeindekollegium Eupen Beispielstraße 1 4700 Eupen" in letter["63023", "de"]
    assert "Au Collège communal Eupen Beispielstraße 1 4700 Eupen" in letter["63023", "fr"]
    assert "Gemeindekollegium" not in letter["63023", "fr"]


def test_the_letter_names_weekday_reply_date_and_sender(built) -> None:
    out, invitees = built
    liege = next(i for i in invitees if i.municipality.code == "62063")
    text = _pdf_text(next((out / liege.folder).glob("*-fr.pdf")))
    assert "mardi 30 juillet 2024" in text
    assert "vendredi 12 juillet 2024" in text
    assert "Bruxelles, le 14 juin 2024" in text
    assert "teh@just.fgov.be" in text and "#EndHumanTrafficking" in text


def test_a_name_with_an_apostrophe_and_ampersand_renders_in_pdf_and_html(
    campaign, tmp_path: Path
) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "refnis;municipality;email;addressee;street;postcode;city;language\n"
        "25014;Braine-l'Alleud;college@braine.example.org;Bourgmestre & Échevins;"
        "Grand-Place Baudouin Ier 3;1420;Braine-l'Alleud;\n",
        encoding="utf-8",
    )
    # a subject with markup characters and an ASCII apostrophe, which HTML must escape
    invitation = campaign.invitation.model_copy(update={"subject": campaign.invitation.subject | {
        "fr": "Campagne <b>Cœur bleu</b> & l'été : votre commune s’illuminera-t-elle ?"}})
    campaign = campaign.model_copy(update={"invitation": invitation})
    (invitee,) = select_invitees(campaign, read_contacts(contacts))
    write_outputs(plan_invitations(campaign, [invitee]), tmp_path / "out")
    folder = tmp_path / "out" / invitee.folder
    text = _pdf_text(next(folder.glob("*.pdf")))
    name = invitee.municipality.name("fr")
    assert name == "Braine-l’Alleud"  # the official name has a typographic apostrophe
    assert "Bourgmestre & Échevins" in text and "Braine-l’Alleud" in text
    message = email.message_from_bytes(
        (folder / "message.eml").read_bytes(), policy=email.policy.default
    )
    page = message.get_body(("html",)).get_content()
    html5lib.HTMLParser(strict=True).parse(page)
    words = html.unescape(re.sub(r"<[^>]+>", "", page))  # the text a reader sees
    assert "C’est pourquoi nous invitons Braine-l’Alleud" in words
    assert "<b>" not in page and "&lt;b&gt;Cœur bleu&lt;/b&gt; &amp; l&#39;été" in page
    plain = message.get_body(("plain",)).get_content()
    assert "nous invitons Braine-l’Alleud à illuminer" in plain


def test_the_message_parses_back_with_parts_attachments_and_calendar(built) -> None:
    out, invitees = built
    eupen = next(i for i in invitees if i.municipality.code == "63023")
    raw = (out / eupen.folder / "message.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Message-ID"] == "<bluekit.2024.invitation.63023@just.fgov.be>"
    # in two languages, the short subjects: an inbox shows both
    assert message["Subject"] == "Ihre Gemeinde am 30. Juli in Blau? / " \
        "Votre commune en bleu le 30 juillet\u00a0?"
    assert message["From"] == "FÖD Justiz / SPF Justice – Blue Heart / Cœur bleu " \
        "<teh@just.fgov.be>"
    assert message["Content-Language"] == "de, fr"
    assert message["Date"] and message["To"] == "gemeinde@eupen.example.org"
    assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0]  # non-ASCII headers are encoded
    plain = message.get_body(("plain",)).get_content()
    assert "--- Deutsch ---" in plain and "--- Français ---" in plain
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [
        "Brief Blue Heart 2024 – Eupen (de).pdf",
        "Lettre Cœur bleu 2024 – Eupen (fr).pdf",
        "blue-heart-2024.ics",
    ]
    pdf = next(message.iter_attachments()).get_content()
    assert pdf.startswith(b"%PDF")
    ics = next(p for p in message.iter_attachments() if p.get_filename().endswith(".ics"))
    calendar = icalendar.Calendar.from_ical(ics.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == dt.date(2024, 7, 30)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(hours=-15)


def test_the_e_mail_links_the_tracked_address_and_shows_the_short_one(built) -> None:
    out, invitees = built
    eupen = next(i for i in invitees if i.municipality.code == "63023")
    raw = (out / eupen.folder / "message.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    tracked = {lang: f"https://www.stopmensenhandel.be/{lang}?utm_source=invitation"
               "&utm_medium=email&utm_campaign=blueheart2024" for lang in ("de", "fr")}
    # HTML: a real link to the tracked address, showing the short one
    page = html5lib.parse(message.get_body(("html",)).get_content(), namespaceHTMLElements=False)
    links = {a.text: a.get("href") for a in page.iter("a")}
    assert {short: links[short] for short in ("www.stopmensenhandel.be/de",
                                              "www.stopmensenhandel.be/fr")} == {
        "www.stopmensenhandel.be/de": tracked["de"], "www.stopmensenhandel.be/fr": tracked["fr"]}
    shown = "".join(page.find("body").itertext())
    assert "utm_" not in shown
    # plain text: the short address in the text, each tracked one once, at the end
    plain = message.get_body(("plain",)).get_content().rstrip("\n").splitlines()
    assert plain[-2:] == [f"www.stopmensenhandel.be/{lang}: {tracked[lang]}"
                          for lang in ("de", "fr")]
    text = "\n".join(plain[:-2])
    assert "utm_" not in text
    assert "www.stopmensenhandel.be/de oder" in text and "www.stopmensenhandel.be/fr ou" in text


def test_a_message_built_again_is_the_same_bytes(campaign, built) -> None:
    out, invitees = built
    item = next(i for i in plan_invitations(campaign, invitees[:1]) if i.path.endswith(".eml"))
    first = item.job.build(out)
    assert first == item.job.build(out) == (out / item.path).read_bytes()
    boundaries = email.message_from_bytes(first, policy=email.policy.default)
    inner = next(boundaries.iter_parts())
    # "=_" cannot occur in quoted-printable or base64 text, so no part can end a part early
    assert boundaries.get_boundary().startswith("=_mixed_")
    assert inner.get_boundary().startswith("=_alternative_")
    leaves = [part for part in boundaries.walk() if not part.is_multipart()]
    assert {part["Content-Transfer-Encoding"] for part in leaves} <= {"quoted-printable", "base64"}


def test_a_full_send_delivers_one_message_to_each(campaign, built, store, smtp_server) -> None:
    out, invitees = built
    report = send(
        campaign,
        invitation_messages(invitees, out),
        store,
        kind="invitation",
        settings=settings(smtp_server),
        out_dir=out,
        dry_run=False,
        limit=None,
        per_minute=6000,
    )
    assert len(report.sent) == len(invitees) and not report.failed
    assert sorted(smtp_server.recipients()) == sorted(i.contact.email for i in invitees)
    again = send(
        campaign,
        invitation_messages(invitees, out),
        store,
        kind="invitation",
        settings=settings(smtp_server),
        out_dir=out,
        dry_run=False,
        limit=None,
        per_minute=6000,
    )
    assert again.sent == [] and len(again.already_sent) == len(invitees)
    assert len(smtp_server.messages) == len(invitees)


def test_the_default_is_a_dry_run_of_one(campaign, built, store, smtp_server) -> None:
    out, invitees = built
    report = send(
        campaign,
        invitation_messages(invitees, out),
        store,
        kind="invitation",
        settings=None,
        out_dir=out,
    )
    assert report.dry_run and len(report.would_send) == 1 and smtp_server.messages == []


def test_an_interrupted_send_resumes_without_duplicates(
    campaign, built, store, smtp_server
) -> None:
    out, invitees = built
    outgoing = invitation_messages(invitees, out)
    count = {"n": 0}

    def crash_after_three(code: str, status: str) -> None:
        count["n"] += 1
        if count["n"] == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        send(
            campaign,
            outgoing,
            store,
            kind="invitation",
            settings=settings(smtp_server),
            out_dir=out,
            dry_run=False,
            limit=None,
            per_minute=6000,
            progress=crash_after_three,
        )
    assert len(smtp_server.messages) == 3
    resumed = send(
        campaign,
        outgoing,
        store,
        kind="invitation",
        settings=settings(smtp_server),
        out_dir=out,
        dry_run=False,
        limit=None,
        per_minute=6000,
    )
    assert len(resumed.sent) == len(invitees) - 3 and len(resumed.already_sent) == 3
    recipients = smtp_server.recipients()
    assert (
        sorted(recipients) == sorted(set(recipients)) == sorted(i.contact.email for i in invitees)
    )


def test_a_crash_between_handing_over_and_journaling_is_never_resent_blindly(
    campaign, built, store, smtp_server, monkeypatch
) -> None:
    out, invitees = built
    outgoing = invitation_messages(invitees, out)[:2]
    real = journal.settle

    def die_on_sent(store_, key, run, status, error=None, **kwargs):
        if status == "sent" and key.code == outgoing[0].code:
            raise KeyboardInterrupt
        return real(store_, key, run, status, error, **kwargs)

    monkeypatch.setattr(journal, "settle", die_on_sent)
    with pytest.raises(KeyboardInterrupt):
        send(
            campaign,
            outgoing,
            store,
            kind="invitation",
            settings=settings(smtp_server),
            out_dir=out,
            dry_run=False,
            limit=None,
            per_minute=6000,
        )
    monkeypatch.setattr(journal, "settle", real)
    again = send(
        campaign,
        outgoing,
        store,
        kind="invitation",
        settings=settings(smtp_server),
        out_dir=out,
        dry_run=False,
        limit=None,
        per_minute=6000,
    )
    assert again.uncertain == [outgoing[0].code] and again.sent == [outgoing[1].code]
    assert smtp_server.recipients().count(outgoing[0].email) == 1


def test_a_wrong_password_is_a_clear_error_without_the_password(
    campaign, built, store, smtp_server
) -> None:
    out, invitees = built
    with pytest.raises(SendError) as info:
        send(
            campaign,
            invitation_messages(invitees, out),
            store,
            kind="invitation",
            settings=settings(smtp_server, "wrong-password-123"),
            out_dir=out,
            dry_run=False,
        )
    assert "refused the login" in str(info.value) and "wrong-password-123" not in str(info.value)
    assert smtp_server.messages == []


def test_a_temporary_failure_is_retried(campaign, built, store, smtp_server) -> None:
    out, invitees = built
    smtp_server.temporary_failures = 1
    report = send(
        campaign,
        invitation_messages(invitees, out)[:1],
        store,
        kind="invitation",
        settings=settings(smtp_server),
        out_dir=out,
        dry_run=False,
        limit=None,
        per_minute=6000,
        backoff=0.01,
    )
    assert len(report.sent) == 1 and len(smtp_server.messages) == 1
    with store.transaction() as db:
        attempts = db.execute(sa.select(sends.c.attempts)).scalar()
    assert attempts == 1  # one journaled attempt, retried inside it


def test_a_permanent_failure_is_logged_and_the_run_goes_on(
    campaign, built, store, smtp_server
) -> None:
    out, invitees = built
    refused = invitees[1].contact.email
    smtp_server.refuse.add(refused)
    report = send(
        campaign,
        invitation_messages(invitees, out),
        store,
        kind="invitation",
        settings=settings(smtp_server),
        out_dir=out,
        dry_run=False,
        limit=None,
        per_minute=6000,
        backoff=0.01,
    )
    assert [code for code, _ in report.failed] == [invitees[1].municipality.code]
    assert "550" in report.failed[0][1]
    assert len(report.sent) == len(invitees) - 1
    assert report.failures_csv is not None and refused in report.failures_csv.read_text("utf-8-sig")


def test_reminders_go_to_those_invited_without_an_answer(
    campaign, built, store, smtp_server
) -> None:
    out, invitees = built
    send(
        campaign,
        invitation_messages(invitees[:3], out),
        store,
        kind="invitation",
        settings=settings(smtp_server),
        out_dir=out,
        dry_run=False,
        limit=None,
        per_minute=6000,
    )
    record(store, 2024, Reply(invitees[0].municipality, True, "Stadhuis"))
    outgoing = reminder_messages(campaign, invitees, out, store)
    assert [o.code for o in outgoing] == [i.municipality.code for i in invitees[1:3]]
    message = email.message_from_bytes(outgoing[0].message, policy=email.policy.default)
    assert message["Subject"].startswith("Herinnering / Rappel – ")  # Schaarbeek: both
    assert "reminder" in message["Message-ID"]


def test_send_command_is_a_dry_run_by_default(runner, tmp_path: Path, db_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "invitations",
            "send",
            str(CAMPAIGN_2024),
            "--out",
            str(tmp_path / "dist"),
            "--db",
            db_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "dry run: would send 1 invitation(s): 11002" in result.output


def test_send_command_sends_all_with_password_from_the_environment(
    runner, tmp_path: Path, smtp_server, monkeypatch, signed_campaign_file, db_url: str
) -> None:
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", PASSWORD)
    args = [
        "invitations",
        "send",
        str(signed_campaign_file),
        "--out",
        str(tmp_path / "dist"),
        "--db",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(smtp_server.port),
        "--security",
        "none",
        "--user",
        "me@just.fgov.be",
        "--no-dry-run",
        "--no-limit",
        "--rate",
        "6000",
        "--region",
        "wallonia",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "sent 3 invitation(s)" in result.output and PASSWORD not in result.output
    assert len(smtp_server.messages) == 3


def test_send_command_with_a_wrong_password_exits_2(
    runner, tmp_path: Path, smtp_server, monkeypatch, signed_campaign_file, db_url: str
) -> None:
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", "nope-nope")
    args = [
        "invitations",
        "send",
        str(signed_campaign_file),
        "--out",
        str(tmp_path / "dist"),
        "--db",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(smtp_server.port),
        "--security",
        "none",
        "--user",
        "me@just.fgov.be",
        "--no-dry-run",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "refused the login" in result.output and "nope-nope" not in result.output


def test_the_build_includes_the_configured_invitations(tmp_path: Path) -> None:
    campaign_dir = tmp_path / "campaigns"
    campaign_dir.mkdir()
    shutil.copy(CAMPAIGN_2024, campaign_dir / "2024.yaml")
    shutil.copy(EXAMPLE_CONTACTS, campaign_dir / "contacts.example.csv")
    from bluekit.workflows.build import build

    out, _ = build(campaign_dir / "2024.yaml", tmp_path / "dist", jobs=1)
    assert (out / "invitations" / "overview.csv").exists()
    assert (out / "invitations" / "34022-kortrijk" / "message.eml").exists()
    assert registry.find("Kortrijk").code == "34022"
