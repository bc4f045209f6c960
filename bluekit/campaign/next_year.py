"""`bluekit init`: next year's campaign file, made from this year's.

The new file is this year's text with the year and every date moved forward (World Day to 30
July, other dates to the same weekday), edited in place so comments and layout survive. Every
section with texts is listed under `review:` so `bluekit validate` reminds staff to check them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from bluekit.campaign.load import load_campaign
from bluekit.campaign.yaml_source import load_yaml
from bluekit.errors import InputFileError
from bluekit.files.atomic import create_atomic

# Dates of the model, also when written as quoted strings.
DATE_FIELDS = {
    ("dates", "world_day"), ("dates", "kickoff", "date"), ("invitation", "reply_by"),
    ("invitation", "reminder_reply_by"), ("invitation", "letter_date"),
}


def shift_date(old: dt.date, year: int) -> dt.date:
    """The same weekday in `year`, as close as possible to the same calendar day."""
    try:
        target = old.replace(year=year)
    except ValueError:  # 29 February
        target = dt.date(year, 2, 28)
    offset = (old.weekday() - target.weekday()) % 7
    if offset > 3:
        offset -= 7
    return target + dt.timedelta(days=offset)


def init_campaign(year: int, source_path: Path, out_path: Path | None = None) -> Path:
    """Write `campaigns/<year>.yaml` from `source_path`; never overwrites; returns the path."""
    campaign = load_campaign(source_path)
    if year <= campaign.year:
        raise InputFileError(
            f"{year} is not after {campaign.year}, the year of {source_path}",
            hint="give the year of the campaign to prepare, e.g. `bluekit init "
            f"{campaign.year + 1} --from {source_path}`",
        )
    out_path = out_path or source_path.with_name(f"{year}.yaml")
    if out_path.exists():
        raise InputFileError(
            f"{out_path} already exists", hint="bluekit never overwrites it: move it away first"
        )
    if campaign.review:
        raise InputFileError(
            f"{source_path} still has texts flagged under `review`",
            hint="finish reviewing this year's file (empty the list) before preparing the next",
        )
    source = load_yaml(source_path)
    edits: list[tuple[int, int, str]] = []
    if ("review",) in source.keys:  # an empty `review: []` left in the file: replace it
        start = source.keys[("review",)].start_mark.index
        end = source.values[("review",)].end_mark.index
        end += 1 if source.text[end : end + 1] == "\n" else 0
        edits.append((start, end, ""))
    for path, node in source.values.items():
        if not isinstance(node, yaml.ScalarNode):
            continue
        if path == ("year",):
            edits.append((node.start_mark.index, node.end_mark.index, str(year)))
        elif node.tag == "tag:yaml.org,2002:timestamp" or path in DATE_FIELDS:
            old = dt.date.fromisoformat(node.value[:10])
            new = dt.date(year, 7, 30) if path == ("dates", "world_day") else shift_date(old, year)
            quote = node.style or ""
            edits.append(
                (node.start_mark.index, node.end_mark.index, quote + new.isoformat() + quote)
            )
    sections = sorted({path.split(".")[0].split("[")[0] for path, _ in campaign.localized_texts()})
    if campaign.materials:
        sections.append("materials (stock on hand)")
    review = (
        f"review:  # carried over from {campaign.year}: check each, then remove it from this list\n"
        + "".join(f"  - {s}\n" for s in sections)
    )
    # The review list goes right after the `year:` line.
    year_end = source.values[("year",)].end_mark.index
    after_year = source.text.find("\n", year_end) + 1 or len(source.text)
    edits.append((after_year, after_year, review))
    text = source.text
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    header = (
        f"# Campaign {year}, prepared by `bluekit init` from {source_path.name}.\n"
        "# Dates were moved to the new year; every text is last year's until reviewed.\n"
    )
    create_atomic(out_path, (header + text).encode("utf-8"))
    return out_path
