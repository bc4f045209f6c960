"""The invitation section of the campaign file: the letter and e-mail inviting municipalities
to light a building blue on 30 July, the reminder, the sender and the official who signs.

How each municipality's college is addressed (the addressee, salutation and closing) is not
here: it follows the municipality's region and the letter's language, and bluekit holds it
(`templates/address_forms.yaml`); campaign files of before 2025 that still have those keys are
told so (`RETIRED_KEYS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from bluekit.campaign.fields import Email, LocalizedText, PersonName, Telephone
from bluekit.campaign.section import Strict
from bluekit.language import Language

# A subject holding two languages must show both in an inbox's list of messages, which shows
# about 78 characters of a subject on a laptop screen (the line length RFC 5322 recommends).
SUBJECT_LIMIT = 78

_ADDRESS_FORMS = (
    "bluekit now addresses each municipality's college by its region and the letter's "
    "language (college van burgemeester en schepenen, Collège communal, Gemeindekollegium...): "
    "remove this key"
)
RETIRED_KEYS = {
    ("invitation", "addressee"): _ADDRESS_FORMS,
    ("invitation", "salutation"): _ADDRESS_FORMS,
    ("invitation", "closing"): _ADDRESS_FORMS,
}


class Signatory(Strict):
    """The official of the sender who signs the letters, and their function."""

    name: PersonName | None = Field(
        default=None,
        description="The first name and surname of the official who signs, as they sign; "
        "staff fill it in (bluekit never makes one up).",
    )
    role: LocalizedText


class Sender(Strict):
    organisation: LocalizedText
    department: LocalizedText | None = None
    address: LocalizedText
    email: Email
    telephone: Telephone


def two_language_subject(subjects: Sequence[str]) -> str:
    """The subject of an e-mail in several languages: 'Kleurt uw gemeente…? / Votre commune…'."""
    return " / ".join(subjects)


class Invitation(Strict):
    """The letter and e-mail inviting municipalities to light a building blue on 30 July."""

    sender: Sender
    signatory: Signatory
    reply_by: dt.date
    reminder_reply_by: dt.date | None = Field(
        default=None,
        description="The new reply-by date a reminder asks for ({reminder_reply_by}): after "
        "reply_by, before 30 July.",
    )
    letter_date: dt.date | None = Field(
        default=None,
        description="The date printed on the letters; default: 4 weeks before reply_by.",
    )
    contacts_file: Path | None = Field(
        default=None,
        description="Contacts CSV (relative to this file); when set, `bluekit build` makes the "
        "invitations too.",
    )
    subject: LocalizedText
    subject_short: LocalizedText | None = Field(
        default=None,
        description="A shorter subject for e-mails in two languages, so that an inbox shows "
        f"both: two of them with ' / ' between at most {SUBJECT_LIMIT} characters.",
    )
    body: list[LocalizedText] = Field(min_length=1)
    reminder: LocalizedText | None = None

    @property
    def date_on_letters(self) -> dt.date:
        return self.letter_date or self.reply_by - dt.timedelta(weeks=4)

    def subject_in(self, languages: Sequence[Language]) -> list[str]:
        """The subject in each of `languages`: the short one when there are several."""
        texts = self.subject_short if len(languages) > 1 and self.subject_short else self.subject
        return [texts[lang] for lang in languages]

    @field_validator("reply_by", "reminder_reply_by")
    @classmethod
    def _reply_before_world_day(cls, value: dt.date | None, info: ValidationInfo) -> Any:
        year = (info.context or {}).get("year")
        if (
            value is not None
            and isinstance(year, int)
            and not (dt.date(year, 1, 1) <= value < dt.date(year, 7, 30))
        ):
            raise PydanticCustomError(
                "reply_by", "the reply-by date must fall in {year}, before 30 July", {"year": year}
            )
        return value

    @model_validator(mode="after")
    def _reminder_after_reply_by(self) -> Invitation:
        if self.reminder_reply_by is not None and self.reminder_reply_by <= self.reply_by:
            raise PydanticCustomError(
                "reminder_reply_by",
                "reminder_reply_by ({reminder}) must come after reply_by ({reply_by}): the "
                "reminders go out once reply_by has passed",
                {"reminder": self.reminder_reply_by.isoformat(),
                 "reply_by": self.reply_by.isoformat()},
            )
        return self
