"""`bluekit invitations`: build, send and remind."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..build import default_out_dir
from ..campaign import load_campaign
from ..errors import BluekitError
from ..invitations import load_invitees, plan_invitations
from ..outputs import write_outputs
from . import app, options, progress_bar, report_outputs
from .smtp_options import PASSWORD_ENV, print_send_report, send_limit, smtp_settings

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
Db = Annotated[
    Path | None, typer.Option("--db", help="State database file (default: orders/bluekit.db).")
]


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
    host: Annotated[str | None, typer.Option(help="SMTP server, e.g. smtp.office365.com.")] = None,
    port: Annotated[int, typer.Option(help="SMTP port (587 STARTTLS, 465 SSL).")] = 587,
    security: Annotated[str, typer.Option(help="starttls, ssl or none.")] = "starttls",
    user: Annotated[
        str | None, typer.Option(help=f"SMTP user; password from {PASSWORD_ENV} or a prompt.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--no-dry-run", help="Only show what would be sent.")
    ] = True,
    limit: Annotated[int, typer.Option(help="Send at most this many (default 1).")] = 1,
    no_limit: Annotated[bool, typer.Option("--no-limit", help="Send to everyone.")] = False,
    rate: Annotated[float, typer.Option(help="Messages per minute (Microsoft 365: 30).")] = 30.0,
    retries: Annotated[int, typer.Option(help="Retries on temporary failures.")] = 3,
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
    from ..sending import build_invitations, invitation_messages, send
    from ..store import Store

    campaign = load_campaign(campaign_file)
    invitees = load_invitees(
        campaign_file, campaign, contacts, region=region, province=province, codes=code or ()
    )
    out_dir = out or default_out_dir(campaign)
    build_invitations(campaign, invitees, out_dir)
    settings = smtp_settings(host, port, security, user, dry_run)
    store = Store(f"sqlite:///{db}" if db else None)
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
    host: Annotated[str | None, typer.Option(help="SMTP server.")] = None,
    port: Annotated[int, typer.Option(help="SMTP port.")] = 587,
    security: Annotated[str, typer.Option(help="starttls, ssl or none.")] = "starttls",
    user: Annotated[str | None, typer.Option(help="SMTP user.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run/--no-dry-run")] = True,
    limit: Annotated[int, typer.Option(help="Send at most this many (default 1).")] = 1,
    no_limit: Annotated[bool, typer.Option("--no-limit", help="Send to everyone due.")] = False,
    rate: Annotated[float, typer.Option(help="Messages per minute.")] = 30.0,
    retries: Annotated[int, typer.Option(help="Retries on temporary failures.")] = 3,
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
    from ..sending import build_invitations, reminder_messages, reminders_due, send
    from ..store import Store

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
    store = Store(f"sqlite:///{db}" if db else None)
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
