"""`bluekit auth`: signing in to Microsoft 365 once, seeing who is signed in, signing out."""

from typing import Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import note, print_json, say
from bluekit.cli.params import AsJson, ClientId, TenantId, microsoft_sign_in

commands = command_group(
    help="Sign in to Microsoft 365 for sending and reading mail: login, status, logout.\n\n"
    "Example: bluekit auth login --user me@just.fgov.be",
    no_args_is_help=True,
)

User = Annotated[
    str | None, typer.Option("--user", help="The account, e.g. me@just.fgov.be.")
]


@commands.command("login")
def login_command(
    ctx: typer.Context,
    user: User = None,
    device_code: Annotated[
        bool,
        typer.Option("--device-code", help="Sign in with a code on another device (no browser)."),
    ] = False,
    tenant: TenantId = None,
    client_id: ClientId = None,
) -> None:
    """Sign in once, in the browser; sending and reading mail then need no password.

    Asks for sending (SMTP.Send) and reading (IMAP.AccessAsUser.All) at once; the sign-in is
    kept in the token cache, encrypted by the system's keyring, and renewed silently.

    Example: bluekit auth login --user me@just.fgov.be
    """
    sign_in = microsoft_sign_in(tenant, client_id)
    _say_protection(ctx, sign_in.cache.encrypted, sign_in.cache.why_plain, str(sign_in.cache.path))
    account = sign_in.login(
        device_code=device_code, user=user, show=lambda text: typer.echo(text, err=True)
    )
    say(ctx, f"signed in as {account}: bluekit can now send and read mail with --auth oauth")


@commands.command("status")
def status_command(
    ctx: typer.Context,
    tenant: TenantId = None,
    client_id: ClientId = None,
    check: Annotated[
        bool, typer.Option("--check", help="Also renew the sign-in now, to see that it works.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Who is signed in on this machine, and how the sign-in is kept.

    Example: bluekit auth status --check
    """
    sign_in = microsoft_sign_in(tenant, client_id)
    accounts = sign_in.accounts()
    valid = {name: sign_in.token(name).expires_at for name in accounts} if check else {}
    if as_json:
        print_json({
            "accounts": accounts, "cache": str(sign_in.cache.path),
            "protection": sign_in.cache.protection, "encrypted": sign_in.cache.encrypted,
            "checked": {name: "ok" for name in valid},
        })
        return
    say(ctx, f"token cache: {sign_in.cache.path} ({sign_in.cache.protection})")
    if not sign_in.cache.encrypted:
        note(ctx, f"note: {sign_in.cache.why_plain}")
    if not accounts:
        say(ctx, "nobody is signed in: run `bluekit auth login`")
    for name in accounts:
        say(ctx, f"signed in: {name}" + (" (sign-in renewed: ok)" if name in valid else ""))


@commands.command("logout")
def logout_command(
    ctx: typer.Context,
    user: User = None,
    tenant: TenantId = None,
    client_id: ClientId = None,
) -> None:
    """Sign out: remove the account (every account without --user) from this machine.

    Example: bluekit auth logout
    """
    from bluekit.mail.token_cache import forget

    sign_in = microsoft_sign_in(tenant, client_id)
    removed = sign_in.logout(user)
    if user is None:
        forget(sign_in.cache)
    say(ctx, f"signed out: {', '.join(removed)}" if removed else "nobody was signed in")


def _say_protection(ctx: typer.Context, encrypted: bool, why_plain: str, path: str) -> None:
    if not encrypted:
        note(ctx, f"note: {why_plain}; the sign-in is kept in {path}, a file only you can read")
