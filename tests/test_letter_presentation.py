"""How a letter and its e-mail present their texts: the footer in the letter's language, a
plain salutation in the HTML e-mail, compounds that break only at their own hyphens."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from pypdf import PdfReader

from bluekit.campaign.load import load_campaign
from bluekit.kit.invitations.email_message import mail_bodies
from bluekit.kit.invitations.invitees import select_invitees
from bluekit.kit.invitations.letters import letter_job
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import Contact
from bluekit.pipeline.render import render

from .conftest import CAMPAIGN_2024, texts_in

CAMPAIGN = load_campaign(CAMPAIGN_2024)


def _invitees(codes: set[str]):
    contacts = {
        m.code: Contact(m.code, f"college{m.code}@example.org", street="Voorbeeldstraat 1",
                        postcode="1000", city=m.name_nl)
        for m in registry.municipalities() if m.code in codes
    }
    return select_invitees(CAMPAIGN, contacts)


def test_the_letter_footer_gives_the_reporting_point_in_the_letters_language() -> None:
    (eupen,) = _invitees({"63023"})  # German and French
    for lang in ("de", "fr"):
        footer = letter_job(CAMPAIGN, eupen, lang).data["footer"]
        # the address as the body writes it, with the letter's language
        assert footer.endswith(f"www.stopmensenhandel.be/{lang} · 078 055 800"), footer
        assert CAMPAIGN.reporting_point.name[lang] in footer


def test_the_html_e_mail_sets_the_salutation_as_plain_text() -> None:
    (eupen,) = _invitees({"63023"})
    _, html = mail_bodies(CAMPAIGN, eupen)
    for salutation in ("Sehr geehrte Mitglieder des Gemeindekollegiums,",
                       "Mesdames et Messieurs les membres du Collège communal,"):
        [paragraph] = re.findall(rf"<p[^>]*>{re.escape(salutation)}</p>", html)
        assert "bold" not in paragraph and "<strong>" not in paragraph, paragraph


def test_the_html_order_e_mail_sets_its_greeting_as_plain_text(tmp_path: Path) -> None:
    from bluekit.ledger.documents import mail_job
    from bluekit.ledger.order_entry import add_order
    from bluekit.ledger.order_status import change_status
    from bluekit.ledger.orders import NewOrder, Partner, get_order
    from bluekit.store.database import Store

    store = Store(f"sqlite:///{tmp_path / 'orders.db'}")
    partner = Partner("Ville de Liège", "Marie Dubois", "m.dubois@liege.example.org",
                      "Place du Marché 2", "4000", "Liège", "fr")
    added, _ = add_order(store, CAMPAIGN, NewOrder(partner, (("PIN-BLUEHEART", 10),)))
    change_status(store, CAMPAIGN, added.number, "confirmed")
    html = mail_job(CAMPAIGN, get_order(store, added.number), "confirmed").html
    [paragraph] = re.findall(r"<p[^>]*>Bonjour Marie Dubois,</p>", html)
    assert "bold" not in paragraph, paragraph


def _lines(path: Path) -> list[str]:
    return [line.strip() for page in PdfReader(path).pages
            for line in page.extract_text().splitlines() if line.strip()]


def test_a_hyphenated_compound_breaks_only_at_its_own_hyphens(tmp_path: Path) -> None:
    # Names of many lengths shift the line breaks: German and Dutch names of every length.
    by_length: dict[tuple[int, str], str] = {}
    for m in registry.municipalities():
        for lang in set(m.languages) & {"de", "nl"}:
            by_length.setdefault((len(m.name(lang)), lang), m.code)
    letters = [(i, lang) for i in _invitees(set(by_length.values()))
               for lang in i.languages if lang in ("de", "nl")]
    assert len(letters) > 25
    inside, at_own_hyphen = [], 0
    for invitee, lang in letters:
        job = letter_job(CAMPAIGN, invitee, lang)
        compounds = set(re.findall(r"\w+(?:-\w+)+", " ".join(texts_in(job.data))))
        path = tmp_path / f"{invitee.municipality.code}-{lang}.pdf"
        path.write_bytes(render(job))
        lines = _lines(path)
        for line, following in itertools.pairwise(lines):
            head, tail = line.split()[-1], re.sub(r"\W+$", "", following.split()[0])
            if not head.endswith("-") or not tail[:1].isalpha():
                continue
            if any(head + tail in compound for compound in compounds):
                at_own_hyphen += 1  # 'Blue-Heart-' / 'Kampagne'
            elif "-" in head[:-1] + tail:  # a hyphen of the line breaking's own in a compound
                inside.append((path.name, head, tail))
    assert not inside, inside
    assert at_own_hyphen > 0  # some layouts do break a compound, at one of its hyphens
