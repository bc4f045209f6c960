"""`bluekit stock`: what is on the shelf, reserved and available; deliveries; what to reprint."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group, default_command_group
from bluekit.cli.output import print_json, say
from bluekit.cli.params import AsJson, By, Db, load, open_store
from bluekit.errors import EXIT_PROBLEMS

if TYPE_CHECKING:  # imported inside the commands: bluekit starts faster
    from bluekit.ledger.stock import StockLevel


commands = command_group(
    cls=default_command_group("show"),
    help="Stock of posters, pins and brochures: on hand, reserved, available, low.\n\n"
    "Example: bluekit stock campaigns/2024.yaml",
    no_args_is_help=True,
)

CampaignFile = Annotated[Path, typer.Argument(help="The campaign file (catalogue and year).")]


def _table(rows: "list[StockLevel]") -> None:
    typer.echo(f"{'item':<15} {'on hand':>8} {'reserved':>9} {'available':>10} {'low at':>7}")
    for r in rows:
        flag = "  LOW: reprint" if r.low else ""
        typer.echo(f"{r.item:<15} {r.on_hand:>8} {r.reserved:>9} {r.available:>10} "
                   f"{r.low_stock:>7}{flag}")


@commands.command("show")
def show_command(
    campaign_file: CampaignFile,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Every item: on hand, reserved by confirmed orders, available, and which are low.

    Example: bluekit stock campaigns/2024.yaml
    """
    from bluekit.ledger.stock import levels

    campaign = load(campaign_file)
    rows = levels(open_store(db), campaign)
    if as_json:
        print_json([r.as_dict() for r in rows])
    else:
        _table(rows)


@commands.command("low")
def low_command(
    campaign_file: CampaignFile,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """The items to reprint (available at or below their threshold); exit 1 if there are any.

    Example: bluekit stock low campaigns/2024.yaml
    """
    from bluekit.ledger.stock import low_stock

    campaign = load(campaign_file)
    rows = low_stock(open_store(db), campaign)
    if as_json:
        print_json([r.as_dict() for r in rows])
    elif rows:
        _table(rows)
    else:
        typer.echo("no item is low")
    if rows:
        raise typer.Exit(EXIT_PROBLEMS)


@commands.command("receive")
def receive_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    item: Annotated[str, typer.Argument(help="The item code, e.g. POSTER-A3-NL.")],
    quantity: Annotated[int, typer.Argument(help="How many came in.")],
    note: Annotated[str | None, typer.Option(help="e.g. the printer's delivery note.")] = None,
    by: By = None,
    db: Db = None,
) -> None:
    """Add a delivery (a reprint) to the stock; lists back-orders it may now cover.

    Example: bluekit stock receive campaigns/2024.yaml POSTER-A3-NL 1000 --note "reprint 2"
    """
    from bluekit.ledger.order_status import backorders
    from bluekit.ledger.orders import current_user
    from bluekit.ledger.stock import receive

    campaign = load(campaign_file)
    store = open_store(db)
    level = receive(store, campaign, item, quantity, by=by or current_user(), note=note)
    say(ctx, f"{level.item}: {level.on_hand} on hand, {level.available} available")
    waiting = [o for o in backorders(store, campaign.year) if level.item in dict(o.lines)]
    for order in waiting:
        say(ctx, f"back-order {order.number} ({order.partner.organisation}) needs "
                 f"{dict(order.lines)[level.item]}: bluekit orders confirm "
                 f"{campaign_file} {order.number}")
