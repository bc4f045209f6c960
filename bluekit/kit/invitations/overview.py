"""`invitations/overview.csv`: the list of the invitations of a build, one row per municipality,
for the staff who check them in Excel before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any

from bluekit.campaign.model import Campaign
from bluekit.files.excel_csv import excel_csv
from bluekit.kit.invitations.email_message import mail_inputs, subject
from bluekit.kit.invitations.invitees import Invitee
from bluekit.pipeline.jobs import LazyJob, PlannedOutput


def overview_csv(campaign: Campaign, invitees: Sequence[Invitee]) -> bytes:
    """The list of invitations, for Excel in Belgium (UTF-8 with BOM, `;`)."""
    return excel_csv(
        ["refnis", "municipality", "languages", "email", "subject", "folder"],
        (
            [i.municipality.code, i.municipality.local_name, "+".join(i.languages),
             i.contact.email, subject(campaign, i), i.folder]
            for i in invitees
        ),
    )


def plan_overview(
    campaign: Campaign, invitees: Sequence[Invitee], invitee_keys: list[list[Any]]
) -> PlannedOutput:
    """The overview, written only when the campaign's invitation texts or an invitee changed
    (`invitee_keys`: `invitees.invitee_key` of each)."""
    overview = LazyJob(
        key=json.dumps(["overview-v1", mail_inputs(campaign, campaign.languages),
                        invitee_keys]),
        make=partial(overview_csv, campaign, invitees),
        label="overview",
    )
    return PlannedOutput("invitations/overview.csv", overview)
