"""`bluekit build`: the whole campaign kit in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..build import default_out_dir, plan_build
from ..campaign import load_campaign
from ..outputs import write_outputs
from . import app, progress_bar, report_outputs


@app.command()
def build(
    ctx: typer.Context,
    campaign_file: Annotated[Path, typer.Argument(help="The campaign file.")],
    out: Annotated[Path | None, typer.Option("--out", help="Default: dist/<year>.")] = None,
    contacts: Annotated[
        Path | None,
        typer.Option(
            "--contacts", help="Contacts CSV for the invitations (default: the campaign's)."
        ),
    ] = None,
    jobs: Annotated[int | None, typer.Option(help="Parallel renders (default: cores).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Render even if up to date.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Report as JSON.")] = False,
) -> None:
    """Build everything the campaign sends out into dist/<year>: posters, social kits, invitations.

    Only files whose inputs changed are made again; dist/<year>/manifest.json lists every file
    with its size, sha256 and the fingerprint of what it was made from.

    Example: bluekit build campaigns/2024.yaml
    """
    campaign = load_campaign(campaign_file)
    out_dir = out or default_out_dir(campaign)
    planned = plan_build(campaign, campaign_file, contacts)
    with progress_bar(ctx, len(planned), "building") as progress:
        report = write_outputs(planned, out_dir, jobs=jobs, force=force, progress=progress)
    report_outputs(ctx, out_dir, report, as_json)
