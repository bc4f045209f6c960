"""Reading a campaign file: check it (every problem at once, errors and warnings), load it (the
model, or ValidationFailed), and the JSON Schema editors check it with as staff type.

This is the way in to the campaign package: YAML with positions, then the schema, then the
content rules, each error mapped to its place in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bluekit.campaign.model import Campaign
from bluekit.campaign.post_rules import post_problems
from bluekit.campaign.problems import problem_from_error
from bluekit.campaign.rules import content_problems
from bluekit.campaign.yaml_source import YamlSource, load_yaml
from bluekit.errors import Location, Problem, ValidationFailed
from bluekit.language import LANGUAGES

MAX_PROBLEMS = 100  # listed; the rest are counted


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
        return None, _listed(exc.errors(), source)
    return campaign, content_problems(campaign, source) + post_problems(campaign, source)


def _listed(errors: list[ErrorDetails], source: YamlSource) -> list[Problem]:
    """The schema's errors as problems in the order of the file; past MAX_PROBLEMS, one line
    says how many more there are (a file of unknown keys has millions, and nobody reads them)."""
    def place(error: ErrorDetails) -> tuple[int, int]:
        where = source.location(tuple(error["loc"]), key=True)
        return where.line or 0, where.column or 0

    first = sorted(errors, key=place)[:MAX_PROBLEMS] if len(errors) > MAX_PROBLEMS else errors
    problems = [problem_from_error(e, source) for e in first]
    problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
    if len(errors) > len(first):
        more = len(errors) - len(first)
        problems.append(Problem(
            Location(source.path), f"and {more:,} more problems, not listed",
            hint="fix the ones above first: one mistake often causes many", count=more,
        ))
    return problems


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
