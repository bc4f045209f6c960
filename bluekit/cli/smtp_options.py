"""SMTP options shared by the commands that send e-mail (invitations, reminders, order mails):
the password comes from the environment or a hidden prompt, never from an option or a file."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Literal

import typer

from bluekit.errors import EXIT_PROBLEMS, BluekitError
from bluekit.mail.sender import SendReport
from bluekit.mail.smtp import SmtpSettings

from . import print_json, say

PASSWORD_ENV = "BLUEKIT_SMTP_PASSWORD"

# The options every sending command takes; their defaults are in each command's signature.
Host = Annotated[str | None, typer.Option(help="SMTP server, e.g. smtp.office365.com.")]
Port = Annotated[int, typer.Option(help="SMTP port (587 STARTTLS, 465 SSL).")]
Security = Annotated[str, typer.Option(help="starttls, ssl or none.")]
User = Annotated[
    str | None, typer.Option(help=f"SMTP user; password from {PASSWORD_ENV} or a prompt.")
]
DryRun = Annotated[
    bool, typer.Option("--dry-run/--no-dry-run", help="Only show what would be sent.")
]
Limit = Annotated[int, typer.Option(help="Send at most this many (default 1).")]
NoLimit = Annotated[bool, typer.Option("--no-limit", help="Send them all.")]
Rate = Annotated[float, typer.Option(help="Messages per minute (Microsoft 365: 30).")]
Retries = Annotated[int, typer.Option(help="Retries on temporary failures.")]


def smtp_settings(
    host: str | None, port: int, security: str, user: str | None, dry_run: bool
) -> SmtpSettings | None:
    if dry_run:
        return None
    if not host:
        raise BluekitError("--host is required to send", hint="e.g. --host smtp.office365.com")
    password = None
    if user:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not sys.stdin.isatty():
                raise BluekitError(
                    f"no password: set {PASSWORD_ENV} or run in a terminal to be asked",
                )
            password = typer.prompt(f"SMTP password for {user}", hide_input=True)
    sec: Literal["starttls", "ssl", "none"] = security  # type: ignore[assignment]
    return SmtpSettings(host=host, port=port, security=sec, user=user, password=password)


def print_send_report(ctx: typer.Context, report: SendReport, as_json: bool, what: str) -> None:
    if as_json:
        print_json(report.as_dict())
    else:
        if report.dry_run:
            say(
                ctx,
                f"dry run: would send {len(report.would_send)} {what}(s): "
                f"{', '.join(report.would_send) or '-'}",
            )
            say(ctx, "nothing was sent; add --no-dry-run to send (and --no-limit for all)")
        else:
            say(ctx, f"sent {len(report.sent)} {what}(s)")
        if report.already_sent:
            say(ctx, f"already sent before (skipped): {len(report.already_sent)}")
        if report.uncertain:
            typer.echo(
                f"uncertain (handed to the server when a run stopped; not sent again): "
                f"{', '.join(report.uncertain)} - check the mailbox, then --retry-uncertain",
                err=True,
            )
        for code, error in report.failed:
            typer.echo(f"failed: {code}: {error}", err=True)
        if report.failures_csv:
            typer.echo(f"failures written to {report.failures_csv}", err=True)
        if report.stopped:
            typer.echo("stopped by Ctrl-C: run the same command again to go on", err=True)
    if report.failed:
        raise typer.Exit(EXIT_PROBLEMS)


def send_limit(limit: int, no_limit: bool) -> int | None:
    if no_limit:
        return None
    if limit < 1:
        raise BluekitError("--limit must be at least 1", hint="use --no-limit to send to all")
    return limit
