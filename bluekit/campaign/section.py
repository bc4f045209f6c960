"""The base of every section of the campaign file's model: unknown keys are errors (a misspelt
key must not be ignored without a word), and a loaded campaign cannot change."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base of every campaign section: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
