"""`bluekit publish`: the built kit where partners pick it up, a Trello board or a folder
served on the web, each checked to be the kit of the campaign as it is now.

Both read the campaign, plan the kit's public part (no invitations) and take the built files
from the output folder as the build's manifest records them; they render nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bluekit.campaign.load import load_campaign
from bluekit.campaign.model import Campaign
from bluekit.campaign.yaml_source import load_yaml
from bluekit.errors import BluekitError, OutputError
from bluekit.kit.gallery import gallery_page, plan_thumbnails
from bluekit.kit.languages import campaign_languages
from bluekit.kit.social_posts import plan_posts
from bluekit.publish.folder import FolderReport, SiteFile, publish_site
from bluekit.publish.kit_files import built_files
from bluekit.publish.rate_limit import RateLimit
from bluekit.publish.site_links import site_problems
from bluekit.publish.trello_api import API, Credentials, TrelloClient, Waited
from bluekit.publish.trello_mapping import Mapping
from bluekit.publish.trello_plan import plan_board
from bluekit.publish.trello_sync import Progress, SyncReport, sync_board
from bluekit.store.database import Store
from bluekit.workflows.build import default_out_dir
from bluekit.workflows.plan import plan_public_kit

API_ENV = "BLUEKIT_TRELLO_API"  # another address of Trello's API (a proxy; the tests' server)


class SiteAddressError(BluekitError):
    """`social.base_url` does not match where the folder is served."""


class SiteLinkError(OutputError):
    """A page of the site links to a file that is not published, or not relatively."""


def default_board(campaign: Campaign) -> str:
    return f"Blue Heart {campaign.year}"


def publish_trello(
    campaign_path: Path,
    store: Store,
    credentials: Credentials | None,
    *,
    board: str | None = None,
    out_dir: Path | None = None,
    dry_run: bool = True,
    force: bool = False,
    progress: Progress | None = None,
    on_wait: Waited | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SyncReport:
    """Sync the board of the campaign's year with the built kit. A dry run (the default) reads
    the board and reports what publishing would do; without credentials it compares with
    bluekit's record of the board instead."""
    campaign = load_campaign(campaign_path)
    out = out_dir or default_out_dir(campaign)
    built = built_files(plan_public_kit(campaign), out)
    languages = campaign_languages(campaign, campaign.languages)
    posts = plan_posts(campaign, languages, tuple(campaign.social.platforms))
    plan = plan_board(campaign, board or default_board(campaign), posts, built)
    mapping = Mapping(store, plan.name)
    client = None
    if credentials is not None:

        def waited(seconds: float, why: str) -> None:
            if not dry_run:
                mapping.heartbeat()  # a long wait is no dead run
            if on_wait:
                on_wait(seconds, why)

        client = TrelloClient(
            credentials, api=os.environ.get(API_ENV) or API,
            limit=RateLimit(clock=clock, sleep=sleep), sleep=sleep, on_wait=waited,
        )
    return sync_board(plan, mapping, client, dry_run=dry_run, force=force, progress=progress)


def publish_folder(
    campaign_path: Path,
    dest: Path,
    *,
    out_dir: Path | None = None,
    url: str | None = None,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> FolderReport:
    """Copy the kit as a static site (the page of the kit, posters, social kits, ZIPs) into
    `dest`, served at `url` if given; `social.base_url` must be where its social kits are."""
    campaign = load_campaign(campaign_path)
    out = out_dir or default_out_dir(campaign)
    if dest.resolve() == out.resolve() or out.resolve() in dest.resolve().parents:
        raise OutputError(f"{dest} is the build's own folder {out}",
                          hint="publish into a folder of its own (the web or sync folder)")
    site_url, notes = site_address(campaign, campaign_path, url)
    planned = plan_public_kit(campaign)
    thumbnails = plan_thumbnails(planned)
    unique = {t.path: t for t in thumbnails.values()}
    built = built_files([*planned, *unique.values()], out)
    files = {path: SiteFile(path, b.sha256, b.size, source=b.source) for path, b in built.items()}
    page = gallery_page(campaign, planned, thumbnails, for_partners=True)
    files["index.html"] = SiteFile.page("index.html", page)
    pages = {path: f.data() for path, f in files.items() if path.endswith(".html")}
    host = urlsplit(site_url).netloc.lower() if site_url else None
    problems = site_problems(pages, set(files), host)
    if problems:
        raise SiteLinkError(
            f"{len(problems)} link(s) of the site would not work:\n  " + "\n  ".join(problems),
            hint="nothing was copied; this is a bug of bluekit's pages: please report it")
    report = publish_site(files, dest, dry_run=dry_run, sleep=sleep)
    report.site_url, report.notes = site_url, notes
    return report


def site_address(campaign: Campaign, campaign_path: Path, url: str | None
                 ) -> tuple[str | None, list[str]]:
    """Where the site is served (from `url`, or from `social.base_url`), and remarks; raises
    SiteAddressError when the scheduler files would point to images that are not there."""
    base = campaign.social.base_url.rstrip("/") if campaign.social.base_url else None
    site = url.rstrip("/") if url else None
    if site and urlsplit(site).scheme not in ("http", "https"):
        raise SiteAddressError(f"--url {url!r} is not a web address",
                               hint="give the address the folder is served at, https://…")
    wanted = f"{site}/social" if site else "<the address the folder is served at>/social"
    if base is None:
        return site, [
            "social.base_url is not set: the Buffer and Hootsuite files have no image addresses; "
            f"set it to {wanted} in the campaign file and build again"
        ]
    if (site and base != wanted) or (not site and not base.endswith("/social")):
        raise SiteAddressError(
            f"social.base_url is {base}, but the site puts the social kits at {wanted}: the "
            "scheduler files would point to images that are not there",
            hint=f"set social.base_url to {wanted} in the campaign file and build again"
            + ("" if site else ", or give --url"),
            location=load_yaml(campaign_path).location(("social", "base_url")),
        )
    return site or base.removesuffix("/social"), []
