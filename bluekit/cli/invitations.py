"""`bluekit invitations`: build, send and remind."""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import options, progress_bar, report_outputs
from bluekit.cli.params import (
    AsJson,
    CampaignFile,
    Db,
    Out,
    Rendering,
    load,
    open_store,
    with_options,
)
from bluekit.cli.sending import Sending, print_send_report

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.kit.invitations.invitees import Invitee

commands = command_group(
    help="Invitations to light a building blue on 30 July: letters, e-mails, sending.\n\n"
    "Example: bluekit invitations build campaigns/2024.yaml --contacts contacts.csv",
    no_args_is_help=True,
)


@dataclass(frozen=True)
class Selection:
    """Who is invited: the contacts file, and the municipalities of it to take."""

    contacts: Annotated[
        Path | None,
        typer.Option("--contacts", help="Contacts CSV (default: invitation.contacts_file)."),
    ] = None
    region: Annotated[str | None, typer.Option(help="Only this region.")] = None
    province: Annotated[str | None, typer.Option(help="Only this province.")] = None
    code: Annotated[
        list[str] | None, typer.Option("--code", help="Only these municipalities (repeatable).")
    ] = None

    def invitees(self, campaign_file: Path, campaign: "Campaign") -> "list[Invitee]":
        from bluekit.kit.invitations.invitees import load_invitees

        return load_invitees(
            campaign_file, campaign, self.contacts, region=self.region,
            province=self.province, codes=self.code or (),
        )


@commands.command("build")
@with_options(selection=Selection, rendering=Rendering)
def build_command(
    ctx: typer.Context, campaign_file: CampaignFile, selection: Selection, rendering: Rendering
) -> None:
    """Write letters (a PDF per language), calendar file and e-mail per municipality.

    Into dist/<year>/invitations/<refnis>-<name>/, plus overview.csv.

    Example: bluekit invitations build campaigns/2024.yaml --contacts contacts.csv --province Luik
    """
    from bluekit.kit.invitations.plan import plan_invitations
    from bluekit.pipeline.outputs import write_outputs

    campaign = load(campaign_file)
    planned = plan_invitations(campaign, selection.invitees(campaign_file, campaign))
    out_dir = rendering.out_dir(campaign)
    with progress_bar(ctx, len(planned), "invitations") as progress:
        report = write_outputs(
            planned, out_dir, jobs=rendering.jobs, force=rendering.force, progress=progress
        )
    report_outputs(ctx, out_dir, report, rendering.as_json)


@commands.command("send")
@with_options(selection=Selection, sending=Sending)
def send_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    selection: Selection,
    sending: Sending,
    out: Out = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Send the invitations: a dry run of one message unless told otherwise.

    Never sends twice to a municipality (a journal in the state database), not even when two
    runs send at once; an interrupted run goes on where it stopped when run again. Failures are
    logged, the run goes on, and a CSV of failures is written. Exit 1 while an invitation has
    not gone out (failed, uncertain, or being sent by another run).

    Example: bluekit invitations send campaigns/2024.yaml --host smtp.office365.com --user me@just.fgov.be --no-dry-run --no-limit
    """
    from bluekit.workflows.build import default_out_dir
    from bluekit.workflows.sending import build_invitations, invitation_messages, send

    campaign = load(campaign_file)
    invitees = selection.invitees(campaign_file, campaign)
    out_dir = out or default_out_dir(campaign)
    build_invitations(campaign, invitees, out_dir)
    settings = sending.settings()
    report = send(
        campaign, invitation_messages(invitees, out_dir), open_store(db), kind="invitation",
        settings=settings, out_dir=out_dir, **sending.options(),
    )
    if options(ctx).verbose and report.dry_run and report.would_send:
        first = next(i for i in invitees if i.municipality.code == report.would_send[0])
        typer.echo((out_dir / first.folder / "message.eml").read_text("utf-8", "replace"))
    print_send_report(ctx, report, as_json, "invitation")


@commands.command("remind")
@with_options(selection=Selection, sending=Sending)
def remind_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    selection: Selection,
    sending: Sending,
    early: Annotated[
        bool, typer.Option("--early", help="Remind even before the reply-by date.")
    ] = False,
    out: Out = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Remind those invited who have not answered, with the campaign's reminder text.

    Example: bluekit invitations remind campaigns/2024.yaml --host smtp.office365.com --user me@just.fgov.be --no-dry-run --no-limit
    """
    from bluekit.workflows.build import default_out_dir
    from bluekit.workflows.sending import (
        build_invitations,
        check_reminders_due,
        reminder_messages,
        send,
    )

    campaign = load(campaign_file)
    check_reminders_due(campaign, early=early)
    invitees = selection.invitees(campaign_file, campaign)
    out_dir = out or default_out_dir(campaign)
    build_invitations(campaign, invitees, out_dir)
    store = open_store(db)
    report = send(
        campaign, reminder_messages(campaign, invitees, out_dir, store), store, kind="reminder",
        settings=sending.settings(), out_dir=out_dir, **sending.options(),
    )
    print_send_report(ctx, report, as_json, "reminder")
