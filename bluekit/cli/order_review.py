"""`bluekit orders review`: the messages that were not readable orders, kept with the reason,
for a person to look at, take off the list, or read again."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli import orders
from bluekit.cli.output import print_json
from bluekit.cli.params import AsJson, By, CampaignFile, Db, Note, load, open_store
from bluekit.errors import BluekitError

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.store.database import Store


@orders.commands.command("review")
def review_command(
    campaign_file: CampaignFile,
    show: Annotated[
        int | None, typer.Option("--show", help="Print the original message of this item.")
    ] = None,
    done: Annotated[
        int | None,
        typer.Option("--done", help="Mark this item dealt with (typed in by hand, answered...)."),
    ] = None,
    retry: Annotated[
        int | None,
        typer.Option("--retry", help="Read this item again with today's catalogue and rules."),
    ] = None,
    note: Note = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the items dealt with.")
    ] = False,
    by: By = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """The messages that were not readable orders, with the reason; --show ID prints one,
    --done ID takes it off the list, --retry ID reads it again.

    Example: bluekit orders review campaigns/2024.yaml --done 3 --note "typed in as 2024-0012"
    """
    if sum(option is not None for option in (show, done, retry)) > 1:
        raise BluekitError("--show, --done and --retry go one at a time", hint="give one of them")
    campaign = load(campaign_file)
    store = open_store(db)
    if show is not None:
        from bluekit.ledger.review import review_original

        sys.stdout.buffer.write(review_original(store, show))
    elif done is not None:
        from bluekit.ledger.review import resolve_review

        item = resolve_review(store, done, year=campaign.year, by=by, note=note)
        typer.echo(f"review item {item.id} dealt with ({item.handled_by})")
    elif retry is not None:
        _retry(store, campaign, retry, by, note)
    else:
        _list(store, campaign.year, show_all, as_json)


def _retry(store: "Store", campaign: "Campaign", item_id: int, by: str | None,
           note: str | None) -> None:
    """Read an item again; exit 1 (as a check that found problems) if it still is no order."""
    from bluekit.ledger.review import retry_review

    item, number = retry_review(store, campaign, item_id, by=by, note=note)
    if number is None:
        typer.echo(f"review item {item.id} is still not a readable order: {item.reason}\n"
                   "  hint: type it in with `bluekit orders add`, then mark it --done",
                   err=True)
        raise typer.Exit(1)
    typer.echo(f"review item {item.id} imported as order {number}")


def _list(store: "Store", year: int, handled: bool, as_json: bool) -> None:
    from bluekit.ledger.review import review_list

    items = review_list(store, year, handled=handled)
    if as_json:
        print_json([i.as_dict() for i in items])
        return
    for i in items:
        typer.echo(f"{i.id:>4}  {i.received_at[:10]}  {i.sender or '-'}  {i.subject or ''}")
        typer.echo(f"      {i.source_name}: {i.reason}")
        if i.handled_at:
            typer.echo(f"      dealt with {i.handled_at[:10]} by {i.handled_by}"
                       + (f" as order {i.order_number}" if i.order_number else "")
                       + (f": {i.note}" if i.note else ""))
    waiting = sum(1 for i in items if not i.handled_at)
    typer.echo(f"{waiting} message(s) to review", err=True)
