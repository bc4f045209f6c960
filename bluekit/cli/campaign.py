"""Commands on campaign files: validate, schema, init."""

import json
from pathlib import Path
from typing import Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import print_json, say
from bluekit.errors import EXIT_PROBLEMS

commands = command_group()


@commands.command()
def validate(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The campaign file, e.g. campaigns/2024.yaml.")],
    as_json: Annotated[bool, typer.Option("--json", help="Report problems as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings (texts to review) as problems.")
    ] = False,
) -> None:
    """Check a campaign file and report every problem with its line.

    Exit code 0: valid; 1: problems found; 2: the file cannot be read.

    Example: bluekit validate campaigns/2024.yaml
    """
    from bluekit.campaign.load import check_campaign

    campaign, problems = check_campaign(file)
    errors = sum(p.count for p in problems if p.kind == "error")
    warnings = sum(p.count for p in problems if p.kind == "warning")
    failed = bool(errors) or campaign is None or (strict and bool(warnings))
    if as_json:
        print_json(
            {"file": str(file), "valid": not failed, "problems": [p.as_dict() for p in problems]}
        )
    else:
        for problem in problems:
            typer.echo(str(problem), err=problem.kind == "error")
        if failed:
            typer.echo(
                f"{file}: {errors:,} error(s), {warnings:,} warning(s)"
                " - fix them and run `bluekit validate` again",
                err=True,
            )
        else:
            assert campaign is not None
            say(
                ctx,
                f"{file}: valid - campaign {campaign.year}, languages "
                f"{', '.join(campaign.languages)}"
                + (f", {warnings} warning(s)" if warnings else ""),
            )
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


@commands.command()
def schema(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write the JSON Schema of campaign files, for editors that check YAML as you type.

    Example: bluekit schema --out campaign.schema.json
    """
    from bluekit.campaign.load import json_schema
    from bluekit.files.atomic import write_text_atomic

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        say(ctx, f"wrote {out}")


@commands.command()
def init(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(help="The year of the new campaign.")],
    source: Annotated[
        Path, typer.Option("--from", help="Last year's campaign file to start from.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Default: campaigns/<year>.yaml.")
    ] = None,
) -> None:
    """Prepare next year's campaign file: dates moved, texts kept and flagged for review.

    Never overwrites an existing file.

    Example: bluekit init 2025 --from campaigns/2024.yaml
    """
    from bluekit.campaign.next_year import init_campaign

    path = init_campaign(year, source, out)
    say(ctx, f"wrote {path}: dates moved to {year}; review the texts listed under `review:`")
