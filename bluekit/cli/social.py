"""`bluekit social`: the social-media kits, and the profile-picture frame."""

from pathlib import Path
from typing import Annotated

import typer

from bluekit.cli.groups import command_group, default_command_group
from bluekit.cli.output import progress_bar, report_outputs, say
from bluekit.cli.params import CampaignFile, Rendering, load, with_options
from bluekit.cli.posters import Languages, split_list

commands = command_group(
    cls=default_command_group("kit"),
    help="Social-media kits per language, and the Blue Heart profile-picture frame.\n\n"
    "Example: bluekit social campaigns/2024.yaml --lang nl,fr",
    no_args_is_help=True,
)


@commands.command("kit")
@with_options(rendering=Rendering)
def kit(
    ctx: typer.Context,
    campaign_file: CampaignFile,
    lang: Languages = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            help="Platforms: facebook, instagram, x, linkedin, bluesky, mastodon (default: all).",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="Where the kit will be hosted (image URLs of the scheduler files)."),
    ] = None,
    *,
    rendering: Rendering,
) -> None:
    """Make the social-media kit of each language: images, posts, scheduler files, ZIP.

    Every post is checked against its platform's own counting rule (X: 280 weighted, links 23;
    Bluesky: 300 graphemes; Mastodon: 500, links 23; ...); a post over the limit stops the build.

    Example: bluekit social campaigns/2024.yaml --lang nl --platform x,instagram
    """
    from bluekit.kit.social import SocialOptions, plan_social
    from bluekit.pipeline.outputs import write_outputs

    campaign = load(campaign_file)
    options = SocialOptions(
        languages=split_list(lang), platforms=split_list(platform), base_url=base_url
    )
    planned = plan_social(campaign, options)
    out_dir = rendering.out_dir(campaign)
    with progress_bar(ctx, len(planned), "social kits") as progress:
        report = write_outputs(
            planned, out_dir, jobs=rendering.jobs, force=rendering.force, progress=progress
        )
    report_outputs(ctx, out_dir, report, rendering.as_json)


@commands.command("frame")
def frame(
    ctx: typer.Context,
    photo: Annotated[Path, typer.Argument(help="A photo (JPEG or PNG).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Default: <photo>-blueheart.png.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Put the Blue Heart frame on a photo: centred square crop, 1080x1080 PNG.

    Example: bluekit social frame portrait.jpg
    """
    from bluekit.kit.frame import frame_photo

    path = frame_photo(photo, out, overwrite=force)
    say(ctx, f"wrote {path}")
