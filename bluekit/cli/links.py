"""`bluekit links`: every web address of the campaign, checked before anything is printed or
sent."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import options, print_json, progress_bar
from bluekit.cli.params import AsJson, CampaignFile
from bluekit.errors import EXIT_PROBLEMS

if TYPE_CHECKING:  # imported inside the commands: bluekit starts faster
    from bluekit.links.check import LinkResult
    from bluekit.links.collect import Usage


def _usage_line(usage: "Usage") -> str:
    posters = f" ({', '.join(usage.posters)})" if usage.posters else ""
    return f"    used at {usage.location} {usage.field}: {usage.what}{posters}"


def _rows(result: "LinkResult", verbose: bool) -> list[str]:
    """The table row of one address, and below it what is worth knowing about it."""
    code = str(result.code) if result.code is not None else "-"
    lines = [f"{result.status:<10} {code:>4} {result.elapsed:6.2f}s  {result.url}"]
    for hop in result.redirects:
        kind = "permanent" if hop.permanent else "temporary"
        lines.append(f"    {hop.code} ({kind}) -> {hop.location}")
    if result.error:
        lines.append(f"    {result.error}")
    if result.suggestion:
        fields = ", ".join(dict.fromkeys(f"{u.field} ({u.location})" for u in result.link.usages))
        lines.append(f"    moved: write {result.suggestion} for {fields}")
    if result.note:
        lines.append(f"    note: {result.note}")
    if result.status == "dead" or verbose:
        lines.extend(_usage_line(usage) for usage in result.link.usages)
    return lines


commands = command_group()


@commands.command()
def links(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    as_json: AsJson = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for a connection, and for an answer.")
    ] = 10.0,
    retries: Annotated[
        int,
        typer.Option(
            min=0, max=10, help="Retries after a rate limit, server error or dropped connection."
        ),
    ] = 2,
    backoff: Annotated[
        float,
        typer.Option(min=0, help="Seconds before the first retry; doubled for each next one."),
    ] = 1.0,
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="Addresses checked at the same time.")
    ] = 8,
) -> None:
    """Check every web address of the campaign: QR codes, posts, e-mails, sites, texts.

    The QR code targets exactly as printed (with their tracking parameters, per language and
    size), the links of the social posts and the invitation e-mails, the reporting point, the
    centres' and the organisation's sites, the social kit's address and any address written in a
    text. Each address is asked for once (HEAD, or GET where HEAD is refused); redirects are
    followed and shown, and a permanent one names the new address to write in the campaign file.

    Exit code 0: every address works (redirects are only reported); 1: an address is dead (each
    is listed with the line of the campaign file it comes from); 2: the file cannot be used.

    Example: bluekit links campaigns/2024.yaml
    """
    from bluekit.links.check import check_links
    from bluekit.links.collect import load_links
    from bluekit.links.report import summary
    from bluekit.links.settings import CheckSettings

    found = load_links(campaign_file)
    settings = CheckSettings(timeout=timeout, retries=retries, backoff=backoff, workers=workers)
    with progress_bar(ctx, len(found), "checking links") as bar:
        results = check_links(
            found, settings, progress=(lambda r: bar(r.url, r.status)) if bar else None
        )
    counts = summary(results)
    if as_json:
        print_json(
            {"file": str(campaign_file), "summary": counts,
             "links": [r.as_dict() for r in results]}
        )
    else:
        _print_results(ctx, campaign_file, results, counts)
    if counts["dead"]:
        raise typer.Exit(EXIT_PROBLEMS)


def _print_results(
    ctx: typer.Context, campaign_file: Path, results: "list[LinkResult]", counts: dict[str, int]
) -> None:
    """The table (only the dead addresses with --quiet) and the counts."""
    opts = options(ctx)
    if not opts.quiet:
        typer.echo(f"{'status':<10} {'code':>4} {'time':>7}  address")
    for result in results:
        if opts.quiet and result.status != "dead":
            continue
        typer.echo("\n".join(_rows(result, opts.verbose)))
    dead = counts["dead"]
    line = (
        f"{campaign_file}: {counts['checked']} addresses checked: {counts['ok']} ok, "
        f"{counts['redirected']} redirected, {dead} dead"
    )
    if not dead:
        if not opts.quiet:
            typer.echo(line)
        return
    typer.echo(f"{line} - fix the addresses named above and run `bluekit links` again", err=True)
    if dead == len(results) and all(r.code is None for r in results):
        typer.echo(
            "  hint: no address answered at all: is this computer online "
            "(or behind a proxy that needs HTTPS_PROXY)?",
            err=True,
        )
