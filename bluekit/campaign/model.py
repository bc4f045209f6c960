"""The campaign definition: the sections of `campaigns/<year>.yaml` as a validated, typed model.

Everything bluekit produces starts here. The schema says what each section holds and checks what
one section can check by itself (World Day is 30 July, ids are unique); `rules` reads the texts.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bluekit.campaign.fields import (
    ClockTime,
    Email,
    Hashtag,
    HttpsUrl,
    ItemCode,
    LocalizedText,
    LocalizedUrl,
    Slug,
    Telephone,
    Text,
)
from bluekit.campaign.invitation import Invitation
from bluekit.campaign.placeholders import placeholders_in
from bluekit.campaign.section import Strict
from bluekit.campaign.visual import Signature, Visual
from bluekit.language import LANGUAGES, Language


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
    url: LocalizedUrl
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
    def _names_municipality(cls, value: dict[Language, str]) -> dict[Language, str]:
        for lang, text in value.items():
            if "municipality" not in placeholders_in(text):
                raise PydanticCustomError(
                    "placeholder",
                    "the {lang} text must contain {{municipality}} where the name goes",
                    {"lang": lang},
                )
        return value


PlatformKey = Literal[
    "facebook", "instagram", "x", "linkedin", "bluesky", "mastodon", "threads"
]
PLATFORM_KEYS: tuple[PlatformKey, ...] = typing.get_args(PlatformKey)


class SocialPost(Strict):
    """One post of the social kit, published relative to a campaign date."""

    id: Slug
    day: Literal["kickoff", "world_day"]  # the date the post is published relative to
    days_before: int = Field(default=0, ge=0, le=30)
    time: ClockTime = dt.time(10, 0)  # Belgian time, HH:MM
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
    visual: Visual | None = Field(
        default=None, description="The image the post carries (default: the slogan visual)."
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
    platforms: list[PlatformKey] = Field(default_factory=lambda: list(PLATFORM_KEYS))
    posts: list[SocialPost] = Field(min_length=1)

    @field_validator("posts")
    @classmethod
    def _unique_ids(cls, value: list[SocialPost]) -> list[SocialPost]:
        _reject_duplicates([p.id for p in value], "post id")
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
    website: LocalizedUrl


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
    signature: Signature
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
    def _unique_languages(cls, value: list[Language]) -> list[Language]:
        _reject_duplicates(value, "language")
        return value

    @field_validator("materials")
    @classmethod
    def _unique_codes(cls, value: list[Material]) -> list[Material]:
        _reject_duplicates([m.code for m in value], "item code")
        return value

    def localized_texts(self) -> list[tuple[str, dict[Language, str]]]:
        """Every translatable text with its field path, for checks that read all of them."""
        found: list[tuple[str, dict[Language, str]]] = []
        _collect_texts(self, "", found)
        return found


def _reject_duplicates(values: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError(
                "duplicate",
                "{what} '{value}' appears more than once",
                {"what": what, "value": value},
            )
        seen.add(value)


def _collect_texts(value: Any, path: str, found: list[tuple[str, dict[Language, str]]]) -> None:
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
