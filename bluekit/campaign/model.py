"""The campaign definition: `campaigns/<year>.yaml` read into a validated, typed model.

Everything bluekit produces starts here. Validation reports every problem at once, each with
file, line and column, the field path and what was expected, so staff can fix a file in one go.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import string
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bluekit.campaign.language import LANGUAGE_NAMES, LANGUAGES, Language
from bluekit.campaign.yaml_source import YamlSource, load_yaml
from bluekit.errors import OutputError, Problem, ValidationFailed

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _complete_translations(value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
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

# Placeholders a letter or poster text may contain, written {name}; nothing else is expanded.
PLACEHOLDERS = {
    "municipality",
    "world_day",
    "reply_by",
    "kickoff",
    "year",
    "url",
    "telephone",
    "hashtags",
}


def placeholders_in(text: str) -> set[str]:
    """The {names} used in a text (`{{` and `}}` stand for literal braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def fill(text: str, **values: str) -> str:
    """Replace {placeholders} in a campaign text; values are never themselves expanded."""
    try:
        return text.format_map(values)
    except KeyError as exc:
        raise OutputError(
            f"the text {text[:60]!r} uses {{{exc.args[0]}}}, which has no value here",
            hint=f"remove {{{exc.args[0]}}} from this text in the campaign file",
        ) from None


class Strict(BaseModel):
    """Base of every campaign section: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Kickoff(Strict):
    """The national kick-off event."""

    date: dt.date
    place: LocalizedText


class Dates(Strict):
    """The campaign's fixed dates; World Day is always 30 July of the campaign year."""

    kickoff: Kickoff | None = None
    world_day: dt.date

    @field_validator("world_day")
    @classmethod
    def _is_30_july(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        year = (info.context or {}).get("year")
        if isinstance(year, int) and value != dt.date(year, 7, 30):
            raise PydanticCustomError(
                "world_day",
                "World Day against Trafficking in Persons is 30 July: expected {expected}",
                {"expected": dt.date(year, 7, 30).isoformat()},
            )
        return value

    @field_validator("kickoff")
    @classmethod
    def _kickoff_before_world_day(cls, value: Kickoff | None, info: ValidationInfo) -> Any:
        year = (info.context or {}).get("year")
        if (
            value is not None
            and isinstance(year, int)
            and (value.date.year != year or value.date > dt.date(year, 7, 30))
        ):
            raise PydanticCustomError(
                "kickoff_date",
                "the kick-off must fall in {year}, on or before 30 July",
                {"year": year},
            )
        return value


class ReportingPoint(Strict):
    """The national reporting point (meldpunt): website per language, optional telephone."""

    name: LocalizedText
    url: Annotated[dict[Language, HttpsUrl], AfterValidator(_complete_translations)]
    home: HttpsUrl | None = Field(
        default=None,
        description="Language-neutral address for bilingual material; default: the site's root.",
    )
    telephone: Telephone | None = None
    hours: LocalizedText | None = None

    @property
    def home_url(self) -> str:
        """The language-neutral address (the root of the first language's site by default)."""
        if self.home:
            return self.home
        from urllib.parse import urlsplit

        first = urlsplit(next(iter(self.url.values())))
        return f"{first.scheme}://{first.netloc}/"

    @model_validator(mode="after")
    def _hours_with_telephone(self) -> ReportingPoint:
        if self.telephone and not self.hours:
            raise PydanticCustomError(
                "hours_missing", "a telephone number needs its opening hours (`hours`)"
            )
        return self


class Address(Strict):
    street: Text
    postcode: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3}$")]
    city: Text


class Centre(Strict):
    """A specialised centre for victims of human trafficking."""

    name: Text
    city: LocalizedText
    address: Address
    telephone: Telephone
    email: Email
    website: HttpsUrl


class PosterTexts(Strict):
    """The texts of the 'Maak mensenhandel zichtbaar' poster; the slogan is its headline."""

    lead: LocalizedText
    signals_title: LocalizedText
    signals: list[LocalizedText] = Field(min_length=1, max_length=6)
    call_to_action: LocalizedText
    centres_title: LocalizedText
    supports: LocalizedText  # co-branding line; must contain {municipality}

    @field_validator("supports")
    @classmethod
    def _names_municipality(cls, value: dict[str, str]) -> dict[str, str]:
        for lang, text in value.items():
            if "municipality" not in placeholders_in(text):
                raise PydanticCustomError(
                    "placeholder",
                    "the {lang} text must contain {{municipality}} where the name goes",
                    {"lang": lang},
                )
        return value


PlatformKey = Literal["facebook", "instagram", "x", "linkedin", "bluesky", "mastodon"]


class SocialPost(Strict):
    """One post of the social kit, published relative to a campaign date."""

    id: Slug
    day: Literal["kickoff", "world_day"]  # the date the post is published relative to
    days_before: int = Field(default=0, ge=0, le=30)
    time: dt.time = dt.time(10, 0)
    text: LocalizedText
    by_platform: dict[PlatformKey, LocalizedText] = Field(
        default_factory=dict,
        description="A different text for some platforms (e.g. a shorter one for X).",
    )
    platforms: list[PlatformKey] | None = Field(
        default=None, description="Only on these platforms (default: all of the kit's)."
    )
    with_centres: bool = Field(
        default=False,
        description="Add the specialised centres and their websites where the platform has room.",
    )


class Social(Strict):
    """The social-media kit: alt text of the campaign image and the posts."""

    image_alt: LocalizedText
    image_alt_short: LocalizedText | None = Field(
        default=None,
        description="A shorter alt text (at most 100 characters) for Instagram.",
    )
    base_url: HttpsUrl | None = Field(
        default=None,
        description="Where the kit will be hosted; image URLs in the scheduler files start here.",
    )
    platforms: list[PlatformKey] = Field(
        default_factory=lambda: ["facebook", "instagram", "x", "linkedin", "bluesky", "mastodon"]
    )
    posts: list[SocialPost] = Field(min_length=1)

    @field_validator("posts")
    @classmethod
    def _unique_ids(cls, value: list[SocialPost]) -> list[SocialPost]:
        _reject_duplicates([p.id for p in value], "post id")
        return value


class Signatory(Strict):
    name: Text | None = None
    role: LocalizedText


class Sender(Strict):
    organisation: LocalizedText
    department: LocalizedText | None = None
    address: LocalizedText
    email: Email
    telephone: Telephone


class Invitation(Strict):
    """The letter and e-mail inviting municipalities to light a building blue on 30 July."""

    sender: Sender
    signatory: Signatory
    reply_by: dt.date
    letter_date: dt.date | None = Field(
        default=None,
        description="The date printed on the letters; default: 4 weeks before reply_by.",
    )
    contacts_file: Path | None = Field(
        default=None,
        description="Contacts CSV (relative to this file); when set, `bluekit build` makes the "
        "invitations too.",
    )
    addressee: LocalizedText = Field(
        description="Addressee line when the contacts file gives none; the name follows it."
    )
    subject: LocalizedText
    salutation: LocalizedText
    body: list[LocalizedText] = Field(min_length=1)
    closing: LocalizedText
    reminder: LocalizedText | None = None

    @property
    def date_on_letters(self) -> dt.date:
        return self.letter_date or self.reply_by - dt.timedelta(weeks=4)

    @field_validator("reply_by")
    @classmethod
    def _reply_before_world_day(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        year = (info.context or {}).get("year")
        if isinstance(year, int) and not (dt.date(year, 1, 1) <= value < dt.date(year, 7, 30)):
            raise PydanticCustomError(
                "reply_by", "the reply-by date must fall in {year}, before 30 July", {"year": year}
            )
        return value


class Material(Strict):
    """An item partners can order: posters, pins, brochures."""

    code: ItemCode
    kind: Literal["poster", "pin", "brochure", "other"]
    name: LocalizedText
    language: Language | None = None
    size: Literal["A4", "A3", "A2"] | None = None
    unit: LocalizedText
    stock: int = Field(ge=0)
    low_stock: int = Field(ge=0)


class Contacts(Strict):
    orders: Email
    press: Email


class Organisation(Strict):
    name: LocalizedText
    address: LocalizedText
    telephone: Telephone
    website: Annotated[dict[Language, HttpsUrl], AfterValidator(_complete_translations)]


class Campaign(Strict):
    """A year's Blue Heart campaign in Belgium, as defined in `campaigns/<year>.yaml`."""

    year: int = Field(ge=2019, le=2100)
    review: list[Text] = Field(
        default_factory=list,
        description="Texts carried over from last year that still need a human check.",
    )
    languages: list[Language] = Field(min_length=1)
    theme: LocalizedText
    slogan: LocalizedText
    dates: Dates
    reporting_point: ReportingPoint
    centres: list[Centre] = Field(min_length=1)
    hashtags: list[Hashtag] = Field(min_length=1)
    poster: PosterTexts
    social: Social
    invitation: Invitation
    materials: list[Material] = Field(default_factory=list)
    contacts: Contacts
    organisation: Organisation

    @model_validator(mode="after")
    def _kickoff_posts_need_a_kickoff(self) -> Campaign:
        if self.dates.kickoff is None:
            for post in self.social.posts:
                if post.day == "kickoff":
                    raise PydanticCustomError(
                        "kickoff_missing",
                        "social post {post} is published on the kick-off day, but dates.kickoff "
                        "is not set",
                        {"post": post.id},
                    )
        return self

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str]) -> list[str]:
        _reject_duplicates(value, "language")
        return value

    @field_validator("materials")
    @classmethod
    def _unique_codes(cls, value: list[Material]) -> list[Material]:
        _reject_duplicates([m.code for m in value], "item code")
        return value

    def localized_texts(self) -> list[tuple[str, dict[str, str]]]:
        """Every translatable text with its field path, for checks that read all of them."""
        found: list[tuple[str, dict[str, str]]] = []
        _collect_texts(self, "", found)
        return found


def _reject_duplicates(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError(
                "duplicate",
                "{what} '{value}' appears more than once",
                {"what": what, "value": value},
            )
        seen.add(value)


def _collect_texts(value: Any, path: str, found: list[tuple[str, dict[str, str]]]) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _collect_texts(getattr(value, name), f"{path}.{name}" if path else name, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _collect_texts(item, f"{path}[{i}]", found)
    elif (
        isinstance(value, dict)
        and value
        and all(k in LANGUAGES and isinstance(v, str) for k, v in value.items())
    ):
        found.append((path, value))


# --- reading and checking -------------------------------------------------------------------


def format_path(loc: tuple[str | int, ...]) -> str:
    """('centres', 0, 'email') -> 'centres[0].email'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Optional/Annotated/Union."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        result: list[Any] = []
        for arg in typing.get_args(annotation):
            result.extend(_unwrap(arg))
        return result
    return [annotation]


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that the value at `loc` is validated as, following list items."""
    current: list[Any] = [Campaign]
    for part in loc:
        following: list[Any] = []
        for candidate in current:
            if isinstance(part, int) and typing.get_origin(candidate) is list:
                following.extend(_unwrap(typing.get_args(candidate)[0]))
            elif isinstance(candidate, type) and issubclass(candidate, BaseModel):
                info = candidate.model_fields.get(str(part))
                if info is not None:
                    following.extend(_unwrap(info.annotation))
        current = following
    for candidate in current:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _problem_from_error(error: Any, source: YamlSource) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    hint = ""
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        message = f"unknown key {loc[-1]!r}"
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
        return Problem(source.location(loc, key=True), message, format_path(loc), hint)
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
        message = f"{loc[-1]!r} is not a language bluekit knows (expected one of: nl, fr, de, en)"
        return Problem(source.location(loc, key=True), message, format_path(loc))
    message = error["msg"]
    if kind == "missing":
        model = _model_at(loc[:-1])
        field_info = model.model_fields.get(str(loc[-1])) if model else None
        if field_info and field_info.description:
            hint = field_info.description
        where = f"under {format_path(loc[:-1])!r}" if loc[:-1] else "at the top level"
        message = f"required key {loc[-1]!r} is missing {where}"
        return Problem(source.location(loc[:-1]), message, format_path(loc), hint)
    if kind == "missing_translation":
        hint = "add the text in every language listed under `languages`"
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        hint = "write dates as YYYY-MM-DD, for example 2024-07-30"
    return Problem(source.location(loc), message, format_path(loc), hint)


# Words that present a telephone number as free of charge. 078 numbers are charged at the
# national rate, so a campaign text must never say this about the reporting point's number.
_FREE_WORDS = re.compile(
    r"\b(gratis|gratuit\w*|kostenlos\w*|gebührenfrei\w*|toll[- ]free|free of charge|freephone"
    r"|free(?= (?:number|call|line|phone)))\b",
    re.IGNORECASE,
)


def _content_problems(campaign: Campaign, source: YamlSource) -> list[Problem]:
    """Checks that read the meaning of the texts rather than their shape."""
    problems: list[Problem] = []
    texts = campaign.localized_texts()
    telephone = campaign.reporting_point.telephone
    free_ok = False
    if telephone:
        number = phonenumbers.parse(telephone, "BE")
        free_ok = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE
    for path, text in texts:
        for lang, value in text.items():
            loc = _loc_from_path(path) + (lang,)
            match = _FREE_WORDS.search(value)
            if match and not free_ok:
                problems.append(
                    Problem(
                        source.location(loc),
                        f"the {LANGUAGE_NAMES[lang]} text says {match.group(0)!r}, but the "
                        "reporting point's number is charged at the national rate, not free",
                        format_path(loc),
                        "remove the word; say 'national rate' if cost must be mentioned",
                    )
                )
            unknown = placeholders_in_safe(value) - PLACEHOLDERS
            if unknown:
                problems.append(
                    Problem(
                        source.location(loc),
                        f"unknown placeholder {{{sorted(unknown)[0]}}}",
                        format_path(loc),
                        f"allowed: {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}; "
                        "write {{ and }} for literal braces",
                    )
                )
            for year in set(re.findall(r"\b(20\d\d)\b", value)) - {str(campaign.year)}:
                problems.append(
                    Problem(
                        source.location(loc),
                        f"mentions the year {year}, but this is the {campaign.year} campaign",
                        format_path(loc),
                        "check that the text is up to date",
                        kind="warning",
                    )
                )
    for item in campaign.review:
        problems.append(
            Problem(
                source.location(("review",)),
                f"{item!r} was carried over from last year and is flagged for review",
                "review",
                "check the text, then remove it from the `review` list",
                kind="warning",
            )
        )
    return problems


def placeholders_in_safe(text: str) -> set[str]:
    """Like placeholders_in, but a malformed brace counts as an unknown placeholder."""
    try:
        return placeholders_in(text)
    except ValueError:
        return {"<unbalanced brace>"}


def _loc_from_path(path: str) -> tuple[str | int, ...]:
    loc: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        loc.append(int(part[1:-1]) if part.startswith("[") else part)
    return tuple(loc)


def _context(data: Any) -> dict[str, Any]:
    """Year and languages read leniently first, so field validators can check against them."""
    context: dict[str, Any] = {}
    if isinstance(data, dict):
        year = data.get("year")
        if isinstance(year, int):
            context["year"] = year
        languages = data.get("languages")
        if isinstance(languages, list) and all(lang in LANGUAGES for lang in languages):
            context["languages"] = list(dict.fromkeys(languages))
    return context


def check_source(source: YamlSource) -> tuple[Campaign | None, list[Problem]]:
    """Validate parsed YAML: the model (or None) and every problem found, errors and warnings."""
    if not isinstance(source.data, dict):
        problem = Problem(
            source.location(()),
            "the campaign file must be a mapping of keys (year:, languages:, ...)",
            hint="start from campaigns/2024.yaml or run `bluekit init`",
        )
        return None, [problem]
    try:
        campaign = Campaign.model_validate(source.data, context=_context(source.data))
    except ValidationError as exc:
        problems = [_problem_from_error(e, source) for e in exc.errors()]
        problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
        return None, problems
    return campaign, _content_problems(campaign, source)


def check_campaign(path: Path) -> tuple[Campaign | None, list[Problem]]:
    """Read and validate a campaign file without raising for content problems."""
    return check_source(load_yaml(path))


def load_campaign(path: Path) -> Campaign:
    """Read a campaign file and return the model; raise ValidationFailed on any error."""
    campaign, problems = check_campaign(path)
    if campaign is None or any(p.kind == "error" for p in problems):
        raise ValidationFailed(path, problems)
    return campaign


def json_schema() -> dict[str, Any]:
    """JSON Schema of the campaign file, so editors (VS Code's YAML extension) check as you type."""
    schema = Campaign.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "bluekit campaign definition"
    return schema
