"""Invitations to light a building blue on 30 July: campaign + contacts -> planned letters,
calendar files and e-mails, one folder per municipality.

`dist/<year>/invitations/<refnis>-<name>/` holds a letter PDF per language the municipality is
addressed in, `blue-heart-<year>.ics` (30 July, with a reminder the day before) and
`message.eml`, the e-mail that `bluekit invitations send` sends as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date

from bluekit.campaign.model import Campaign, fill
from bluekit.campaign.placeholders import LOCALES
from bluekit.campaign.placeholders import values as placeholder_values
from bluekit.campaign.yaml_source import load_plain
from bluekit.errors import BluekitError
from bluekit.files.excel_csv import excel_csv
from bluekit.files.filenames import slug
from bluekit.kit import brand
from bluekit.kit.tracking import tracked_url
from bluekit.mail.sender import EmailJob, LazyEmailJob, message_id
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import Contact, read_contacts
from bluekit.municipalities.registry import Municipality
from bluekit.pipeline.jinja_templates import render_html, render_plain
from bluekit.pipeline.jobs import LazyJob, PlannedOutput
from bluekit.pipeline.render import Job

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}


class InvitationError(BluekitError):
    """Invitations cannot be planned as asked (no contacts, a filter that matches nothing...)."""


@cache
def mail_strings() -> dict[str, dict[str, str]]:
    """Words of the e-mails and calendar files per language (templates/mail_strings.yaml)."""
    text = (files("bluekit") / "templates" / "mail_strings.yaml").read_text("utf-8")
    return load_plain(text)


def place_and_date(campaign: Campaign, lang: str) -> str:
    """'Brussel, 14 juni 2024', 'Bruxelles, le 14 juin 2024', 'Brüssel, 14. Juni 2024'."""
    return _place_and_date(campaign.invitation.sender.address[lang],
                           campaign.invitation.date_on_letters, lang)


@cache
def _place_and_date(address: str, date: dt.date, lang: str) -> str:
    match = re.search(r"\b\d{4}\s+(.+)$", address)
    place = match.group(1).strip() if match else address.split(",")[-1].strip()
    day = format_date(date, "long", locale=LOCALES[lang])
    return f"{place}, le {day}" if lang == "fr" else f"{place}, {day}"


@dataclass(frozen=True)
class Invitee:
    """A municipality to invite, its contact, and the languages to write in."""

    municipality: Municipality
    contact: Contact
    languages: tuple[str, ...]

    @property
    def folder(self) -> str:
        return f"invitations/{self.municipality.code}-{slug(self.municipality.local_name)}"


def select_invitees(
    campaign: Campaign,
    contacts: dict[str, Contact],
    *,
    region: str | None = None,
    province: str | None = None,
    codes: Sequence[str] = (),
) -> list[Invitee]:
    """Municipalities with a contact, filtered; languages limited to the campaign's."""
    allowed = {m.code for m in registry.select(region=region, province=province)}
    wanted = {registry.find(c).code for c in codes}
    result = []
    for code, contact in sorted(contacts.items()):
        if code not in allowed or (wanted and code not in wanted):
            continue
        municipality = registry.by_code(code)
        assert municipality is not None
        langs = tuple(
            lang for lang in contact.languages_for(municipality) if lang in campaign.languages
        )
        if not langs:
            raise InvitationError(
                f"{municipality.display_name} is written to in "
                f"{'+'.join(contact.languages_for(municipality))}, which the campaign lacks"
            )
        result.append(Invitee(municipality, contact, langs))
    if not result:
        raise InvitationError(
            "no municipality to invite: the contacts file and the filters match none",
            hint="check --region/--province/--code and the contacts file",
        )
    return result


def _texts(
    campaign: Campaign, invitee: Invitee, lang: str, *, for_mail: bool = False
) -> dict[str, Any]:
    """The letter's texts in `lang`. A printed letter shows the address as people type it
    (www.stopmensenhandel.be/fr); the e-mail links with tracking parameters."""
    inv = campaign.invitation
    address = campaign.reporting_point.url[lang]
    if for_mail:
        url = tracked_url(
            address, source="invitation", medium="email", campaign=f"blueheart{campaign.year}"
        )
    else:
        parts = urlsplit(address)
        url = parts.netloc + parts.path.rstrip("/")
    # the placeholder values once for all the texts of this letter
    filled = placeholder_values(campaign, lang, municipality=invitee.municipality, url=url)

    def t(text: dict[str, str]) -> str:
        return fill(text[lang], **filled)

    return {
        "subject": t(inv.subject),
        "salutation": t(inv.salutation),
        "paragraphs": [t(p) for p in inv.body],
        "closing": t(inv.closing),
        "role": t(inv.signatory.role),
        "organisation": t(inv.sender.organisation),
        "reminder": t(inv.reminder) if inv.reminder else None,
    }


def _addressee_lines(campaign: Campaign, invitee: Invitee, lang: str) -> list[str]:
    contact, municipality = invitee.contact, invitee.municipality
    addressee, street = contact.in_language("addressee", lang), contact.in_language("street", lang)
    city = contact.in_language("city", lang)
    lines = (
        [addressee]
        if addressee
        else [campaign.invitation.addressee[lang], municipality.name(lang)]
    )
    if street:
        lines.append(street)
    if contact.postcode or city:
        lines.append(f"{contact.postcode} {city}".strip())
    return lines


def letter_job(campaign: Campaign, invitee: Invitee, lang: str) -> Job:
    inv = campaign.invitation
    texts = _texts(campaign, invitee, lang)
    rp = campaign.reporting_point
    footer = f"{rp.name[lang]} · {urlsplit(rp.url[lang]).netloc}"
    if rp.telephone:
        footer += f" · {rp.telephone}"
    data = {
        "palette": brand.palette_data(),
        "lang": lang,
        "organisation": texts["organisation"],
        "sender_lines": (
            ([inv.sender.department[lang]] if inv.sender.department else [])
            + [inv.sender.address[lang], f"{inv.sender.email} · {inv.sender.telephone}"]
        ),
        "addressee_lines": _addressee_lines(campaign, invitee, lang),
        "place_date": place_and_date(campaign, lang),
        "subject": texts["subject"],
        "salutation": texts["salutation"],
        "paragraphs": texts["paragraphs"],
        "closing": texts["closing"],
        "signatory_name": inv.signatory.name,
        "signatory_role": texts["role"],
        "contact": _contact_line(campaign),
        "footer": footer,
        "page_label": mail_strings()[lang]["page"],
    }
    return Job(
        template="letter.typ",
        data=data,
        format="pdf",
        label=f"letter {invitee.municipality.code} {invitee.municipality.local_name} {lang}",
        check_glyphs=(
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
    )


def letter_name(campaign: Campaign, invitee: Invitee, lang: str) -> str:
    word = slug(mail_strings()[lang]["letter"])
    return f"{word}-blue-heart-{campaign.year}-{slug(invitee.municipality.name(lang))}-{lang}.pdf"


def attachment_name(campaign: Campaign, invitee: Invitee, lang: str) -> str:
    word = mail_strings()[lang]["letter"]
    name = invitee.municipality.name(lang).replace("/", "-").replace("\\", "-")
    return f"{word} Blue Heart {campaign.year} – {name} ({lang}).pdf"


def calendar_key(campaign: Campaign, invitee: Invitee) -> str:
    """Everything the calendar file is made from, for its fingerprint."""
    lang = invitee.languages[0]
    return json.dumps([
        "ics-v1", campaign.year, invitee.municipality.code, invitee.languages,
        campaign.dates.world_day.isoformat(), campaign.invitation.date_on_letters.isoformat(),
        campaign.invitation.sender.email, campaign.hashtags, campaign.reporting_point.url[lang],
        [mail_strings()[lg] for lg in invitee.languages],
    ])


def calendar_file(campaign: Campaign, invitee: Invitee) -> bytes:
    """30 July as an all-day event, with a display alarm at 09:00 the day before."""
    lang = invitee.languages[0]
    strings = mail_strings()[lang]
    import icalendar  # here: only a build that writes calendar files needs it

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//FOD Justitie//bluekit//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    day = campaign.dates.world_day
    domain = campaign.invitation.sender.email.split("@")[-1]
    event.add("uid", f"blueheart-{campaign.year}-{invitee.municipality.code}@{domain}")
    event.add(
        "dtstamp",
        dt.datetime.combine(campaign.invitation.date_on_letters, dt.time(9), tzinfo=dt.UTC),
    )
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", " / ".join(mail_strings()[lg]["event"] for lg in invitee.languages))
    event.add(
        "description",
        f"{strings['event_description']} {' '.join(campaign.hashtags)}\n"
        f"{campaign.reporting_point.url[lang]}",
    )
    event.add("transp", "TRANSPARENT")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", mail_strings()[lang]["event"])
    alarm.add("trigger", dt.timedelta(hours=-15))  # 09:00 on 29 July
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()


def subject(campaign: Campaign, invitee: Invitee, *, reminder: bool = False) -> str:
    parts = []
    for lang in invitee.languages:
        text = _texts(campaign, invitee, lang)["subject"]
        if reminder:
            text = f"{mail_strings()[lang]['reminder']}: {text}"
        parts.append(text)
    return " / ".join(parts)


def mail_bodies(campaign: Campaign, invitee: Invitee, *, reminder: bool = False) -> tuple[str, str]:
    """Plain text and HTML of the e-mail, one section per language."""
    sections = []
    for lang in invitee.languages:
        texts = _texts(campaign, invitee, lang, for_mail=True)
        base = campaign.social.base_url
        paragraphs = [texts["reminder"]] if reminder and texts["reminder"] else texts["paragraphs"]
        sections.append(
            {
                "lang": lang,
                "language": LANGUAGE_NAMES[lang],
                "salutation": texts["salutation"],
                "paragraphs": paragraphs,
                "closing": texts["closing"],
                "role": texts["role"],
                "organisation": texts["organisation"],
                "contact": _contact_line(campaign),
                "attachments": mail_strings()[lang]["attachments"],
                "social_label": mail_strings()[lang]["social_kit"],
                "social_url": f"{base.rstrip('/')}/{lang}/" if base else None,
            }
        )
    context = {
        "sections": sections,
        "colours": {k: c.rgb for k, c in brand.PALETTE.items()},
        "subject": subject(campaign, invitee, reminder=reminder),
    }
    return (
        render_plain("invitation_email.txt.j2", **context),
        render_html("invitation_email.html.j2", **context),
    )


def _contact_line(campaign: Campaign) -> str:
    sender = campaign.invitation.sender
    return f"{sender.email} · {sender.telephone}"


def _sender(campaign: Campaign, lang: str) -> str:
    name = campaign.invitation.sender.organisation[lang]
    return f"{name} – Blue Heart <{campaign.invitation.sender.email}>"


def email_job(
    campaign: Campaign,
    invitee: Invitee,
    letters: Sequence[PlannedOutput],
    ics: PlannedOutput,
    *,
    reminder: bool = False,
) -> EmailJob:
    text, html = mail_bodies(campaign, invitee, reminder=reminder)
    first = invitee.languages[0]
    kind = "reminder" if reminder else "invitation"
    headers = (
        ("From", _sender(campaign, first)),
        ("To", invitee.contact.email),
        ("Subject", subject(campaign, invitee, reminder=reminder)),
        ("Message-ID", message_id(campaign, kind, invitee.municipality.code)),
        ("Content-Language", ", ".join(invitee.languages)),
    )
    # Attachments carry readable names ("Lettre Blue Heart 2024 – Liège (fr).pdf", encoded per
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
        if value and set(value) <= set(LOCALES):
            return {k: v for k, v in value.items() if k in languages}
        return {k: _in_languages(v, languages) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_languages(v, languages) for v in value]
    return value


def mail_inputs(campaign: Campaign, languages: Sequence[str]) -> str:
    """Everything of the campaign an invitation e-mail in `languages` is made from (its texts
    in those languages, dates, addresses, the mail templates and words), for the e-mails'
    fingerprint: a change elsewhere (a poster text, the German letter for a Dutch e-mail)
    leaves them alone."""
    return json.dumps(
        [
            "invitation-email-v1",
            campaign.year,
            _in_languages(campaign.invitation.model_dump(mode="json"), languages),
            campaign.invitation.date_on_letters.isoformat(),
            campaign.dates.model_dump(mode="json"),
            _in_languages(campaign.reporting_point.model_dump(mode="json"), languages),
            campaign.hashtags,
            campaign.social.base_url,
            {lang: mail_strings()[lang] for lang in languages},
            _mail_template_sources(),
            {k: c.rgb for k, c in brand.PALETTE.items()},
        ],
        sort_keys=True,
        default=str,
    )


def _invitee_key(invitee: Invitee) -> list[Any]:
    c = invitee.contact
    return [invitee.municipality.as_dict(), c.code, c.email, c.addressee, c.street, c.postcode,
            c.city, c.languages, c.localised, invitee.languages]


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


def overview_csv(campaign: Campaign, invitees: Sequence[Invitee]) -> bytes:
    """The list of invitations, for Excel in Belgium (UTF-8 with BOM, `;`)."""
    return excel_csv(
        ["refnis", "municipality", "languages", "email", "subject", "folder"],
        (
            [i.municipality.code, i.municipality.local_name, "+".join(i.languages),
             i.contact.email, subject(campaign, i), i.folder]
            for i in invitees
        ),
    )


def plan_invitations(campaign: Campaign, invitees: Sequence[Invitee]) -> list[PlannedOutput]:
    """Letters, calendar file and e-mail per municipality, and the overview CSV."""
    planned: list[PlannedOutput] = []
    inputs: dict[tuple[str, ...], str] = {}
    keys: list[list[Any]] = []
    for invitee in invitees:
        key = _invitee_key(invitee)
        keys.append(key)
        if invitee.languages not in inputs:
            inputs[invitee.languages] = mail_inputs(campaign, invitee.languages)
        letters = [
            PlannedOutput(
                f"{invitee.folder}/{letter_name(campaign, invitee, lang)}",
                letter_job(campaign, invitee, lang),
            )
            for lang in invitee.languages
        ]
        ics = PlannedOutput(
            f"{invitee.folder}/blue-heart-{campaign.year}.ics",
            LazyJob(
                key=calendar_key(campaign, invitee),
                make=partial(calendar_file, campaign, invitee),
                label=f"calendar {invitee.municipality.code}",
            ),
        )
        mail = PlannedOutput(
            f"{invitee.folder}/message.eml",
            lazy_email_job(campaign, invitee, letters, ics, inputs[invitee.languages], key),
        )
        planned += [*letters, ics, mail]
    overview = LazyJob(
        key=json.dumps(["overview-v1", mail_inputs(campaign, campaign.languages),
                        keys]),
        make=partial(overview_csv, campaign, invitees),
        label="overview",
    )
    planned.append(PlannedOutput("invitations/overview.csv", overview))
    return planned


def contacts_path(campaign_path: Path, campaign: Campaign, given: Path | None) -> Path | None:
    """The contacts file: the one given, else the campaign's `invitation.contacts_file`
    (relative to the campaign file), else None."""
    if given is not None:
        return given
    configured = campaign.invitation.contacts_file
    if configured is None:
        return None
    return configured if configured.is_absolute() else campaign_path.parent / configured


def load_invitees(
    campaign_path: Path, campaign: Campaign, contacts: Path | None, **filters: Any
) -> list[Invitee]:
    path = contacts_path(campaign_path, campaign, contacts)
    if path is None:
        raise InvitationError(
            "no contacts file", hint="pass --contacts FILE or set invitation.contacts_file"
        )
    return select_invitees(campaign, read_contacts(path), **filters)
