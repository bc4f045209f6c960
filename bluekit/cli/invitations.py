"""`bluekit invitations`: build, send and remind."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..build import default_out_dir
from ..campaign import load_campaign
from ..errors import EXIT_PROBLEMS, BluekitError
from ..invitations import load_invitees, plan_invitations
from ..mail import SendReport, SmtpSettings
from ..outputs import write_outputs
from ..sending import (
    build_invitations,
    invitation_messages,
    reminder_messages,
    reminders_due,
    send,
)
from ..store import Store
from . import app, options, print_json, progress_bar, report_outputs, say

PASSWORD_ENV = "BLUEKIT_SMTP_PASSWORD"

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


def _settings(
    host: str | None, port: int, security: str, user: str | None, dry_run: bool
) -> SmtpSettings | None:
    if dry_run:
        return None
    if not host:
        raise BluekitError("--host is required to send", hint="e.g. --host smtp.office365.com")
    password = None
    if user:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not sys.stdin.isatty():
                raise BluekitError(
                    f"no password: set {PASSWORD_ENV} or run in a terminal to be asked",
                )
            password = typer.prompt(f"SMTP password for {user}", hide_input=True)
    sec: Literal["starttls", "ssl", "none"] = security  # type: ignore[assignment]
    return SmtpSettings(host=host, port=port, security=sec, user=user, password=password)


def _print_report(ctx: typer.Context, report: SendReport, as_json: bool, what: str) -> None:
    if as_json:
        print_json(report.as_dict())
    else:
        if report.dry_run:
            say(
                ctx,
                f"dry run: would send {len(report.would_send)} {what}(s): "
                f"{', '.join(report.would_send) or '-'}",
            )
            say(ctx, "nothing was sent; add --no-dry-run to send (and --no-limit for all)")
        else:
            say(ctx, f"sent {len(report.sent)} {what}(s)")
        if report.already_sent:
            say(ctx, f"already sent before (skipped): {len(report.already_sent)}")
        if report.uncertain:
            typer.echo(
                f"uncertain (handed to the server when a run stopped; not sent again): "
                f"{', '.join(report.uncertain)} - check the mailbox, then --retry-uncertain",
                err=True,
            )
        for code, error in report.failed:
            typer.echo(f"failed: {code}: {error}", err=True)
        if report.failures_csv:
            typer.echo(f"failures written to {report.failures_csv}", err=True)
        if report.stopped:
            typer.echo("stopped by Ctrl-C: run the same command again to go on", err=True)
    if report.failed:
        raise typer.Exit(EXIT_PROBLEMS)


def _send_options(limit: int, no_limit: bool) -> int | None:
    if no_limit:
        return None
    if limit < 1:
        raise BluekitError("--limit must be at least 1", hint="use --no-limit to send to all")
    return limit


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
    campaign = load_campaign(campaign_file)
    invitees = load_invitees(
        campaign_file, campaign, contacts, region=region, province=province, codes=code or ()
    )
    out_dir = out or default_out_dir(campaign)
    build_invitations(campaign, invitees, out_dir)
    settings = _settings(host, port, security, user, dry_run)
    store = Store(f"sqlite:///{db}" if db else None)
    report = send(
        campaign,
        invitation_messages(invitees, out_dir),
        store,
        kind="invitation",
        settings=settings,
        out_dir=out_dir,
        dry_run=dry_run,
        limit=_send_options(limit, no_limit),
        per_minute=rate,
        retries=retries,
        force=force,
        retry_uncertain=retry_uncertain,
    )
    if options(ctx).verbose and report.dry_run and report.would_send:
        first = next(i for i in invitees if i.municipality.code == report.would_send[0])
        typer.echo((out_dir / first.folder / "message.eml").read_text("utf-8", "replace"))
    _print_report(ctx, report, as_json, "invitation")


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
        settings=_settings(host, port, security, user, dry_run),
        out_dir=out_dir,
        dry_run=dry_run,
        limit=_send_options(limit, no_limit),
        per_minute=rate,
        retries=retries,
    )
    _print_report(ctx, report, as_json, "reminder")
