"""`bluekit social`: the social-media kits, and the profile-picture frame."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bluekit.campaign.load import load_campaign
from bluekit.kit.frame import frame_photo
from bluekit.kit.social import SocialOptions, plan_social
from bluekit.pipeline.outputs import write_outputs
from bluekit.workflows.build import default_out_dir

from . import app, default_command_group, progress_bar, report_outputs, say

social_app = typer.Typer(
    cls=default_command_group("kit"),
    help="Social-media kits per language, and the Blue Heart profile-picture frame.\n\n"
    "Example: bluekit social campaigns/2024.yaml --lang nl,fr",
    no_args_is_help=True,
)
app.add_typer(social_app, name="social")


def _split(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(p.strip().lower() for p in value.split(",") if p.strip())


@social_app.command("kit")
def kit(
    ctx: typer.Context,
    campaign_file: Annotated[Path, typer.Argument(help="The campaign file.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="Languages, e.g. nl,fr (default: all).")
    ] = None,
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
    out: Annotated[Path | None, typer.Option("--out", help="Default: dist/<year>.")] = None,
    jobs: Annotated[int | None, typer.Option(help="Parallel renders (default: cores).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Render even if up to date.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Report as JSON.")] = False,
) -> None:
    """Make the social-media kit of each language: images, posts, scheduler files, ZIP.

    Every post is checked against its platform's own counting rule (X: 280 weighted, links 23;
    Bluesky: 300 graphemes; Mastodon: 500, links 23; ...); a post over the limit stops the build.

    Example: bluekit social campaigns/2024.yaml --lang nl --platform x,instagram
    """
    campaign = load_campaign(campaign_file)
    options = SocialOptions(languages=_split(lang), platforms=_split(platform), base_url=base_url)
    planned = plan_social(campaign, options)
    out_dir = out or default_out_dir(campaign)
    with progress_bar(ctx, len(planned), "social kits") as progress:
        report = write_outputs(planned, out_dir, jobs=jobs, force=force, progress=progress)
    report_outputs(ctx, out_dir, report, as_json)


@social_app.command("frame")
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
    path = frame_photo(photo, out, overwrite=force)
    say(ctx, f"wrote {path}")
