"""`bluekit publish`: the built kit onto the campaign's Trello board, or into a folder served
on the web (a web server's folder, or a SharePoint/OneDrive sync folder)."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import note, options, print_json, say
from bluekit.cli.params import AsJson, CampaignFile, Db, open_store
from bluekit.errors import EXIT_PROBLEMS, BluekitError

if TYPE_CHECKING:
    from bluekit.publish.folder import FolderReport
    from bluekit.publish.trello_api import Credentials
    from bluekit.publish.trello_sync import CardOutcome, SyncReport

KEY_ENV = "BLUEKIT_TRELLO_KEY"
TOKEN_ENV = "BLUEKIT_TRELLO_TOKEN"

commands = command_group(
    help="Publish the built kit where partners pick it up: a Trello board, or a web folder.\n\n"
    'Example: bluekit publish trello campaigns/2024.yaml --board "Blue Heart 2024"',
    no_args_is_help=True,
)

KitFolder = Annotated[
    Path | None, typer.Option("--out", help="Where the kit was built (default: dist/<year>).")
]


def credentials(dry_run: bool) -> "Credentials | None":
    """The key and token from the environment, else (to publish) a hidden prompt; a dry run
    asks nothing and, without them, compares with bluekit's record."""
    from bluekit.publish.trello_api import Credentials

    key, token = os.environ.get(KEY_ENV), os.environ.get(TOKEN_ENV)
    if key and token:
        return Credentials(key, token)
    if dry_run:
        return None
    if not sys.stdin.isatty():
        raise BluekitError(f"no Trello key and token: set {KEY_ENV} and {TOKEN_ENV}, or run in a "
                           "terminal to be asked", hint="the README says how to get them")
    key = key or str(typer.prompt("Trello API key", hide_input=True))
    token = token or str(typer.prompt("Trello token", hide_input=True))
    return Credentials(key, token)


@commands.command("trello")
def trello(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    board: Annotated[
        str | None, typer.Option(help='The board (default: "Blue Heart <year>"); made if new.')
    ] = None,
    out: KitFolder = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--no-dry-run", help="Only show what would change.")
    ] = True,
    force: Annotated[
        bool, typer.Option("--force", help="Write every card again, also those edited by hand.")
    ] = False,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Publish the built kit on a Trello board: a list per language and one for print files.

    A card per post (platform, text, images, alt text, posting time), a card with the kit's
    ZIPs per language, a card per poster. A sync: a second run changes nothing, a changed text
    or image updates that card only, a post taken out of the campaign archives its card, and a
    run stopped halfway makes nothing twice. A dry run unless --no-dry-run; the key and token
    come from BLUEKIT_TRELLO_KEY and BLUEKIT_TRELLO_TOKEN or a hidden prompt.

    Example: bluekit publish trello campaigns/2024.yaml --board "Blue Heart 2024" --no-dry-run
    """
    from bluekit.workflows.publish import publish_trello

    def card_done(outcome: "CardOutcome") -> None:
        if not as_json and (outcome.action != "unchanged" or options(ctx).verbose):
            say(ctx, _card_line(outcome, dry_run))

    def waited(seconds: float, why: str) -> None:
        if seconds >= 1 and not as_json:
            note(ctx, f"waiting {seconds:.0f} s: {why}")

    store = open_store(db)
    try:
        report = publish_trello(
            campaign_file, store, credentials(dry_run), board=board, out_dir=out,
            dry_run=dry_run, force=force, progress=card_done, on_wait=waited,
        )
    finally:
        store.close()
    if as_json:
        print_json(report.as_dict())
    else:
        _summary(ctx, report)


def _card_line(outcome: "CardOutcome", dry_run: bool) -> str:
    done = {"create": "created", "update": "updated", "archive": "archived",
            "found": "found", "unchanged": "unchanged"}
    verb = outcome.action if dry_run else done[outcome.action]
    changes = f" ({', '.join(outcome.changes)})" if outcome.changes else ""
    return f"  {verb:<10} {outcome.list_key:<6} {outcome.name}{changes}"


def _summary(ctx: typer.Context, report: "SyncReport") -> None:
    for action, name in report.lists:
        say(ctx, f"  list {action}: {name}")
    counts = {a: report.count(a) for a in ("create", "update", "found", "archive", "unchanged")}
    board = f"board {report.board!r}" + (f" ({report.board_url})" if report.board_url else "")
    if report.board_action != "unchanged":
        board += f": {report.board_action}"
    what = (f"{counts['create']} card(s) to create, {counts['update']} to update, "
            f"{counts['archive']} to archive" if report.dry_run else
            f"{counts['create']} card(s) created, {counts['update']} updated, "
            f"{counts['archive']} archived")
    found = f", {counts['found']} found again after an interrupted run" if counts["found"] else ""
    say(ctx, f"{board}: {what}{found}, {counts['unchanged']} unchanged "
             f"({report.requests} request(s) to Trello)")
    if report.offline:
        note(ctx, f"compared with bluekit's record only: set {KEY_ENV} and {TOKEN_ENV} for a "
                  "dry run that reads the board")
    if report.dry_run:
        say(ctx, "dry run: nothing was changed on Trello; add --no-dry-run to publish")


@commands.command("folder")
def folder(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    dest: Annotated[Path, typer.Argument(help="The folder the web server or sync client serves.")],
    out: KitFolder = None,
    url: Annotated[
        str | None, typer.Option(help="The address DEST is served at (checks social.base_url).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be copied or removed.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Publish the built kit as a static site into a folder a web server or SharePoint serves.

    The page of the kit, the posters, the social kits and the ZIPs, with relative links only,
    readable by others; only changed files are copied, each atomically; files published before
    and no longer in the kit are removed, nothing else in the folder is touched. social.base_url
    must be the site's address followed by /social.

    Example: bluekit publish folder campaigns/2024.yaml /var/www/blueheart --url https://kit.example.be
    """
    from bluekit.workflows.publish import publish_folder

    report = publish_folder(campaign_file, dest, out_dir=out, url=url, dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
    else:
        _folder_summary(ctx, report)
    if report.held:
        raise typer.Exit(EXIT_PROBLEMS)


def _folder_summary(ctx: typer.Context, report: "FolderReport") -> None:
    verbose = options(ctx).verbose
    verb = "would copy" if report.dry_run else "copied"
    for path in report.copied if verbose or report.dry_run else ():
        say(ctx, f"  {verb} {path}")
    for path in report.removed:
        say(ctx, f"  {'would remove' if report.dry_run else 'removed'} {path}")
    for path, why in report.held:
        typer.echo(f"not updated: {path}: {why}", err=True)
    for remark in report.notes:
        note(ctx, f"note: {remark}")
    say(ctx, f"{report.dest}: {len(report.copied)} file(s) {verb}, {len(report.unchanged)} "
             f"unchanged, {len(report.removed)} removed")
    if report.site_url:
        say(ctx, f"partners find the kit at {report.site_url}/index.html")
