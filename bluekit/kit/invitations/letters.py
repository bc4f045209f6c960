"""The invitation letter: one PDF per language a municipality is addressed in, rendered from
`templates/letter.typ`, and its file names on disk and as an e-mail attachment."""

from __future__ import annotations

from bluekit.campaign.model import Campaign
from bluekit.files.filenames import slug
from bluekit.kit import brand
from bluekit.kit.accessibility import ACCESSIBLE, document_info
from bluekit.kit.invitations.invitees import Invitee
from bluekit.kit.invitations.texts import (
    LetterTexts,
    contact_line,
    letter_texts,
    mail_strings,
    place_and_date,
)
from bluekit.kit.signature import signature_data
from bluekit.kit.typography import template_runs
from bluekit.language import Language
from bluekit.pipeline.render import Job

# Placeholders whose value is read like text rather than kept whole: the hashtags, a list that
# may break between its items.
READ = ("hashtags",)


def _addressee_lines(invitee: Invitee, lang: Language, texts: LetterTexts) -> list[str]:
    """The address in the envelope's window: the contacts file's addressee for this letter,
    else the form of address of the college and the municipality's name; street and town."""
    contact, municipality = invitee.contact, invitee.municipality
    addressee = contact.addressee_in(lang, invitee.languages[0])
    street, city = contact.in_language("street", lang), contact.in_language("city", lang)
    lines = [addressee] if addressee else [texts.addressee, municipality.name(lang)]
    if street:
        lines.append(street)
    if contact.postcode or city:
        lines.append(f"{contact.postcode} {city}".strip())
    return lines


def letter_job(campaign: Campaign, invitee: Invitee, lang: Language) -> Job:
    inv = campaign.invitation
    texts = letter_texts(campaign, invitee, lang)
    rp = campaign.reporting_point
    # the reporting point's address in the letter's language, as the body writes it
    footer = f"{rp.name[lang]} · {texts.values['url']}"
    if rp.telephone:
        footer += f" · {rp.telephone}"
    data = {
        "palette": brand.palette_data(),
        "brand": brand.brand_data(),
        "document": document_info(letter_title(campaign, invitee, lang), texts.organisation),
        "signature": signature_data(campaign, (lang,)),
        "lang": lang,
        "organisation": texts.organisation,
        "sender_lines": (
            ([inv.sender.department[lang]] if inv.sender.department else [])
            + [inv.sender.address[lang], f"{inv.sender.email} · {inv.sender.telephone}"]
        ),
        "addressee_lines": _addressee_lines(invitee, lang, texts),
        "place_date": place_and_date(campaign, lang),
        # the values filled in, addresses, numbers and dates are set so no line ends in them
        "subject": template_runs(inv.subject[lang], lang, texts.values, read=READ),
        "salutation": texts.salutation,
        "paragraphs": [template_runs(p[lang], lang, texts.values, read=READ) for p in inv.body],
        "closing": texts.closing,
        "signatory_name": texts.name,
        "signatory_role": texts.role,
        "contact": contact_line(campaign),
        "footer": footer,
        "page_label": mail_strings()[lang]["page"],
    }
    return Job(
        template="letter.typ",
        data=data,
        format="pdf",
        label=f"letter {invitee.municipality.code} {invitee.municipality.local_name} {lang}",
        check_glyphs=(
            "signature",
            "organisation",
            "sender_lines",
            "addressee_lines",
            "place_date",
            "subject",
            "salutation",
            "paragraphs",
            "closing",
            "signatory_name",
            "signatory_role",
        ),
        pdf_standards=ACCESSIBLE,  # a tagged PDF/UA-1 letter, readable aloud
    )


def letter_name(campaign: Campaign, invitee: Invitee, lang: Language) -> str:
    """The letter's file in the municipality's folder: 'lettre-blue-heart-2024-liege-fr.pdf'."""
    word = slug(mail_strings()[lang]["letter"])
    return f"{word}-blue-heart-{campaign.year}-{slug(invitee.municipality.name(lang))}-{lang}.pdf"


def letter_title(campaign: Campaign, invitee: Invitee, lang: Language) -> str:
    """The letter's document title, shown by a PDF reader, as its attachment is named:
    'Lettre Cœur bleu 2024 – Liège'."""
    words = mail_strings()[lang]
    place = invitee.municipality.name(lang)
    return f"{words['letter']} {words['campaign']} {campaign.year} – {place}"


def attachment_name(campaign: Campaign, invitee: Invitee, lang: Language) -> str:
    """The letter's name as an e-mail attachment, with the campaign's name in the letter's
    language: 'Lettre Cœur bleu 2024 – Liège (fr).pdf', 'Brief Blue Heart 2024 – Eupen (de).pdf'.
    """
    words = mail_strings()[lang]
    name = invitee.municipality.name(lang).replace("/", "-").replace("\\", "-")
    return f"{words['letter']} {words['campaign']} {campaign.year} – {name} ({lang}).pdf"
