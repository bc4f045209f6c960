"""`bluekit build`: the whole campaign kit in one command."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import note, progress_bar, report_outputs, say
from bluekit.cli.params import CampaignFile, OutputIntentFile, Rendering, load, with_options
from bluekit.errors import BluekitError

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign


commands = command_group()


@commands.command()
@with_options(rendering=Rendering)
def build(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    rendering: Rendering,
    contacts: Annotated[
        Path | None,
        typer.Option(
            "--contacts", help="Contacts CSV for the invitations (default: the campaign's)."
        ),
    ] = None,
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
    output_intent: OutputIntentFile = None,
) -> None:
    """Build everything the campaign sends out into dist/<year>: posters, social kits, invitations.

    Only files whose inputs changed are made again; dist/<year>/manifest.json lists every file
    with its size, sha256 and the fingerprint of what it was made from.

    Web addresses are checked only with --check-links (the build works offline): use it before
    the files go to the printer. The print posters made are preflighted (see `bluekit
    preflight`); exit code 1 when one fails.

    Example: bluekit build campaigns/2024.yaml
    """
    from bluekit.workflows.build import build as build_kit

    if check_links and offline:
        raise BluekitError(
            "--check-links and --offline contradict each other", hint="give one of them"
        )
    if check_links:
        _check_links(ctx, load(campaign_file), campaign_file)
    elif offline:
        note(ctx, "links: not checked (--offline)")
    out_dir, report = build_kit(
        campaign_file, rendering.out, contacts=contacts, jobs=rendering.jobs,
        force=rendering.force, progress=lambda total: progress_bar(ctx, total, "building"),
        output_intent=output_intent,
    )
    report_outputs(ctx, out_dir, report, rendering.as_json)
    if report.preflighted and not rendering.as_json:
        note(ctx, f"preflight: the {len(report.preflighted)} print PDF(s) made pass "
                  f"(bluekit preflight {out_dir} for the report)")
    if not rendering.as_json:
        say(ctx, f"review the whole kit in a browser: {out_dir / 'index.html'}")


def _check_links(ctx: typer.Context, campaign: "Campaign", campaign_file: Path) -> None:
    """The QR codes' addresses, checked online; raises while one is dead."""
    from bluekit.links.report import redirect_warnings, require_live_qr_targets

    for warning in redirect_warnings(require_live_qr_targets(campaign, campaign_file)):
        note(ctx, f"warning: {warning}")
    note(ctx, "links: every QR code address works")
