"""`bluekit orders`: recording orders (by hand, from e-mail or a CSV), finding them, and moving
them through their steps. The review list (`order_review`), the papers (slips, e-mails,
reports, the form: `order_papers`) and reading the orders mailbox (`order_fetch`) add their
commands to this group."""

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import options, print_json, say
from bluekit.cli.params import (
    AsJson,
    By,
    CampaignFile,
    Db,
    Note,
    load,
    load_catalogue,
    open_reading,
    open_store,
    with_options,
)
from bluekit.errors import BluekitError

# The ledger's modules (and SQLAlchemy) are imported inside the commands that use them, so that
# every bluekit command starts without loading them.
if TYPE_CHECKING:
    from bluekit.campaign.catalogue import Catalogue
    from bluekit.campaign.model import Campaign
    from bluekit.ledger.orders import Order, OrderFilter

commands = command_group(
    help="Material orders: add, import from e-mail or CSV, confirm, pack, ship, report.\n\n"
    "Example: bluekit orders import campaigns/2024.yaml orders.mbox",
    no_args_is_help=True,
)

Number = Annotated[str, typer.Argument(help="The order number, e.g. 2024-0001.")]


@dataclass(frozen=True)
class OrderFilters:
    """Which orders a listing or a report takes."""

    status: Annotated[str | None, typer.Option(help="Only orders with this status.")] = None
    item: Annotated[str | None, typer.Option(help="Only orders with this item code.")] = None
    language: Annotated[str | None, typer.Option(help="Only orders in this language.")] = None
    region: Annotated[str | None, typer.Option(help="Only deliveries in this region.")] = None
    province: Annotated[
        str | None, typer.Option(help="Only deliveries in this province.")
    ] = None
    since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Received on or after (YYYY-MM-DD)."),
    ] = None
    until: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Received on or before (YYYY-MM-DD)."),
    ] = None

    def of(self, campaign: "Campaign | Catalogue") -> "OrderFilter":
        from bluekit.ledger.orders import OrderFilter

        return OrderFilter(
            year=campaign.year, status=self.status, item=self.item.upper() if self.item else None,
            language=self.language, region=self.region, province=self.province,
            since=self.since.date() if self.since else None,
            until=self.until.date() if self.until else None,
        )


def _print_order(order: "Order") -> None:
    p = order.partner
    typer.echo(f"{order.number}  {order.status}  ({order.source}, "
               f"{order.created_at.astimezone().strftime('%Y-%m-%d %H:%M')})")
    typer.echo(f"  {p.organisation} - {p.contact} <{p.email}>"
               + (f" {p.telephone}" if p.telephone else ""))
    typer.echo(f"  {p.street}, {p.postcode} {p.city} [{p.language}]")
    for item, quantity in order.lines:
        typer.echo(f"  {quantity:>7} x {item}")
    if order.remarks:
        typer.echo(f"  remarks: {order.remarks}")
    for e in order.history:
        extra = ", ".join(x for x in (e.carrier, e.tracking, e.note) if x)
        typer.echo(f"    {e.at.astimezone().strftime('%Y-%m-%d %H:%M')} {e.status:<11} {e.by}"
                   + (f" ({extra})" if extra else ""))


def _parse_item(value: str) -> tuple[str, int]:
    code, sep, quantity = value.partition("=")
    if not sep or not quantity.strip().isdecimal() or not quantity.strip().isascii():
        raise BluekitError(
            f"--item {value!r}: write CODE=QUANTITY", hint="e.g. --item PIN-BLUEHEART=50"
        )
    return code.strip().upper(), int(quantity)


def _interactive() -> bool:
    """Whether a person is at the keyboard (questions are asked only then)."""
    return sys.stdin.isatty()


def _ask(value: str | None, label: str, *, required: bool = True) -> str:
    """The option's value, or, in a terminal, the answer to a question; '' if not given."""
    if value is not None:
        return value
    if _interactive():
        return str(typer.prompt(label, default="" if not required else None, show_default=False))
    return ""


@commands.command("add")
def add_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    organisation: Annotated[str | None, typer.Option(help="Ordering organisation.")] = None,
    contact: Annotated[str | None, typer.Option(help="Contact person.")] = None,
    email: Annotated[str | None, typer.Option(help="Contact e-mail.")] = None,
    telephone: Annotated[str | None, typer.Option(help="Contact telephone.")] = None,
    street: Annotated[str | None, typer.Option(help="Delivery street and number.")] = None,
    postcode: Annotated[str | None, typer.Option(help="Delivery postcode.")] = None,
    city: Annotated[str | None, typer.Option(help="Delivery town.")] = None,
    language: Annotated[str | None, typer.Option(help="nl, fr, de or en.")] = None,
    item: Annotated[
        list[str] | None, typer.Option("--item", help="CODE=QUANTITY (repeatable).")
    ] = None,
    remarks: Annotated[str | None, typer.Option(help="Remarks.")] = None,
    by: By = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Record an order; in a terminal, asks for whatever the options leave out.

    Example: bluekit orders add campaigns/2024.yaml --organisation "Stad Kortrijk" --contact "An Peeters" --email an.peeters@kortrijk.be --street "Grote Markt 54" --postcode 8500 --city Kortrijk --language nl --item POSTER-A3-NL=20 --item PIN-BLUEHEART=100
    """
    from bluekit.language import LANGUAGES
    from bluekit.ledger.order_entry import add_order
    from bluekit.ledger.orders import NewOrder, Partner

    campaign = load(campaign_file)
    partner = Partner(
        organisation=_ask(organisation, "Organisation"),
        contact=_ask(contact, "Contact person"),
        email=_ask(email, "E-mail"),
        telephone=_ask(telephone, "Telephone (optional)", required=False) or None,
        street=_ask(street, "Street and number"),
        postcode=_ask(postcode, "Postcode"),
        city=_ask(city, "Town"),
        language=_ask(language, f"Language ({', '.join(LANGUAGES)})").strip().lower(),
    )
    lines = [_parse_item(i) for i in item or []]
    if not lines and _interactive():
        for m in campaign.materials:
            quantity = typer.prompt(f"{m.code} ({m.name['en']})", default=0, show_default=False)
            if quantity:
                lines.append((m.code, int(quantity)))
    order, _ = add_order(
        open_store(db), campaign, NewOrder(partner, tuple(lines), remarks), by=by
    )
    if as_json:
        print_json(order.as_dict())
    else:
        say(ctx, f"added order {order.number} ({order.partner.organisation})")


@commands.command("import")
def import_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    file: Annotated[
        Path,
        typer.Argument(help="An .eml or .msg, a folder of them, an mbox, a Maildir or a .csv."),
    ],
    by: By = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Import orders from e-mails (one .eml, an mbox, a Maildir) or a CSV; safe to run again.

    Outlook files (.msg, told by their content) and folders of saved mails are read too, with
    the outlook extra: pip install "bluekit[outlook]".

    A message that is not a readable order goes to the review list (`bluekit orders review`)
    with the reason and the original; nothing is dropped, nothing is imported twice.

    Example: bluekit orders import campaigns/2024.yaml ~/Mail/teh-orders.mbox
    """
    from bluekit.ledger.intake import import_orders

    campaign = load(campaign_file)
    report = import_orders(open_store(db), campaign, file, by=by)
    if as_json:
        print_json(report.as_dict())
        return
    say(ctx, f"{file}: {len(report.added)} order(s) added, {len(report.already)} already "
             f"imported, {len(report.review)} for review")
    if report.added and options(ctx).verbose:
        say(ctx, "  " + ", ".join(report.added))
    for source, reason in report.review:
        typer.echo(f"review: {source}: {reason}", err=True)


@commands.command("list")
@with_options(filters=OrderFilters)
def list_command(
    campaign_file: CampaignFile,
    filters: OrderFilters,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """List the orders of the campaign year, filtered.

    Example: bluekit orders list campaigns/2024.yaml --status received --province Luik
    """
    from bluekit.ledger.orders import list_orders

    campaign = load_catalogue(campaign_file)
    found = list_orders(open_reading(db), filters.of(campaign))
    if as_json:
        print_json([o.as_dict() for o in found])
        return
    lines = [
        f"{o.number}  {o.status:<11} {o.created_at.astimezone():%Y-%m-%d}  "
        f"{o.partner.language}  {o.partner.postcode} {o.partner.organisation[:40]:<40} "
        f"{len(o.lines)} item(s), {sum(q for _, q in o.lines)} piece(s)"
        for o in found
    ]
    if lines:
        typer.echo("\n".join(lines))  # one write: 10,000 calls of echo take a quarter second
    typer.echo(f"{len(found)} order(s)", err=True)


@commands.command("show")
def show_command(campaign_file: CampaignFile, number: Number, db: Db = None,
                 as_json: AsJson = False) -> None:
    """Show one order with its lines and its history.

    Example: bluekit orders show campaigns/2024.yaml 2024-0001
    """
    from bluekit.ledger.orders import get_order

    load(campaign_file)
    order = get_order(open_store(db), number)
    if as_json:
        print_json(order.as_dict())
    else:
        _print_order(order)


def _step(
    ctx: typer.Context, campaign_file: Path, number: str, status: str, db: str | None, *,
    by: str | None, note: str | None, carrier: str | None = None, tracking: str | None = None,
    backorder: bool = False,
) -> None:
    from bluekit.ledger.order_status import change_status

    campaign = load(campaign_file)
    order = change_status(
        open_store(db), campaign, number, status, by=by, note=note, carrier=carrier,
        tracking=tracking, backorder=backorder,
    )
    say(ctx, f"{order.number}: {order.status}"
        + (f" ({order.history[-1].note})" if order.history[-1].note else ""))


@commands.command("confirm")
def confirm_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    number: Number,
    backorder: Annotated[
        bool, typer.Option("--backorder", help="If stock is short, put it on back-order.")
    ] = False,
    by: By = None,
    note: Note = None,
    db: Db = None,
) -> None:
    """Confirm an order and reserve its stock (refused if stock is short, unless --backorder).

    Example: bluekit orders confirm campaigns/2024.yaml 2024-0001
    """
    _step(ctx, campaign_file, number, "confirmed", db, by=by, note=note, backorder=backorder)


@commands.command("pack")
def pack_command(ctx: typer.Context, campaign_file: CampaignFile, number: Number,
                 by: By = None, note: Note = None, db: Db = None) -> None:
    """Mark a confirmed order as packed.

    Example: bluekit orders pack campaigns/2024.yaml 2024-0001
    """
    _step(ctx, campaign_file, number, "packed", db, by=by, note=note)


@commands.command("ship")
def ship_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    number: Number,
    carrier: Annotated[str, typer.Option(help="The carrier, e.g. bpost.")],
    tracking: Annotated[str | None, typer.Option(help="The carrier's tracking number.")] = None,
    by: By = None,
    note: Note = None,
    db: Db = None,
) -> None:
    """Mark a packed order as shipped; its items leave the stock.

    Example: bluekit orders ship campaigns/2024.yaml 2024-0001 --carrier bpost --tracking 323299901234567
    """
    _step(ctx, campaign_file, number, "shipped", db, by=by, note=note, carrier=carrier,
          tracking=tracking)


@commands.command("deliver")
def deliver_command(ctx: typer.Context, campaign_file: CampaignFile, number: Number,
                    by: By = None, note: Note = None, db: Db = None) -> None:
    """Mark a shipped order as delivered.

    Example: bluekit orders deliver campaigns/2024.yaml 2024-0001
    """
    _step(ctx, campaign_file, number, "delivered", db, by=by, note=note)


@commands.command("cancel")
def cancel_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    number: Number,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    by: By = None,
    db: Db = None,
) -> None:
    """Cancel an order that has not been shipped; a reservation goes back to the stock.

    Example: bluekit orders cancel campaigns/2024.yaml 2024-0001 --reason "ordered twice"
    """
    _step(ctx, campaign_file, number, "cancelled", db, by=by, note=reason)
