"""What a post shows and how the campaign signs everything: a post's visual (its kind, the signal
it shows, its own alt text) and the campaign's signature (its name and World Day, per language).
"""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bluekit.campaign.fields import LocalizedText

VisualKind = Literal[
    "slogan", "signal", "countdown", "lighting", "kickoff", "centres", "theme", "carousel"
]
VISUAL_KINDS: tuple[VisualKind, ...] = typing.get_args(VisualKind)
# Kinds whose headline is written for the post (the others show the campaign's own texts).
NEEDS_HEADLINE: tuple[VisualKind, ...] = ("countdown", "lighting", "kickoff")


class Visual(BaseModel):
    """The image a post carries, rendered at every size its platforms use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: VisualKind = Field(
        description="slogan; signal (one of poster.signals); countdown (the days to World Day); "
        "lighting (the night of 30 July); kickoff; centres; theme; carousel (Instagram and "
        "LinkedIn: a slide per signal, then the call to action with the QR code)."
    )
    signal: int | None = Field(
        default=None, ge=1, le=6, description="For a signal visual: which of poster.signals, 1 on."
    )
    headline: LocalizedText | None = Field(
        default=None,
        description="The visual's headline; required for countdown, lighting and kickoff.",
    )
    alt: LocalizedText = Field(description="The image's alternative text, per language.")
    alt_short: LocalizedText | None = Field(
        default=None, description="A shorter alt text (at most 100 characters) for Instagram."
    )


class Signature(BaseModel):
    """The campaign's name and World Day, which every poster, screen, image and letter carries
    beside the heart mark, with the date of World Day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: LocalizedText = Field(description="The campaign's name: Blue Heart, Cœur bleu...")
    day_name: LocalizedText = Field(
        description="The name of 30 July: World Day against Trafficking in Persons..."
    )
