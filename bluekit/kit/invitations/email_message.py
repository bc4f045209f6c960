"""The invitation e-mail, `message.eml`: its subject, its plain-text and HTML bodies (one section
per language), its headers and attachments (the letters and the calendar file), and the summary
of its inputs that lets a rebuild skip the 565 e-mails when nothing of theirs changed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache, partial
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bluekit.campaign.invitation import two_language_subject
from bluekit.campaign.model import Campaign
from bluekit.campaign.placeholders import render_text
from bluekit.kit import brand
from bluekit.kit.invitations.address_forms import forms_source
from bluekit.kit.invitations.invitees import Invitee
from bluekit.kit.invitations.letters import READ, attachment_name
from bluekit.kit.invitations.texts import contact_line, letter_texts, mail_strings
from bluekit.kit.tracking import tracked_url
from bluekit.kit.typography import template_runs
from bluekit.language import LANGUAGES, Language
from bluekit.mail.message import EmailJob, LazyEmailJob, message_id
from bluekit.pipeline.jinja_templates import render_html, render_plain
from bluekit.pipeline.jobs import PlannedOutput

LANGUAGE_NAMES: dict[Language, str] = {
    "nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English",
}


def subject(campaign: Campaign, invitee: Invitee, *, reminder: bool = False) -> str:
    """The subject in the municipality's languages: in two, the short subjects, so that an
    inbox shows both; a reminder says so first in each ('Herinnering / Rappel – …')."""
    languages = invitee.languages
    texts = campaign.invitation.subject_in(languages)
    text = two_language_subject([
        render_text(part, campaign, lang, municipality=invitee.municipality)
        for part, lang in zip(texts, languages, strict=True)
    ])
    if reminder:
        words = [mail_strings()[lang]["reminder"] for lang in languages]
        text = f"{' / '.join(words)} – {text}"
    return text


def reporting_link(campaign: Campaign, lang: Language) -> tuple[str, str]:
    """The reporting point as the e-mail writes it ('www.stopmensenhandel.be/nl', as people
    type it) and the address it links to, with the invitation's tracking parameters."""
    address = campaign.reporting_point.url[lang]
    short = urlsplit(address).netloc + urlsplit(address).path.rstrip("/")
    return short, tracked_url(address, source="invitation", medium="email",
                              campaign=f"blueheart{campaign.year}")


def _html_paragraphs(
    campaign: Campaign, invitee: Invitee, lang: Language, reminder: bool
) -> list[list[dict[str, Any]]]:
    """The paragraphs as the HTML part shows them: the reporting point as a short address
    that links with tracking, e-mail addresses as links, and numbers, dates and names that do
    not break across lines (long addresses may: a phone's screen is narrow)."""
    printed = letter_texts(campaign, invitee, lang)
    links = dict([reporting_link(campaign, lang)])
    inv = campaign.invitation
    texts = [inv.reminder] if reminder and inv.reminder else inv.body
    result = []
    for text in texts:
        pieces = []
        for run in template_runs(text[lang], lang, printed.values, read=READ):
            value = run["text"]
            href = links.get(value) or (f"mailto:{value}" if "@" in value and run["keep"]
                                        and " " not in value else None)
            pieces.append({"text": value, "href": href, "keep": run["keep"] and len(value) < 40})
        result.append(pieces)
    return result


def _section(
    campaign: Campaign, invitee: Invitee, lang: Language, reminder: bool
) -> dict[str, Any]:
    """The part of the e-mail in `lang`. Its plain text writes the reporting point as on the
    letter; the address with tracking is given once, at the end of the e-mail (`links`)."""
    texts = letter_texts(campaign, invitee, lang)
    base = campaign.social.base_url
    words = mail_strings()[lang]
    paragraphs = [texts.reminder] if reminder and texts.reminder else texts.paragraphs
    short, tracked = reporting_link(campaign, lang)
    return {
        "link": {"short": short, "tracked": tracked}
        if any(short in p for p in paragraphs) else None,
        "html_paragraphs": _html_paragraphs(campaign, invitee, lang, reminder),
        "lang": lang,
        "language": LANGUAGE_NAMES[lang],
        "salutation": texts.salutation,
        "paragraphs": paragraphs,
        "closing": texts.closing,
        "name": texts.name,
        "role": texts.role,
        "organisation": texts.organisation,
        "contact": contact_line(campaign),
        "attachments": words["attachments_again" if reminder else "attachments"],
        "social_label": words["social_kit"],
        "social_url": f"{base.rstrip('/')}/{lang}/" if base else None,
    }


def mail_bodies(campaign: Campaign, invitee: Invitee, *, reminder: bool = False) -> tuple[str, str]:
    """Plain text and HTML of the e-mail, one section per language; the plain text ends with
    the tracked address of each reporting point it names ('www.stopmensenhandel.be/nl: https://
    ...?utm_source=invitation...'), once, as a plain-text part cannot hide a link."""
    sections = [_section(campaign, invitee, lang, reminder) for lang in invitee.languages]
    context = {
        "sections": sections,
        "links": list({s["link"]["short"]: s["link"] for s in sections if s["link"]}.values()),
        "colours": {k: c.rgb for k, c in brand.PALETTE.items()},
        "subject": subject(campaign, invitee, reminder=reminder),
    }
    return (
        render_plain("invitation_email.txt.j2", **context),
        render_html("invitation_email.html.j2", **context),
    )


def _sender(campaign: Campaign, languages: Sequence[Language]) -> str:
    """'FOD Justitie – Blue Heart', 'FOD Justitie / SPF Justice – Blue Heart / Cœur bleu':
    the sender's name in each language of the e-mail."""
    def in_each(names: Sequence[str]) -> str:
        return " / ".join(dict.fromkeys(names))

    organisation = in_each([campaign.invitation.sender.organisation[lg] for lg in languages])
    name = in_each([mail_strings()[lg]["campaign"] for lg in languages])
    return f"{organisation} – {name} <{campaign.invitation.sender.email}>"


def email_job(
    campaign: Campaign,
    invitee: Invitee,
    letters: Sequence[PlannedOutput],
    ics: PlannedOutput,
    *,
    reminder: bool = False,
) -> EmailJob:
    text, html = mail_bodies(campaign, invitee, reminder=reminder)
    kind = "reminder" if reminder else "invitation"
    headers = (
        ("From", _sender(campaign, invitee.languages)),
        ("To", invitee.contact.email),
        ("Subject", subject(campaign, invitee, reminder=reminder)),
        ("Message-ID", message_id(campaign, kind, invitee.municipality.code)),
        ("Content-Language", ", ".join(invitee.languages)),
    )
    # Attachments carry readable names ("Lettre Cœur bleu 2024 – Liège (fr).pdf", encoded per
    # RFC 2231 in the message); the files on disk keep their plain slugs.
    attachments = tuple(
        (
            attachment_name(campaign, invitee, lang),
            item.path,
            "application/pdf",
            item.job.fingerprint(),
        )
        for lang, item in zip(invitee.languages, letters, strict=True)
    ) + ((Path(ics.path).name, ics.path, "text/calendar", ics.job.fingerprint()),)
    date = dt.datetime.combine(campaign.invitation.date_on_letters, dt.time(9, 0), tzinfo=dt.UTC)
    return EmailJob(
        headers=headers,
        text=text,
        html=html,
        attachments=attachments,
        date=date,
        label=f"e-mail {invitee.municipality.code}",
    )


@cache
def _mail_template_sources() -> str:
    folder = files("bluekit") / "templates"
    return "".join(
        (folder / name).read_text("utf-8")
        for name in ("invitation_email.txt.j2", "invitation_email.html.j2")
    )


def _in_languages(value: Any, languages: Sequence[str]) -> Any:
    """`value` with every text kept only in `languages` (a mapping keyed by language codes)."""
    if isinstance(value, dict):
        if value and set(value) <= set(LANGUAGES):
            return {k: v for k, v in value.items() if k in languages}
        return {k: _in_languages(v, languages) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_languages(v, languages) for v in value]
    return value


def mail_inputs(campaign: Campaign, languages: Sequence[Language]) -> str:
    """Everything of the campaign an invitation e-mail in `languages` is made from (its texts
    in those languages, dates, addresses, the mail templates and words), for the e-mails'
    fingerprint: a change elsewhere (a poster text, the German letter for a Dutch e-mail)
    leaves them alone."""
    return json.dumps(
        [
            "invitation-email-v2",
            campaign.year,
            _in_languages(campaign.invitation.model_dump(mode="json"), languages),
            campaign.invitation.date_on_letters.isoformat(),
            campaign.dates.model_dump(mode="json"),
            _in_languages(campaign.reporting_point.model_dump(mode="json"), languages),
            campaign.hashtags,
            campaign.social.base_url,
            {lang: mail_strings()[lang] for lang in languages},
            forms_source(),
            _mail_template_sources(),
            {k: c.rgb for k, c in brand.PALETTE.items()},
        ],
        sort_keys=True,
        default=str,
    )


def lazy_email_job(
    campaign: Campaign,
    invitee: Invitee,
    letters: Sequence[PlannedOutput],
    ics: PlannedOutput,
    inputs: str,
    invitee_key: list[Any],
) -> LazyEmailJob:
    """The invitation e-mail, written only when it must be made (see `mail.LazyEmailJob`)."""
    attached = [(item.path, item.job.fingerprint()) for item in [*letters, ics]]
    return LazyEmailJob(
        key=json.dumps([inputs, invitee_key, attached]),
        make=partial(email_job, campaign, invitee, letters, ics),
        needs=tuple(path for path, _ in attached),
        label=f"e-mail {invitee.municipality.code}",
    )
