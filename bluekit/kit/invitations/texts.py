"""The words of an invitation in one language: the campaign's letter texts filled in for a
municipality with the form of address of its college (shared by the letter, the e-mail and the
overview), the place and date of the letter, and the fixed words of e-mails and calendar files
(`templates/mail_strings.yaml`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import cast
from urllib.parse import urlsplit

from bluekit.campaign.model import Campaign
from bluekit.campaign.placeholders import fill
from bluekit.campaign.placeholders import values as placeholder_values
from bluekit.campaign.yaml_source import load_plain
from bluekit.kit.invitations.address_forms import form_of_address
from bluekit.kit.invitations.invitees import Invitee
from bluekit.language import Language, written_date, written_list


@cache
def mail_strings() -> dict[str, dict[str, str]]:
    """Words of the e-mails and calendar files per language (templates/mail_strings.yaml)."""
    text = (files("bluekit") / "templates" / "mail_strings.yaml").read_text("utf-8")
    # the file maps each language code to its words, all of them strings
    return cast("dict[str, dict[str, str]]", load_plain(text))


def place_and_date(campaign: Campaign, lang: Language) -> str:
    """'Brussel, 14 juni 2024', 'Bruxelles, le 1er juillet 2024', 'Brüssel, 14. Juni 2024'."""
    return _place_and_date(campaign.invitation.sender.address[lang],
                           campaign.invitation.date_on_letters, lang)


@cache
def _place_and_date(address: str, date: dt.date, lang: Language) -> str:
    match = re.search(r"\b\d{4}\s+(.+)$", address)
    place = match.group(1).strip() if match else address.split(",")[-1].strip()
    day = written_date(date, lang, "long")
    return f"{place}, le {day}" if lang == "fr" else f"{place}, {day}"


@dataclass(frozen=True)
class LetterTexts:
    """The campaign's invitation texts in one language, filled in for one municipality, with
    the form of address of its college."""

    addressee: str
    subject: str
    salutation: str
    paragraphs: list[str]
    closing: str
    name: str | None
    role: str
    organisation: str
    reminder: str | None
    values: dict[str, str]  # the placeholders' values, which a printed line must never split


def letter_texts(campaign: Campaign, invitee: Invitee, lang: Language) -> LetterTexts:
    """The letter's texts in `lang`, with the address as people type it
    (www.stopmensenhandel.be/fr), on the letter and in the e-mail (whose HTML part links it with
    tracking, and whose plain text gives the tracked address at its end)."""
    inv = campaign.invitation
    parts = urlsplit(campaign.reporting_point.url[lang])
    url = parts.netloc + parts.path.rstrip("/")
    # the placeholder values once for all the texts of this letter; in a sentence the
    # hashtags are a list ("#EndHumanTrafficking en #HumanTrafficking")
    filled = placeholder_values(campaign, lang, municipality=invitee.municipality, url=url)
    filled["hashtags"] = written_list(campaign.hashtags, lang)
    form = form_of_address(invitee.municipality, lang)

    def t(text: dict[Language, str]) -> str:
        return fill(text[lang], **filled)

    return LetterTexts(
        addressee=form.addressee,
        subject=t(inv.subject),
        salutation=form.salutation,
        paragraphs=[t(p) for p in inv.body],
        closing=form.closing,
        name=inv.signatory.name,
        role=t(inv.signatory.role),
        organisation=t(inv.sender.organisation),
        reminder=t(inv.reminder) if inv.reminder else None,
        values=filled,
    )


def contact_line(campaign: Campaign) -> str:
    """How to reach the sender, under the letter and the e-mail."""
    sender = campaign.invitation.sender
    return f"{sender.email} · {sender.telephone}"
