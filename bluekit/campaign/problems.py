"""Pydantic's validation errors as bluekit Problems: the file, line and column of the value, the
field path as staff read it (`centres[0].email`) and a hint how to fix it.

Pydantic names a value by its location in the data; `yaml_source` knows where that location
stands in the file, and the model's field descriptions and key names give the hints.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from bluekit.campaign.invitation import RETIRED_KEYS
from bluekit.campaign.model import Campaign
from bluekit.campaign.yaml_source import PathKey, YamlSource
from bluekit.errors import Problem


def format_path(loc: PathKey) -> str:
    """('centres', 0, 'email') -> 'centres[0].email'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def loc_from_path(path: str) -> PathKey:
    """'centres[0].email' -> ('centres', 0, 'email'): the inverse of format_path."""
    loc: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        loc.append(int(part[1:-1]) if part.startswith("[") else part)
    return tuple(loc)


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


def _model_at(loc: PathKey) -> type[BaseModel] | None:
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


def problem_from_error(error: ErrorDetails, source: YamlSource) -> Problem:
    """One pydantic error as a Problem at the place in the file it is about."""
    loc = tuple(error["loc"])
    kind = error["type"]
    hint = ""
    if kind == "extra_forbidden" and loc in RETIRED_KEYS:
        message = f"{format_path(loc)} is no longer used"
        return Problem(source.location(loc, key=True), message, format_path(loc), RETIRED_KEYS[loc])
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
