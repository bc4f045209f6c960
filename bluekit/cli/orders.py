"""`bluekit orders`: intake, status steps, documents, e-mails and reports of material orders."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.campaign.load import load_campaign
from bluekit.campaign.model import Campaign
from bluekit.errors import BluekitError
from bluekit.files.atomic import write_atomic
from bluekit.kit.order_form import form_file_text, mailto_link
from bluekit.mail.sender import send_messages
from bluekit.workflows.build import default_out_dir

from . import Db, app, open_store, options, print_json, progress_bar, report_outputs, say
from .smtp_options import (
    DryRun,
    Host,
    Limit,
    NoLimit,
    Port,
    Rate,
    Retries,
    Security,
    User,
    print_send_report,
    send_limit,
    smtp_settings,
)

# The ledger's modules (and SQLAlchemy) are imported inside the commands that use them, so that
# every bluekit command starts without loading them.
if TYPE_CHECKING:
    from bluekit.ledger.orders import Order, OrderFilter
    from bluekit.store.database import Store

orders_app = typer.Typer(
    help="Material orders: add, import from e-mail or CSV, confirm, pack, ship, report.\n\n"
    "Example: bluekit orders import campaigns/2024.yaml orders.mbox",
    no_args_is_help=True,
)
app.add_typer(orders_app, name="orders")

CampaignFile = Annotated[Path, typer.Argument(help="The campaign file (catalogue and year).")]
Number = Annotated[str, typer.Argument(help="The order number, e.g. 2024-0001.")]
By = Annotated[str | None, typer.Option("--by", help="Who does this (default: your login).")]
Note = Annotated[str | None, typer.Option("--note", help="A note for the history.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]



def _print_order(order: Order) -> None:
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


def _orders_of(store: Store, campaign: Campaign, numbers: list[str] | None) -> list[Order]:
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


def _parse_item(value: str) -> tuple[str, int]:
    code, sep, quantity = value.partition("=")
    if not sep or not quantity.strip().isdecimal() or not quantity.strip().isascii():
        raise BluekitError(f"--item {value!r}: write CODE=QUANTITY", hint="e.g. --item PIN-BLUEHEART=50")
    return code.strip().upper(), int(quantity)


def _interactive() -> bool:
    """Whether a person is at the keyboard (questions are asked only then)."""
    return sys.stdin.isatty()


def _ask(value: str | None, label: str, *, required: bool = True) -> str:
    """The option's value, or, in a terminal, the answer to a question; '' if not given."""
    if value is not None:
        return value
    if _interactive():
        return typer.prompt(label, default="" if not required else None, show_default=False)
    return ""


@orders_app.command("add")
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

    campaign = load_campaign(campaign_file)
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


@orders_app.command("import")
def import_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    file: Annotated[Path, typer.Argument(help="An .eml, an mbox file, a Maildir folder or a .csv.")],
    by: By = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Import orders from e-mails (one .eml, an mbox, a Maildir) or a CSV; safe to run again.

    A message that is not a readable order goes to the review list (`bluekit orders review`)
    with the reason and the original; nothing is dropped, nothing is imported twice.

    Example: bluekit orders import campaigns/2024.yaml ~/Mail/teh-orders.mbox
    """
    from bluekit.ledger.intake import import_orders

    campaign = load_campaign(campaign_file)
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


def _filter(campaign: Campaign, status: str | None, item: str | None, language: str | None,
            region: str | None, province: str | None, since: dt.datetime | None,
            until: dt.datetime | None) -> OrderFilter:
    from bluekit.ledger.orders import OrderFilter

    return OrderFilter(
        year=campaign.year, status=status, item=item.upper() if item else None,
        language=language, region=region, province=province,
        since=since.date() if since else None, until=until.date() if until else None,
    )


Status = Annotated[str | None, typer.Option(help="Only orders with this status.")]
Item = Annotated[str | None, typer.Option(help="Only orders with this item code.")]
Language = Annotated[str | None, typer.Option(help="Only orders in this language.")]
Region = Annotated[str | None, typer.Option(help="Only deliveries in this region.")]
Province = Annotated[str | None, typer.Option(help="Only deliveries in this province.")]
Since = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Received on or after (YYYY-MM-DD).")
]
Until = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Received on or before (YYYY-MM-DD).")
]


@orders_app.command("list")
def list_command(
    campaign_file: CampaignFile,
    status: Status = None,
    item: Item = None,
    language: Language = None,
    region: Region = None,
    province: Province = None,
    since: Since = None,
    until: Until = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """List the orders of the campaign year, filtered.

    Example: bluekit orders list campaigns/2024.yaml --status received --province Luik
    """
    from bluekit.ledger.orders import list_orders

    campaign = load_campaign(campaign_file)
    found = list_orders(
        open_store(db), _filter(campaign, status, item, language, region, province, since, until)
    )
    if as_json:
        print_json([o.as_dict() for o in found])
        return
    for o in found:
        pieces = sum(q for _, q in o.lines)
        typer.echo(f"{o.number}  {o.status:<11} {o.created_at.astimezone():%Y-%m-%d}  "
                   f"{o.partner.language}  {o.partner.postcode} {o.partner.organisation[:40]:<40} "
                   f"{len(o.lines)} item(s), {pieces} piece(s)")
    typer.echo(f"{len(found)} order(s)", err=True)


@orders_app.command("show")
def show_command(campaign_file: CampaignFile, number: Number, db: Db = None,
                 as_json: AsJson = False) -> None:
    """Show one order with its lines and its history.

    Example: bluekit orders show campaigns/2024.yaml 2024-0001
    """
    from bluekit.ledger.orders import get_order

    load_campaign(campaign_file)
    order = get_order(open_store(db), number)
    if as_json:
        print_json(order.as_dict())
    else:
        _print_order(order)


def _step(ctx: typer.Context, campaign_file: Path, number: str, status: str, db: Path | None,
          **details: object) -> None:
    from bluekit.ledger.order_status import change_status

    campaign = load_campaign(campaign_file)
    order = change_status(open_store(db), campaign, number, status, **details)  # type: ignore[arg-type]
    say(ctx, f"{order.number}: {order.status}"
        + (f" ({order.history[-1].note})" if order.history[-1].note else ""))


@orders_app.command("confirm")
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


@orders_app.command("pack")
def pack_command(ctx: typer.Context, campaign_file: CampaignFile, number: Number,
                 by: By = None, note: Note = None, db: Db = None) -> None:
    """Mark a confirmed order as packed.

    Example: bluekit orders pack campaigns/2024.yaml 2024-0001
    """
    _step(ctx, campaign_file, number, "packed", db, by=by, note=note)


@orders_app.command("ship")
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


@orders_app.command("deliver")
def deliver_command(ctx: typer.Context, campaign_file: CampaignFile, number: Number,
                    by: By = None, note: Note = None, db: Db = None) -> None:
    """Mark a shipped order as delivered.

    Example: bluekit orders deliver campaigns/2024.yaml 2024-0001
    """
    _step(ctx, campaign_file, number, "delivered", db, by=by, note=note)


@orders_app.command("cancel")
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


@orders_app.command("documents")
def documents_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    number: Annotated[list[str] | None, typer.Argument(help="Order numbers (default: all).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Default: dist/<year>.")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Write packing slips (PDF) and confirmation/shipping e-mails (.eml) in each partner's
    language, into dist/<year>/orders/<number>/.

    Example: bluekit orders documents campaigns/2024.yaml 2024-0001
    """
    from bluekit.ledger.documents import write_order_documents

    campaign = load_campaign(campaign_file)
    store = open_store(db)
    chosen = _orders_of(store, campaign, number)
    out_dir = out or default_out_dir(campaign)
    with progress_bar(ctx, len(chosen) * 3, "documents") as progress:
        report = write_order_documents(campaign, chosen, out_dir, progress=progress)
    report_outputs(ctx, out_dir, report, as_json)


@orders_app.command("send")
def send_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    number: Annotated[list[str] | None, typer.Argument(help="Order numbers (default: all).")] = None,
    step: Annotated[str, typer.Option(help="confirmed or shipped: which e-mail.")] = "confirmed",
    host: Host = None,
    port: Port = 587,
    security: Security = "starttls",
    user: User = None,
    dry_run: DryRun = True,
    limit: Limit = 1,
    no_limit: NoLimit = False,
    rate: Rate = 30.0,
    retries: Retries = 3,
    out: Annotated[Path | None, typer.Option("--out", help="Default: dist/<year>.")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Send the confirmation (or shipping) e-mails, the safe way of `invitations send`: a dry run
    of one unless told otherwise, and never twice to the same order.

    Example: bluekit orders send campaigns/2024.yaml --step shipped --host smtp.office365.com --user me@just.fgov.be --no-dry-run --no-limit
    """
    from bluekit.ledger.documents import order_messages

    if step not in ("confirmed", "shipped"):
        raise BluekitError(f"--step {step!r}: use confirmed or shipped")
    campaign = load_campaign(campaign_file)
    store = open_store(db)
    chosen = _orders_of(store, campaign, number)
    out_dir = out or default_out_dir(campaign)
    report = send_messages(
        order_messages(campaign, chosen, out_dir, step),
        store=store,
        year=campaign.year,
        kind=f"order-{step}",
        settings=smtp_settings(host, port, security, user, dry_run),
        dry_run=dry_run,
        limit=send_limit(limit, no_limit),
        per_minute=rate,
        retries=retries,
        failures_dir=out_dir / "orders",
    )
    print_send_report(ctx, report, as_json, f"{step} e-mail")


@orders_app.command("report")
def report_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    status: Status = None,
    item: Item = None,
    language: Language = None,
    region: Region = None,
    province: Province = None,
    since: Since = None,
    until: Until = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to a .csv (Excel, Belgium) or .xlsx file.")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Totals per item, language and province (cancelled orders left out).

    Example: bluekit orders report campaigns/2024.yaml --out orders-2024.xlsx
    """
    from bluekit.ledger.order_report import order_report, report_csv, report_dicts, report_xlsx

    campaign = load_campaign(campaign_file)
    rows = order_report(
        open_store(db), campaign,
        _filter(campaign, status, item, language, region, province, since, until),
    )
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


@orders_app.command("review")
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
    from bluekit.ledger.review import (
        resolve_review,
        retry_review,
        review_list,
        review_original,
    )

    if sum(option is not None for option in (show, done, retry)) > 1:
        raise BluekitError("--show, --done and --retry go one at a time", hint="give one of them")
    campaign = load_campaign(campaign_file)
    store = open_store(db)
    if show is not None:
        sys.stdout.buffer.write(review_original(store, show))
        return
    if done is not None:
        item = resolve_review(store, done, year=campaign.year, by=by, note=note)
        typer.echo(f"review item {item.id} dealt with ({item.handled_by})")
        return
    if retry is not None:
        item, number = retry_review(store, campaign, retry, by=by, note=note)
        if number is None:  # exit 1, as a check that found problems
            typer.echo(f"review item {item.id} is still not a readable order: {item.reason}\n"
                       "  hint: type it in with `bluekit orders add`, then mark it --done",
                       err=True)
            raise typer.Exit(1)
        typer.echo(f"review item {item.id} imported as order {number}")
        return
    items = review_list(store, campaign.year, handled=show_all)
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


@orders_app.command("form")
def form_command(
    campaign_file: CampaignFile,
    lang: Annotated[str, typer.Option("--lang", help="nl, fr, de or en.")] = "nl",
    mailto: Annotated[bool, typer.Option("--mailto", help="Print the mailto: link instead.")] = False,
) -> None:
    """Print the order form (to paste into an e-mail or a web page), or its mailto: link.

    Example: bluekit orders form campaigns/2024.yaml --lang fr
    """
    campaign = load_campaign(campaign_file)
    if lang not in campaign.languages:
        raise BluekitError(f"--lang {lang!r}: the campaign has {', '.join(campaign.languages)}")
    typer.echo(mailto_link(campaign, lang) if mailto else form_file_text(campaign, lang))

