"""`bluekit lighting`: replies to the invitations and the list of blue buildings."""

from pathlib import Path
from typing import Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import print_json, report_outputs, say
from bluekit.cli.params import AsJson, Db, Out, load, open_store
from bluekit.errors import BluekitError

commands = command_group(
    help="Replies to the invitations, and the list of blue buildings for the press.\n\n"
    'Example: bluekit lighting record campaigns/2024.yaml Kortrijk --accepted --building "Stadhuis"',
    no_args_is_help=True,
)

Campaign = Annotated[Path, typer.Argument(help="The campaign file (for its year).")]


@commands.command("record")
def record_command(
    ctx: typer.Context,
    campaign_file: Campaign,
    municipality: Annotated[str, typer.Argument(help="REFNIS code or name.")],
    accepted: Annotated[
        bool, typer.Option("--accepted", help="They will light a building.")
    ] = False,
    declined: Annotated[bool, typer.Option("--declined", help="They will not take part.")] = False,
    building: Annotated[str | None, typer.Option(help="The building that will be lit.")] = None,
    lit_from: Annotated[str | None, typer.Option("--from", help="From (HH:MM).")] = None,
    lit_until: Annotated[str | None, typer.Option("--until", help="Until (HH:MM).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why they decline (optional).")] = None,
    db: Db = None,
) -> None:
    """Record a municipality's answer (a later answer replaces an earlier one).

    Example: bluekit lighting record campaigns/2024.yaml Kortrijk --accepted --building "Stadhuis" --from 21:00 --until 01:00
    """
    from bluekit.ledger.lighting import Reply, parse_time, record
    from bluekit.municipalities import registry

    if accepted == declined:
        raise BluekitError("say either --accepted or --declined")
    campaign = load(campaign_file)
    m = registry.find(municipality)
    reply = Reply(
        m,
        accepted,
        building,
        parse_time(lit_from, "--from"),
        parse_time(lit_until, "--until"),
        reason,
    )
    record(open_store(db), campaign.year, reply)
    say(
        ctx,
        f"{m.display_name}: {'accepted' if accepted else 'declined'}"
        + (f" - {building}" if building else ""),
    )


@commands.command("import")
def import_command(
    ctx: typer.Context,
    campaign_file: Campaign,
    file: Annotated[Path, typer.Argument(help="CSV: refnis;status;building;from;until;reason")],
    db: Db = None,
) -> None:
    """Import replies gathered in Excel (all rows or none; importing again changes nothing).

    Example: bluekit lighting import campaigns/2024.yaml replies.csv
    """
    from bluekit.ledger.lighting import import_replies

    campaign = load(campaign_file)
    count = import_replies(open_store(db), campaign.year, file)
    say(ctx, f"{file}: {count} repl{'y' if count == 1 else 'ies'} recorded")


@commands.command("status")
def status_command(
    campaign_file: Campaign,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Invited, accepted, declined and no answer: overall, per region and per province.

    Example: bluekit lighting status campaigns/2024.yaml --json
    """
    from bluekit.ledger.lighting import status
    from bluekit.municipalities import registry

    campaign = load(campaign_file)
    counts = status(open_store(db), campaign.year)
    if as_json:
        print_json(counts)
        return

    def line(name: str, c: dict[str, int]) -> str:
        return (
            f"{name:<34} {c['invited']:>8} {c['accepted']:>9} {c['declined']:>9} "
            f"{c['no_answer']:>10}"
        )

    typer.echo(f"{'':<34} {'invited':>8} {'accepted':>9} {'declined':>9} {'no answer':>10}")
    typer.echo(line(f"all ({campaign.year})", counts["total"]))
    for region, c in counts["regions"].items():
        typer.echo(line(registry.REGION_NAMES[region]["en"], c))
    for province, c in counts["provinces"].items():
        typer.echo(line("  " + province, c))


@commands.command("report")
def report_command(
    ctx: typer.Context,
    campaign_file: Campaign,
    out: Out = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """The list of blue buildings per province (CSV and a press page) and a chart (PNG).

    Written to dist/<year>/lighting/.

    Example: bluekit lighting report campaigns/2024.yaml
    """
    from bluekit.ledger.lighting_report import plan_report
    from bluekit.pipeline.outputs import write_outputs
    from bluekit.workflows.build import default_out_dir

    campaign = load(campaign_file)
    out_dir = out or default_out_dir(campaign)
    report = write_outputs(plan_report(campaign, open_store(db)), out_dir)
    report_outputs(ctx, out_dir, report, as_json)


@commands.command("inbox")
def inbox_command(
    ctx: typer.Context,
    campaign_file: Campaign,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also the replies whose answer is recorded.")
    ] = False,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Replies to the invitations found by `orders fetch`, each with the command to record it.

    A reply leaves the list once its municipality's answer is recorded (`lighting record`).

    Example: bluekit lighting inbox campaigns/2024.yaml
    """
    from bluekit.ledger.lighting_inbox import inbox

    campaign = load(campaign_file)
    found = inbox(open_store(db), campaign.year, recorded=show_all)
    if as_json:
        print_json([reply.as_dict() for reply in found])
        return
    if not found:
        say(ctx, "no replies waiting (`bluekit orders fetch` brings new mail in)")
    record = f"bluekit lighting record {campaign_file}"
    for reply in found:
        when = reply.sent_at.astimezone().strftime("%Y-%m-%d %H:%M") if reply.sent_at else "?"
        typer.echo(f"{reply.code} {reply.municipality} - {reply.sender}, {when}"
                   + (" (recorded)" if reply.recorded else ""))
        typer.echo(f"  {reply.subject}")
        for line in [t for t in reply.text.strip().splitlines() if t.strip()][:8]:
            typer.echo(f"  | {line[:100]}")
        if not reply.recorded:
            typer.echo(f'  yes: {record} {reply.code} --accepted --building "..." '
                       "--from 21:00 --until 01:00")
            typer.echo(f"  no:  {record} {reply.code} --declined")
