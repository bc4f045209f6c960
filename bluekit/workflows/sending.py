"""Sending invitations and reminders: the built messages, the journal, and who still needs one.

The CLI's `invitations send` and `invitations remind` call these; they read the messages the
build wrote (`message.eml`) or build reminders from the same parts, and hand them to
`mail.sender.send_messages`, which keeps the journal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Unpack

from bluekit.campaign.model import Campaign
from bluekit.errors import BluekitError
from bluekit.kit.invitations.email_message import email_job
from bluekit.kit.invitations.invitees import Invitee
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.ledger.lighting import all_replies, invited_codes
from bluekit.mail.sender import Outgoing, SendOptions, SendReport, read_eml, send_messages
from bluekit.mail.smtp import SmtpSettings
from bluekit.pipeline.outputs import write_outputs
from bluekit.store.database import Store


def build_invitations(campaign: Campaign, invitees: Sequence[Invitee], out_dir: Path) -> None:
    """Make sure every invitation is built and up to date (renders only what changed)."""
    write_outputs(plan_invitations(campaign, invitees), out_dir)


def invitation_messages(invitees: Sequence[Invitee], out_dir: Path) -> list[Outgoing]:
    """The invitation of each invitee as the build wrote it, to send."""
    return [
        Outgoing(
            code=i.municipality.code,
            name=i.municipality.local_name,
            email=i.contact.email,
            message=read_eml(out_dir / i.folder / "message.eml"),
        )
        for i in invitees
    ]


def reminder_messages(
    campaign: Campaign, invitees: Sequence[Invitee], out_dir: Path, store: Store
) -> list[Outgoing]:
    """Reminders for those invited who have not answered, with the letters attached again."""
    if campaign.invitation.reminder is None:
        raise BluekitError(
            "the campaign file has no reminder text",
            hint="add invitation.reminder in every language",
        )
    invited = invited_codes(store, campaign.year)
    answered = set(all_replies(store, campaign.year))
    planned = {p.path: p for p in plan_invitations(campaign, invitees)}
    result = []
    for invitee in invitees:
        code = invitee.municipality.code
        if code not in invited or code in answered:
            continue
        letters = [
            p
            for path, p in planned.items()
            if path.startswith(invitee.folder + "/") and path.endswith(".pdf")
        ]
        ics = planned[f"{invitee.folder}/blue-heart-{campaign.year}.ics"]
        job = email_job(campaign, invitee, letters, ics, reminder=True)
        result.append(
            Outgoing(
                code, invitee.municipality.local_name, invitee.contact.email, job.build(out_dir)
            )
        )
    return result


def send(
    campaign: Campaign,
    outgoing: Sequence[Outgoing],
    store: Store,
    *,
    kind: str,
    settings: SmtpSettings | None,
    out_dir: Path,
    **options: Unpack[SendOptions],
) -> SendReport:
    """Send the campaign's messages of one kind, with the failures CSV in the invitations
    folder. Letters signed by no one are never sent: a dry run shows them, nothing more."""
    if (
        kind in ("invitation", "reminder")
        and not options.get("dry_run", True)
        and campaign.invitation.signatory.name is None
    ):
        raise BluekitError(
            f"the {kind}s would go out signed by no one: invitation.signatory.name is not "
            "filled in",
            hint="write the name of the official who signs in the campaign file, check the "
            "letters, then send",
        )
    return send_messages(
        outgoing,
        store=store,
        year=campaign.year,
        kind=kind,
        settings=settings,
        failures_dir=out_dir / "invitations",
        **options,
    )


def check_reminders_due(
    campaign: Campaign, today: dt.date | None = None, *, early: bool = False
) -> None:
    """Raise unless reminders make sense today: once the reply-by date has passed (or
    `early`), before World Day, and never asking for an answer by a date that has passed."""
    today = today or dt.date.today()
    inv = campaign.invitation
    if not early and today <= inv.reply_by:
        raise BluekitError(
            f"the reply-by date ({inv.reply_by}) has not passed yet", hint="wait, or pass --early"
        )
    if today >= campaign.dates.world_day:
        raise BluekitError(
            f"World Day ({campaign.dates.world_day}) has come: too late for reminders"
        )
    if inv.reminder_reply_by is not None and today > inv.reminder_reply_by:
        raise BluekitError(
            f"the reminder asks for an answer by {inv.reminder_reply_by}, which has passed",
            hint="set invitation.reminder_reply_by to a later date, before 30 July, and send "
            "again",
        )
