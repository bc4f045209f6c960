"""`bluekit build`: everything the campaign sends out, from one campaign file, in one run.

The build plans every generator's files (`plan`) and hands them to the one output pipeline, so a
second build with nothing changed renders nothing; and when nothing at all changed since the last
complete build, it does not even plan (`up_to_date`). The campaign model, the generators and
the renderer are loaded only once it is clear there is work to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bluekit.pipeline.report import BuildReport, ProgressCallback
from bluekit.workflows.up_to_date import file_digest, record_for, unchanged_build

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.pipeline.pool import RenderPool


def default_out_dir(campaign: Campaign) -> Path:
    """dist/<year>, relative to the current folder."""
    return Path("dist") / str(campaign.year)


ProgressFactory = Callable[[int], AbstractContextManager[ProgressCallback | None]]


def build(
    campaign_path: Path,
    out_dir: Path | None = None,
    *,
    contacts: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: ProgressFactory | None = None,
    check_links: bool = False,
    output_intent: Path | None = None,
) -> tuple[Path, BuildReport]:
    """Validate the campaign file, then render every planned file that is out of date; returns
    the output folder and what was done. When nothing changed since the last complete build into
    the folder, nothing is planned at all (see `up_to_date`).

    With `check_links`, the addresses of the QR codes are checked first and nothing is written
    while one is dead (a printed QR code cannot be corrected); off by default, so the build
    works without internet. `progress(total)` gives the callback of a progress bar.

    The print PDFs get `output_intent` (a print shop's ICC profile; default bluekit's FOGRA39)
    and the campaign file's date (or SOURCE_DATE_EPOCH); the posters made are preflighted, and
    `PreflightFailed` names those a print shop would refuse (they are written all the same)."""
    fresh = force or check_links or output_intent is not None
    if not fresh and (done := unchanged_build(campaign_path, out_dir, contacts)):
        return done
    from bluekit.campaign.load import load_campaign
    from bluekit.kit.invitations.invitees import contacts_path
    from bluekit.kit.posters import PosterOptions, print_date
    from bluekit.pipeline.outputs import write_outputs
    from bluekit.pipeline.pool import early_pool
    from bluekit.workflows.plan import plan_build

    campaign_digest = file_digest(campaign_path)  # before the build reads it
    campaign = load_campaign(campaign_path)
    if check_links:
        from bluekit.links.report import require_live_qr_targets  # requests: only to go online

        require_live_qr_targets(campaign, campaign_path)
    out = out_dir or default_out_dir(campaign)
    record = record_for(
        campaign_digest, contacts_path(campaign_path, campaign, contacts), out, contacts,
        output_intent,
    )
    posters = PosterOptions(output_intent=output_intent, created=print_date(campaign_path))
    with early_pool(out, jobs, force) as pool:  # the processes start while the kit is planned
        planned = plan_build(campaign, campaign_path, contacts, posters)
        with (progress or _no_progress)(len(planned)) as callback:
            report = write_outputs(
                planned, out, jobs=jobs, force=force, progress=callback, pool=pool, record=record
            )
        preflight_made(out, report, pool)
    return out, report


def preflight_made(out: Path, report: BuildReport, pool: RenderPool | None) -> None:
    """Preflight the print posters this run made (in the rendering processes when there are
    some, two at a time); raises `PreflightFailed` naming those that fail."""
    from bluekit.preflight.checks import PreflightFailed, is_print_poster, preflight_file

    made = [out / path for path in report.rendered if is_print_poster(Path(path).name)]
    if pool is not None and len(made) > 1:
        results = list(pool.executor.map(preflight_file, made))
    else:
        results = [preflight_file(path) for path in made]
    report.preflighted = [str(result.path.relative_to(out)) for result in results]
    failed = [result for result in results if not result.ok]
    if failed:
        raise PreflightFailed(failed)


@contextmanager
def _no_progress(total: int) -> Iterator[None]:
    yield None
