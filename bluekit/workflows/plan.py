"""The complete kit as planned outputs: every generator's files, in the order the gallery shows
them, for one output pipeline run."""

from __future__ import annotations

from pathlib import Path

from bluekit.campaign.model import Campaign
from bluekit.kit.gallery import plan_gallery
from bluekit.kit.invitations.invitees import contacts_path, load_invitees
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.kit.order_form import plan_order_form
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.kit.social import SocialOptions, plan_social
from bluekit.kit.visual_system import plan_visual_system
from bluekit.kit.zips import plan_kits
from bluekit.pipeline.jobs import PlannedOutput


def plan_public_kit(
    campaign: Campaign, posters: PosterOptions | None = None
) -> list[PlannedOutput]:
    """What the kit holds for everyone, the files that are published: the posters, the social
    kits, the order form and a ZIP per language (no invitations, no page). `posters` gives the
    print PDFs' output intent and date (default: bluekit's FOGRA39, SOURCE_DATE_EPOCH or now)."""
    planned = plan_posters(campaign, posters or PosterOptions())
    planned += plan_social(campaign, SocialOptions())
    planned += plan_order_form(campaign)
    return planned + plan_kits(campaign, planned)


def plan_build(
    campaign: Campaign,
    campaign_path: Path | None = None,
    contacts: Path | None = None,
    posters: PosterOptions | None = None,
) -> list[PlannedOutput]:
    """Every file of the campaign kit: the posters, the social kits, the order form, a ZIP per
    language, the invitations when a contacts file is given or configured
    (`invitation.contacts_file`), the page that shows them all (`index.html`) and the page of
    the visual system (`visual-system.html`)."""
    planned = plan_public_kit(campaign, posters)
    if campaign_path is not None and contacts_path(campaign_path, campaign, contacts):
        planned += plan_invitations(campaign, load_invitees(campaign_path, campaign, contacts))
    planned += plan_visual_system(campaign)
    return planned + plan_gallery(campaign, planned)
