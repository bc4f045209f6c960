"""The validated value types of the campaign file: texts in every language, https addresses,
e-mail addresses, Belgian telephone numbers, times of day, hashtags, item codes and slugs.

Each type carries its own check, so a section of the model only names the type of a field and a
wrong value is reported with a message that says what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from bluekit.language import Language

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _complete_translations(value: dict[Language, str], info: ValidationInfo) -> dict[Language, str]:
    """Every text must exist in every language the campaign is made in."""
    languages = (info.context or {}).get("languages") or ()
    missing = [lang for lang in languages if lang not in value]
    if missing:
        raise PydanticCustomError(
            "missing_translation",
            "missing translation: {missing}",
            {"missing": ", ".join(missing)},
        )
    extra = [lang for lang in value if languages and lang not in languages]
    if extra:
        raise PydanticCustomError(
            "extra_translation",
            "text in {extra}, which is not one of the campaign's languages ({languages})",
            {"extra": ", ".join(extra), "languages": ", ".join(languages)},
        )
    return value


LocalizedText = Annotated[dict[Language, Text], AfterValidator(_complete_translations)]


def _https_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme != "https" or "." not in parts.netloc or " " in value:
        raise PydanticCustomError(
            "https_url",
            "expected an absolute https:// address such as https://www.stopmensenhandel.be, "
            "got '{value}'",
            {"value": value},
        )
    return value


HttpsUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_https_url)]
LocalizedUrl = Annotated[dict[Language, HttpsUrl], AfterValidator(_complete_translations)]


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "email", "not a valid e-mail address ({reason})", {"reason": str(exc)}
        ) from None
    return value


Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_email)]


def _belgian_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PydanticCustomError(
            "phone",
            "not a valid Belgian telephone number: '{value}' (write it like 078 055 800 "
            "or +32 78 055 800)",
            {"value": value},
        )
    if phonenumbers.region_code_for_number(number) != "BE":
        raise PydanticCustomError(
            "phone", "'{value}' is not a Belgian number (+32)", {"value": value}
        )
    return value


Telephone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_belgian_phone)]
Hashtag = Annotated[str, StringConstraints(pattern=r"^#\w+$")]
ItemCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]


_CLOCK = re.compile(r"([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?")


def _clock_time(value: object) -> object:
    """A time of day as written, HH:MM (or HH:MM:SS), never a number: pydantic would read 600
    as 600 seconds after midnight, 00:10, which is what YAML 1.1 makes of an unquoted 10:00."""
    if isinstance(value, dt.time) or (isinstance(value, str) and _CLOCK.fullmatch(value.strip())):
        return value.strip() if isinstance(value, str) else value
    raise PydanticCustomError(
        "clock_time", "{value} is not a time of day: write it as HH:MM, e.g. 10:00",
        {"value": repr(value)},
    )


ClockTime = Annotated[dt.time, BeforeValidator(_clock_time)]
# Words that show a name was never filled in: "Voornaam Achternaam", "Prénom Nom", "N.N.".
_PLACEHOLDER_WORDS = {
    "voornaam", "achternaam", "familienaam", "naam", "prénom", "prenom", "nom", "vorname",
    "nachname", "name", "firstname", "lastname", "surname", "todo", "tbd", "xxx", "nn",
    "ondertekenaar", "signataire", "unterzeichner", "signatory",
}


def _person_name(value: str) -> str:
    """A person's name as they sign a letter: at least two words (first name and surname), of
    letters with hyphens, apostrophes or an initial's full stop; not a placeholder."""
    words = value.split()
    plain = {w.strip(".").casefold() for w in words}
    if (
        len(words) < 2
        or not all(c.isalpha() or c in " -'’." for c in value)
        or not any(w[:1].isupper() for w in words)
        or plain & _PLACEHOLDER_WORDS
    ):
        raise PydanticCustomError(
            "person_name",
            "'{value}' is not a person's name as they sign (first name and surname, e.g. "
            "An Peeters or Marie Dubois-Lambert)",
            {"value": value},
        )
    return value


PersonName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_person_name)
]
