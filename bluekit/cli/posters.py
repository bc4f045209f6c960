"""`bluekit posters`: the poster set, or a selection of it."""

from typing import Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import progress_bar, report_outputs
from bluekit.cli.params import CampaignFile, OutputIntentFile, Rendering, load, with_options


def split_list(value: str | None, upper: bool = False) -> tuple[str, ...] | None:
    """'nl, fr' -> ('nl', 'fr'); None stays None (the command's default)."""
    if value is None:
        return None
    parts = tuple(p.strip() for p in value.split(",") if p.strip())
    return tuple(p.upper() for p in parts) if upper else tuple(p.lower() for p in parts)


Languages = Annotated[
    str | None, typer.Option("--lang", help="Languages, e.g. nl,fr (default: all).")
]


commands = command_group()


@commands.command()
@with_options(rendering=Rendering)
def posters(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    lang: Languages = None,
    size: Annotated[str, typer.Option("--size", help="Sizes: A4, A3, A2.")] = "A4,A3,A2",
    fmt: Annotated[str, typer.Option("--format", help="Formats: pdf, png, jpg.")] = "pdf,png,jpg",
    dpi: Annotated[int, typer.Option(help="Resolution of PNG and JPEG images.")] = 150,
    municipality: Annotated[
        str | None,
        typer.Option(help="Co-brand for a municipality (code or name), in its language(s)."),
    ] = None,
    bilingual: Annotated[
        bool, typer.Option("--bilingual/--no-bilingual", help="Also the nl/fr Brussels poster.")
    ] = True,
    screen: Annotated[
        bool, typer.Option("--screen/--no-screen", help="Also the 1920x1080 screen version.")
    ] = True,
    web: Annotated[
        bool, typer.Option("--web/--no-web", help="Also the accessible A4 web version (PDF/UA-1).")
    ] = True,
    utm: Annotated[
        bool, typer.Option("--utm/--no-utm", help="Tracking parameters in the QR code's URL.")
    ] = True,
    output_intent: OutputIntentFile = None,
    *,
    rendering: Rendering,
) -> None:
    """Make the "Maak mensenhandel zichtbaar" posters: print PDF and images.

    One poster per language plus the bilingual nl/fr poster, each as a print PDF (3 mm bleed,
    crop marks, CMYK) and as PNG/JPEG, plus a 1920x1080 version for screens and an accessible
    A4 web version (tagged PDF/UA-1) for websites and e-mail.

    Example: bluekit posters campaigns/2024.yaml --lang nl,fr --size A3 --municipality Kortrijk
    """
    from bluekit.kit.posters import PosterOptions, plan_posters, print_date
    from bluekit.municipalities import registry
    from bluekit.pipeline.outputs import write_outputs

    campaign = load(campaign_file)
    options = PosterOptions(
        languages=split_list(lang),
        sizes=split_list(size, upper=True) or (),
        formats=split_list(fmt) or (),
        dpi=dpi,
        municipality=registry.find(municipality) if municipality else None,
        bilingual=bilingual,
        screen=screen,
        web=web,
        utm=utm,
        output_intent=output_intent,
        created=print_date(campaign_file),
    )
    planned = plan_posters(campaign, options)
    out_dir = rendering.out_dir(campaign)
    with progress_bar(ctx, len(planned), "posters") as progress:
        report = write_outputs(
            planned, out_dir, jobs=rendering.jobs, force=rendering.force, progress=progress
        )
    report_outputs(ctx, out_dir, report, rendering.as_json)
