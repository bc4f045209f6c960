"""`bluekit build`: the whole campaign kit in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bluekit.campaign.load import load_campaign
from bluekit.errors import BluekitError
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.pool import early_pool
from bluekit.workflows.build import default_out_dir, plan_build

from . import app, options, progress_bar, report_outputs, say


def note(ctx: typer.Context, message: str) -> None:
    """A remark about the build on stderr (stdout stays clean for --json), unless --quiet."""
    if not options(ctx).quiet:
        typer.echo(message, err=True)


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
    check_links: Annotated[
        bool,
        typer.Option(
            "--check-links",
            help="First check the QR codes' addresses online; write nothing while one is dead.",
        ),
    ] = False,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Do not check any address (the default, said out loud)."),
    ] = False,
) -> None:
    """Build everything the campaign sends out into dist/<year>: posters, social kits, invitations.

    Only files whose inputs changed are made again; dist/<year>/manifest.json lists every file
    with its size, sha256 and the fingerprint of what it was made from.

    Web addresses are checked only with --check-links (the build works offline): use it before
    the files go to the printer.

    Example: bluekit build campaigns/2024.yaml
    """
    if check_links and offline:
        raise BluekitError(
            "--check-links and --offline contradict each other", hint="give one of them"
        )
    campaign = load_campaign(campaign_file)
    if check_links:
        from bluekit.links.report import redirect_warnings, require_live_qr_targets

        for warning in redirect_warnings(require_live_qr_targets(campaign, campaign_file)):
            note(ctx, f"warning: {warning}")
        note(ctx, "links: every QR code address works")
    elif offline:
        note(ctx, "links: not checked (--offline)")
    out_dir = out or default_out_dir(campaign)
    with early_pool(out_dir, jobs, force) as pool:
        planned = plan_build(campaign, campaign_file, contacts)
        with progress_bar(ctx, len(planned), "building") as progress:
            report = write_outputs(
                planned, out_dir, jobs=jobs, force=force, progress=progress, pool=pool
            )
    report_outputs(ctx, out_dir, report, as_json)
    if not as_json:
        say(ctx, f"review the whole kit in a browser: {out_dir / 'index.html'}")
