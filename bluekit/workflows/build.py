"""`bluekit build`: everything the campaign sends out, from one campaign file, in one run.

The build plans every generator's files and hands them to the one output pipeline, so a second
build with nothing changed renders nothing.
"""

from __future__ import annotations

from pathlib import Path

from bluekit.campaign.load import load_campaign
from bluekit.campaign.model import Campaign
from bluekit.kit.gallery import plan_gallery
from bluekit.kit.invitations.invitees import contacts_path, load_invitees
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.kit.order_form import plan_order_form
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.kit.social import SocialOptions, plan_social
from bluekit.kit.zips import plan_kits
from bluekit.pipeline.jobs import PlannedOutput
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.pool import early_pool
from bluekit.pipeline.report import BuildReport, ProgressCallback


def default_out_dir(campaign: Campaign) -> Path:
    """dist/<year>, relative to the current folder."""
    return Path("dist") / str(campaign.year)


def plan_build(
    campaign: Campaign, campaign_path: Path | None = None, contacts: Path | None = None
) -> list[PlannedOutput]:
    """Every file of the campaign kit: the posters, the social kits, the order form, a ZIP per
    language, the invitations when a contacts file is given or configured
    (`invitation.contacts_file`), and the page that shows them all (`index.html`)."""
    planned = plan_posters(campaign, PosterOptions()) + plan_social(campaign, SocialOptions())
    planned += plan_order_form(campaign)
    planned += plan_kits(campaign, planned)
    if campaign_path is not None and contacts_path(campaign_path, campaign, contacts):
        planned += plan_invitations(campaign, load_invitees(campaign_path, campaign, contacts))
    return planned + plan_gallery(campaign, planned)


def build(
    campaign_path: Path,
    out_dir: Path | None = None,
    *,
    contacts: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    check_links: bool = False,
) -> tuple[Path, BuildReport]:
    """Validate the campaign file, then render every planned file that is out of date.

    With `check_links`, the addresses of the QR codes are checked first and nothing is written
    while one is dead (a printed QR code cannot be corrected); off by default, so the build
    works without internet."""
    campaign = load_campaign(campaign_path)
    if check_links:
        from bluekit.links.report import (
            require_live_qr_targets,  # requests is loaded only to go online
        )

        require_live_qr_targets(campaign, campaign_path)
    out = out_dir or default_out_dir(campaign)
    with early_pool(out, jobs, force) as pool:  # the processes start while the kit is planned
        planned = plan_build(campaign, campaign_path, contacts)
        return out, write_outputs(
            planned, out, jobs=jobs, force=force, progress=progress, pool=pool
        )
