"""`bluekit invitations`: build, send and remind."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bluekit.campaign.load import load_campaign
from bluekit.errors import BluekitError
from bluekit.kit.invitations.invitees import load_invitees
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.pipeline.outputs import write_outputs
from bluekit.workflows.build import default_out_dir

from . import Db, app, open_store, options, progress_bar, report_outputs
from .smtp_options import (
    DryRun,
    Host,
    Limit,
    NoLimit,
    Port,
    Rate,
    Retries,
    Security,
    User,
    print_send_report,
    send_limit,
    smtp_settings,
)

invitations_app = typer.Typer(
    help="Invitations to light a building blue on 30 July: letters, e-mails, sending.\n\n"
    "Example: bluekit invitations build campaigns/2024.yaml --contacts contacts.csv",
    no_args_is_help=True,
)
app.add_typer(invitations_app, name="invitations")

Contacts = Annotated[
    Path | None,
    typer.Option("--contacts", help="Contacts CSV (default: invitation.contacts_file)."),
]
Region = Annotated[str | None, typer.Option(help="Only this region.")]
Province = Annotated[str | None, typer.Option(help="Only this province.")]
Code = Annotated[
    list[str] | None, typer.Option("--code", help="Only these municipalities (repeatable).")
]
Out = Annotated[Path | None, typer.Option("--out", help="Default: dist/<year>.")]


@invitations_app.command("build")
def build_command(
    ctx: typer.Context,
    campaign_file: Annotated[Path, typer.Argument(help="The campaign file.")],
    contacts: Contacts = None,
    region: Region = None,
    province: Province = None,
    code: Code = None,
    out: Out = None,
    jobs: Annotated[int | None, typer.Option(help="Parallel renders.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Render even if up to date.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Report as JSON.")] = False,
) -> None:
    """Write letters (a PDF per language), calendar file and e-mail per municipality.

    Into dist/<year>/invitations/<refnis>-<name>/, plus overview.csv.

    Example: bluekit invitations build campaigns/2024.yaml --contacts contacts.csv --province Luik
    """
    campaign = load_campaign(campaign_file)
    invitees = load_invitees(
        campaign_file, campaign, contacts, region=region, province=province, codes=code or ()
    )
    planned = plan_invitations(campaign, invitees)
    out_dir = out or default_out_dir(campaign)
    with progress_bar(ctx, len(planned), "invitations") as progress:
        report = write_outputs(planned, out_dir, jobs=jobs, force=force, progress=progress)
    report_outputs(ctx, out_dir, report, as_json)


@invitations_app.command("send")
def send_command(
    ctx: typer.Context,
    campaign_file: Annotated[Path, typer.Argument(help="The campaign file.")],
    contacts: Contacts = None,
    region: Region = None,
    province: Province = None,
    code: Code = None,
    host: Host = None,
    port: Port = 587,
    security: Security = "starttls",
    user: User = None,
    dry_run: DryRun = True,
    limit: Limit = 1,
    no_limit: NoLimit = False,
    rate: Rate = 30.0,
    retries: Retries = 3,
    force: Annotated[
        bool, typer.Option("--force", help="Send again to those already sent.")
    ] = False,
    retry_uncertain: Annotated[
        bool, typer.Option("--retry-uncertain", help="Resend those whose outcome is unknown.")
    ] = False,
    out: Out = None,
    db: Db = None,
    as_json: Annotated[bool, typer.Option("--json", help="Report as JSON.")] = False,
) -> None:
    """Send the invitations: a dry run of one message unless told otherwise.

    Never sends twice to a municipality (a journal in the state database); an interrupted run
    goes on where it stopped when run again. Failures are logged, the run goes on, and a CSV of
    failures is written.

    Example: bluekit invitations send campaigns/2024.yaml --host smtp.office365.com --user me@just.fgov.be --no-dry-run --no-limit
    """
    from bluekit.workflows.sending import build_invitations, invitation_messages, send

    campaign = load_campaign(campaign_file)
    invitees = load_invitees(
        campaign_file, campaign, contacts, region=region, province=province, codes=code or ()
    )
    out_dir = out or default_out_dir(campaign)
    build_invitations(campaign, invitees, out_dir)
    settings = smtp_settings(host, port, security, user, dry_run)
    store = open_store(db)
    report = send(
        campaign,
        invitation_messages(invitees, out_dir),
        store,
        kind="invitation",
        settings=settings,
        out_dir=out_dir,
        dry_run=dry_run,
        limit=send_limit(limit, no_limit),
        per_minute=rate,
        retries=retries,
        force=force,
        retry_uncertain=retry_uncertain,
    )
    if options(ctx).verbose and report.dry_run and report.would_send:
        first = next(i for i in invitees if i.municipality.code == report.would_send[0])
        typer.echo((out_dir / first.folder / "message.eml").read_text("utf-8", "replace"))
    print_send_report(ctx, report, as_json, "invitation")


@invitations_app.command("remind")
def remind_command(
    ctx: typer.Context,
    campaign_file: Annotated[Path, typer.Argument(help="The campaign file.")],
    contacts: Contacts = None,
    region: Region = None,
    province: Province = None,
    code: Code = None,
    host: Host = None,
    port: Port = 587,
    security: Security = "starttls",
    user: User = None,
    dry_run: DryRun = True,
    limit: Limit = 1,
    no_limit: NoLimit = False,
    rate: Rate = 30.0,
    retries: Retries = 3,
    early: Annotated[
        bool, typer.Option("--early", help="Remind even before the reply-by date.")
    ] = False,
    out: Out = None,
    db: Db = None,
    as_json: Annotated[bool, typer.Option("--json", help="Report as JSON.")] = False,
) -> None:
    """Remind those invited who have not answered, with the campaign's reminder text.

    Example: bluekit invitations remind campaigns/2024.yaml --host smtp.office365.com --user me@just.fgov.be --no-dry-run --no-limit
    """
    from bluekit.workflows.sending import build_invitations, reminder_messages, reminders_due, send

    campaign = load_campaign(campaign_file)
    if not early and not reminders_due(campaign):
        raise BluekitError(
            f"the reply-by date ({campaign.invitation.reply_by}) has not passed yet",
            hint="wait, or pass --early",
        )
    invitees = load_invitees(
        campaign_file, campaign, contacts, region=region, province=province, codes=code or ()
    )
    out_dir = out or default_out_dir(campaign)
    build_invitations(campaign, invitees, out_dir)
    store = open_store(db)
    outgoing = reminder_messages(campaign, invitees, out_dir, store)
    report = send(
        campaign,
        outgoing,
        store,
        kind="reminder",
        settings=smtp_settings(host, port, security, user, dry_run),
        out_dir=out_dir,
        dry_run=dry_run,
        limit=send_limit(limit, no_limit),
        per_minute=rate,
        retries=retries,
    )
    print_send_report(ctx, report, as_json, "reminder")
