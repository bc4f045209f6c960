"""`bluekit orders fetch`: the orders mailbox read over IMAP (Microsoft 365 with OAuth, or any
server with a password), imported as `orders import` imports a file."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bluekit.cli import orders
from bluekit.cli.output import note, print_json, say
from bluekit.cli.params import (
    AUTH_HELP,
    AsJson,
    AuthChoice,
    By,
    CampaignFile,
    ClientId,
    Db,
    TenantId,
    load,
    microsoft_sign_in,
    open_store,
)
from bluekit.errors import BluekitError

if TYPE_CHECKING:
    from bluekit.ledger.mailbox_fetch import FetchReport

IMAP_PASSWORD_ENV = "BLUEKIT_IMAP_PASSWORD"


@orders.commands.command("fetch")
def fetch_command(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    host: Annotated[str, typer.Option(help="IMAP server, e.g. outlook.office365.com.")],
    mailbox: Annotated[
        str, typer.Option(help="The mailbox to read, e.g. teh@just.fgov.be (a shared one too).")
    ],
    folder: Annotated[str, typer.Option(help="The folder to read.")] = "INBOX",
    move_to: Annotated[
        str | None,
        typer.Option("--move-to", help="Move each message here once it is imported."),
    ] = None,
    port: Annotated[int, typer.Option(help="IMAP port (993 SSL, 143 STARTTLS).")] = 993,
    security: Annotated[
        Literal["ssl", "starttls", "none"], typer.Option(help="ssl, starttls or none.")
    ] = "ssl",
    auth: Annotated[AuthChoice, typer.Option(help=AUTH_HELP)] = "auto",
    user: Annotated[
        str | None,
        typer.Option("--user", help="With OAuth: your signed-in account, if several are."),
    ] = None,
    tenant: TenantId = None,
    client_id: ClientId = None,
    by: By = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Import the orders that arrived in the mailbox since the last fetch.

    Reads only new mail (the folder's UIDVALIDITY and last UID are kept in the state database),
    never imports a message twice, and moves a message (--move-to) only once it is imported.
    Replies to the invitations are kept for `bluekit lighting inbox`.

    Example: bluekit orders fetch campaigns/2024.yaml --host outlook.office365.com --mailbox teh@just.fgov.be --move-to Verwerkt
    """
    from bluekit.ledger.mailbox_fetch import Where, fetch_orders
    from bluekit.mail.imap import ImapSettings, Mailbox
    from bluekit.mail.oauth import uses_oauth

    campaign = load(campaign_file)
    if uses_oauth(auth, host):
        tokens = microsoft_sign_in(tenant, client_id).source(user)
        settings = ImapSettings(host, mailbox, port, security, tokens=tokens)
    else:
        settings = ImapSettings(host, mailbox, port, security, password=_password(mailbox))
    store = open_store(db)
    with Mailbox(settings) as box:
        report = fetch_orders(
            store, campaign, box, Where(host, mailbox, folder), move_to=move_to, by=by
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(ctx, report, f"{mailbox} {folder}", move_to, campaign_file)


def _print_report(
    ctx: typer.Context, report: "FetchReport", where: str, move_to: str | None, campaign: Path
) -> None:
    if report.renumbered:
        note(ctx, f"{where}: the server numbered the folder anew (UIDVALIDITY): read again "
                  "from the start; what was imported before was skipped")
    say(ctx, f"{where}: {report.read} new message(s), {len(report.added)} order(s) "
             f"added, {len(report.already)} already imported, {len(report.review)} to review, "
             f"{len(report.replies)} invitation repl(y/ies)"
             + (f", {report.moved} moved to {move_to}" if move_to else ""))
    for source, reason in report.review:
        typer.echo(f"  review: {source}: {reason}", err=True)
    if report.replies:
        say(ctx, f"  see the replies with: bluekit lighting inbox {campaign}")


def _password(mailbox: str) -> str:
    password = os.environ.get(IMAP_PASSWORD_ENV)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise BluekitError(
            f"no password: set {IMAP_PASSWORD_ENV} or run in a terminal to be asked",
            hint="for Microsoft 365 use --auth oauth after `bluekit auth login`",
        )
    return str(typer.prompt(f"IMAP password for {mailbox}", hide_input=True))
