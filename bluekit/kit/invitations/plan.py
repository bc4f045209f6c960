"""The invitations of a build as planned outputs: per municipality its letters, calendar file
and e-mail, in its folder, and the overview of them all."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from bluekit.campaign.model import Campaign
from bluekit.kit.invitations.calendar_file import calendar_file, calendar_key
from bluekit.kit.invitations.email_message import lazy_email_job, mail_inputs
from bluekit.kit.invitations.invitees import Invitee, invitee_key
from bluekit.kit.invitations.letters import letter_job, letter_name
from bluekit.kit.invitations.overview import plan_overview
from bluekit.language import Language
from bluekit.pipeline.jobs import LazyJob, PlannedOutput


def plan_invitations(campaign: Campaign, invitees: Sequence[Invitee]) -> list[PlannedOutput]:
    """Letters, calendar file and e-mail per municipality, and the overview CSV."""
    planned: list[PlannedOutput] = []
    inputs: dict[tuple[Language, ...], str] = {}
    keys: list[list[Any]] = []
    for invitee in invitees:
        key = invitee_key(invitee)
        keys.append(key)
        if invitee.languages not in inputs:
            inputs[invitee.languages] = mail_inputs(campaign, invitee.languages)
        letters = [
            PlannedOutput(
                f"{invitee.folder}/{letter_name(campaign, invitee, lang)}",
                letter_job(campaign, invitee, lang),
            )
            for lang in invitee.languages
        ]
        ics = PlannedOutput(
            f"{invitee.folder}/blue-heart-{campaign.year}.ics",
            LazyJob(
                key=calendar_key(campaign, invitee),
                make=partial(calendar_file, campaign, invitee),
                label=f"calendar {invitee.municipality.code}",
            ),
        )
        mail = PlannedOutput(
            f"{invitee.folder}/message.eml",
            lazy_email_job(campaign, invitee, letters, ics, inputs[invitee.languages], key),
        )
        planned += [*letters, ics, mail]
    planned.append(plan_overview(campaign, invitees, keys))
    return planned
