"""`bluekit orders` papers: packing slips and order e-mails (written and sent), the totals
report, and the order form to paste into an e-mail."""

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli import orders
from bluekit.cli.orders import OrderFilters
from bluekit.cli.output import print_json, progress_bar, report_outputs, say
from bluekit.cli.params import (
    AsJson,
    CampaignFile,
    Db,
    Out,
    load,
    load_catalogue,
    open_reading,
    open_store,
    with_options,
)
from bluekit.cli.sending import Sending, print_send_report
from bluekit.errors import BluekitError

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.ledger.orders import Order
    from bluekit.store.database import Store

Numbers = Annotated[list[str] | None, typer.Argument(help="Order numbers (default: all).")]


def _orders_of(store: "Store", campaign: "Campaign", numbers: list[str] | None) -> "list[Order]":
    """The orders named (of the campaign's year), or all of that year, with their history."""
    from bluekit.ledger.orders import OrderFilter, get_order, list_orders

    if not numbers:
        numbers = [o.number for o in list_orders(store, OrderFilter(year=campaign.year))]
    chosen = [get_order(store, n) for n in numbers]
    for order in chosen:
        if order.year != campaign.year:
            raise BluekitError(
                f"order {order.number} belongs to {order.year}, not to {campaign.year}",
                hint=f"use campaigns/{order.year}.yaml",
            )
    return chosen


@orders.commands.command("documents")
def documents_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    number: Numbers = None,
    out: Out = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Write packing slips (PDF) and confirmation/shipping e-mails (.eml) in each partner's
    language, into dist/<year>/orders/<number>/.

    Example: bluekit orders documents campaigns/2024.yaml 2024-0001
    """
    from bluekit.ledger.documents import write_order_documents
    from bluekit.workflows.build import default_out_dir

    campaign = load(campaign_file)
    store = open_store(db)
    chosen = _orders_of(store, campaign, number)
    out_dir = out or default_out_dir(campaign)
    with progress_bar(ctx, len(chosen) * 3, "documents") as progress:
        report = write_order_documents(campaign, chosen, out_dir, progress=progress)
    report_outputs(ctx, out_dir, report, as_json)


@orders.commands.command("send")
@with_options(sending=Sending)
def send_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    number: Numbers = None,
    step: Annotated[str, typer.Option(help="confirmed or shipped: which e-mail.")] = "confirmed",
    out: Out = None,
    db: Db = None,
    as_json: AsJson = False,
    *,
    sending: Sending,
) -> None:
    """Send the confirmation (or shipping) e-mails, the safe way of `invitations send`: a dry run
    of one unless told otherwise, and never twice to the same order.

    Example: bluekit orders send campaigns/2024.yaml --step shipped --host smtp.office365.com --user me@just.fgov.be --no-dry-run --no-limit
    """
    from bluekit.ledger.documents import order_messages
    from bluekit.mail.sender import send_messages
    from bluekit.workflows.build import default_out_dir

    if step not in ("confirmed", "shipped"):
        raise BluekitError(f"--step {step!r}: use confirmed or shipped")
    campaign = load(campaign_file)
    store = open_store(db)
    chosen = _orders_of(store, campaign, number)
    out_dir = out or default_out_dir(campaign)
    report = send_messages(
        order_messages(campaign, chosen, out_dir, step),
        store=store,
        year=campaign.year,
        kind=f"order-{step}",
        settings=sending.settings(),
        failures_dir=out_dir / "orders",
        **sending.options(),
    )
    print_send_report(ctx, report, as_json, f"{step} e-mail")


@orders.commands.command("report")
@with_options(filters=OrderFilters)
def report_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    *,
    filters: OrderFilters,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to a .csv (Excel, Belgium) or .xlsx file.")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Totals per item, language and province (cancelled orders left out).

    Example: bluekit orders report campaigns/2024.yaml --out orders-2024.xlsx
    """
    from bluekit.files.atomic import write_atomic
    from bluekit.ledger.order_report import order_report, report_csv, report_dicts, report_xlsx

    campaign = load_catalogue(campaign_file)
    rows = order_report(open_reading(db), campaign, filters.of(campaign))
    if out is not None:
        suffix = out.suffix.lower()
        if suffix == ".csv":
            write_atomic(out, report_csv(rows))
        elif suffix == ".xlsx":
            write_atomic(out, report_xlsx(rows, campaign, dt.datetime.now(dt.UTC)))
        else:
            raise BluekitError(f"--out {out}: the file must end in .csv or .xlsx")
        say(ctx, f"wrote {out}")
    if as_json:
        print_json(report_dicts(rows))
    elif out is None:
        group = ""
        for r in rows:
            if r.group != group:
                group = r.group
                typer.echo(f"{group:<16} {'orders':>7} {'quantity':>9} {'shipped':>8}")
            typer.echo(f"  {r.key:<14} {r.orders:>7} {r.quantity:>9} {r.shipped:>8}  {r.name}")


@orders.commands.command("form")
def form_command(
    campaign_file: CampaignFile,
    lang: Annotated[str, typer.Option("--lang", help="nl, fr, de or en.")] = "nl",
    mailto: Annotated[
        bool, typer.Option("--mailto", help="Print the mailto: link instead.")
    ] = False,
) -> None:
    """Print the order form (to paste into an e-mail or a web page), or its mailto: link.

    Example: bluekit orders form campaigns/2024.yaml --lang fr
    """
    from bluekit.kit.order_form import form_file_text, mailto_link

    campaign = load(campaign_file)
    if lang not in campaign.languages:
        raise BluekitError(f"--lang {lang!r}: the campaign has {', '.join(campaign.languages)}")
    typer.echo(mailto_link(campaign, lang) if mailto else form_file_text(campaign, lang))
