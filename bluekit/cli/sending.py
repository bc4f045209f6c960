"""The options and the report every command that sends e-mail shares (invitations, reminders,
order mails): a dry run of one message unless told otherwise, and the sign-in: a password from
the environment or a hidden prompt, never from an option or a file, or (`--auth oauth`, for
Microsoft 365) a token of the account signed in with `bluekit auth login`.
"""

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bluekit.cli.output import print_json, say
from bluekit.cli.params import AUTH_HELP, AuthChoice, ClientId, TenantId, microsoft_sign_in
from bluekit.errors import EXIT_PROBLEMS, BluekitError

if TYPE_CHECKING:
    from bluekit.mail.sender import SendOptions, SendReport
    from bluekit.mail.smtp import SmtpSettings

PASSWORD_ENV = "BLUEKIT_SMTP_PASSWORD"
SecurityChoice = Literal["starttls", "ssl", "none"]


@dataclass(frozen=True)
class Sending:
    """Where to send through, and how carefully: the options of every sending command."""

    host: Annotated[
        str | None, typer.Option(help="SMTP server, e.g. smtp.office365.com.")
    ] = None
    port: Annotated[int, typer.Option(help="SMTP port (587 STARTTLS, 465 SSL).")] = 587
    security: Annotated[
        SecurityChoice, typer.Option(help="starttls, ssl or none.")
    ] = "starttls"
    user: Annotated[
        str | None, typer.Option(help=f"SMTP user; password from {PASSWORD_ENV} or a prompt.")
    ] = None
    auth: Annotated[AuthChoice, typer.Option(help=AUTH_HELP)] = "auto"
    tenant: TenantId = None
    client_id: ClientId = None
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--no-dry-run", help="Only show what would be sent.")
    ] = True
    limit: Annotated[int, typer.Option(help="Send at most this many (default 1).")] = 1
    no_limit: Annotated[bool, typer.Option("--no-limit", help="Send them all.")] = False
    rate: Annotated[float, typer.Option(help="Messages per minute (Microsoft 365: 30).")] = 30.0
    retries: Annotated[int, typer.Option(min=0, help="Retries on temporary failures.")] = 3
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for the server at each step.")
    ] = 30.0
    force: Annotated[
        bool, typer.Option("--force", help="Send again to those already sent.")
    ] = False
    retry_uncertain: Annotated[
        bool, typer.Option("--retry-uncertain", help="Resend those whose outcome is unknown.")
    ] = False
    retry_failed: Annotated[
        bool,
        typer.Option("--retry-failed", help="Try again those a server refused for good (5xx)."),
    ] = False
    mark_sent: Annotated[
        list[str] | None,
        typer.Option(
            "--mark-sent", metavar="CODE",
            help="Record this one as sent, sending nothing (after checking the mailbox that "
            "an uncertain one arrived); repeatable.",
        ),
    ] = None

    def settings(self) -> "SmtpSettings | None":
        """How to reach the server; None for a dry run or --mark-sent (nothing is sent,
        nothing asked)."""
        from bluekit.mail.smtp import SmtpSettings

        if self.dry_run or self.mark_sent:
            return None
        if not self.host:
            raise BluekitError("--host is required to send", hint="e.g. --host smtp.office365.com")
        from bluekit.mail.oauth import uses_oauth

        if uses_oauth(self.auth, self.host):
            sign_in = microsoft_sign_in(self.tenant, self.client_id)
            tokens = sign_in.source(self.user)
            tokens()  # signed in at all? Said now, before anything is journaled
            return SmtpSettings(
                host=self.host, port=self.port, security=self.security, user=self.user,
                auth="oauth", tokens=tokens, timeout=self.timeout,
            )
        password = _password(self.user) if self.user else None
        return SmtpSettings(
            host=self.host, port=self.port, security=self.security, user=self.user,
            password=password, timeout=self.timeout,
        )

    def options(self) -> "SendOptions":
        """What the run is asked to do, for `mail.sender.send_messages`."""
        return {
            "dry_run": self.dry_run, "limit": self.most(), "per_minute": self.rate,
            "retries": self.retries, "force": self.force,
            "retry_uncertain": self.retry_uncertain, "retry_failed": self.retry_failed,
            "mark_sent": tuple(self.mark_sent or ()),
        }

    def most(self) -> int | None:
        """How many to send at most; None for all."""
        if self.no_limit:
            return None
        if self.limit < 1:
            raise BluekitError("--limit must be at least 1", hint="use --no-limit to send to all")
        return self.limit


def _password(user: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise BluekitError(f"no password: set {PASSWORD_ENV} or run in a terminal to be asked")
    return str(typer.prompt(f"SMTP password for {user}", hide_input=True))


def print_send_report(ctx: typer.Context, report: "SendReport", as_json: bool, what: str) -> None:
    """What a send did (or would do). Exit 1 when a message of the run has not gone out (failed
    now or before, uncertain, being sent by another run), 130 when Ctrl-C stopped it."""
    if as_json:
        print_json(report.as_dict())
    else:
        _print_outcome(ctx, report, what)
    if report.stopped:
        raise typer.Exit(130)
    if report.undone and not report.dry_run:
        raise typer.Exit(EXIT_PROBLEMS)


def _print_outcome(ctx: typer.Context, report: "SendReport", what: str) -> None:
    if report.marked:
        for code, was in report.marked:
            say(ctx, f"{code}: recorded as sent (was: {was}); nothing was sent")
        return
    if report.dry_run:
        say(ctx, f"dry run: would send {len(report.would_send)} {what}(s): "
                 f"{', '.join(report.would_send) or '-'}")
        say(ctx, "nothing was sent; add --no-dry-run to send (and --no-limit for all)")
    else:
        say(ctx, f"sent {len(report.sent)} {what}(s)")
    if report.already_sent:
        say(ctx, f"already sent before (skipped): {len(report.already_sent)}")
    _print_undone(report)


def _print_undone(report: "SendReport") -> None:
    """What has not gone out, each with what to do about it (on stderr)."""
    if report.uncertain:
        typer.echo(
            f"uncertain (handed to the server when a run stopped, before it answered; not sent "
            f"again): {', '.join(report.uncertain)} - check the mailbox, then --mark-sent CODE "
            "if it arrived or --retry-uncertain to send it again",
            err=True,
        )
    for code, holder in report.busy:
        typer.echo(f"being sent by another run: {code} ({holder}); run again once it has ended",
                   err=True)
    for code, error in report.failed_before:
        typer.echo(f"refused before, not tried again: {code}: {error} - fix the address, then "
                   "--retry-failed", err=True)
    for code, error in report.failed:
        typer.echo(f"failed: {code}: {error}", err=True)
    if report.failures_csv:
        typer.echo(f"failures written to {report.failures_csv}", err=True)
    if report.stopped:
        typer.echo("stopped before the end: run the same command again to go on", err=True)
