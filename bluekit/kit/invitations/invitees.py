"""Who is invited: the municipalities of the contacts file, filtered, each with its contact and
the campaign languages to write to it in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bluekit.campaign.model import Campaign
from bluekit.errors import BluekitError
from bluekit.files.filenames import slug
from bluekit.kit.languages import campaign_languages
from bluekit.language import Language
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import Contact, read_contacts
from bluekit.municipalities.registry import Municipality


class InvitationError(BluekitError):
    """Invitations cannot be planned as asked (no contacts, a filter that matches nothing...)."""


@dataclass(frozen=True)
class Invitee:
    """A municipality to invite, its contact, and the languages to write in."""

    municipality: Municipality
    contact: Contact
    languages: tuple[Language, ...]

    @property
    def folder(self) -> str:
        return f"invitations/{self.municipality.code}-{slug(self.municipality.local_name)}"


def invitee_key(invitee: Invitee) -> list[Any]:
    """Everything of the invitee its e-mail and the overview are made from, for their
    fingerprints."""
    c = invitee.contact
    return [invitee.municipality.as_dict(), c.code, c.email, c.addressee, c.street, c.postcode,
            c.city, c.languages, c.localised, invitee.languages]


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
        langs = campaign_languages(campaign, contact.languages_for(municipality))
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
