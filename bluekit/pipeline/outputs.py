"""The output pipeline every generator shares: planned files in, rendered files and a manifest out.

Generators (posters, social kits, invitations...) only describe the files they will produce as
`PlannedOutput`s. This module renders them in parallel, writes each atomically, and records it in
`<out>/manifest.json` with its size, its sha256 and the fingerprint of everything it was made
from. A file whose fingerprint and content are unchanged is not rendered again, so a second run
with nothing changed renders nothing and a changed text re-renders only the files that use it.

The parts: `jobs` (what is planned), `manifest`, `pool` (the rendering processes), `scheduler`
(where and when each file is made), `run` and `derived` (what became of each), `writer`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bluekit.errors import OutputError
from bluekit.files.atomic import remove_stale_temporaries
from bluekit.pipeline import scheduler
from bluekit.pipeline.jobs import PlannedOutput
from bluekit.pipeline.manifest import MANIFEST, read_manifest, unchanged_on_disk, write_manifest
from bluekit.pipeline.pool import RenderPool
from bluekit.pipeline.report import BuildFailed, BuildReport, ProgressCallback
from bluekit.pipeline.run import Run


def write_outputs(
    planned: Sequence[PlannedOutput],
    out_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    pool: RenderPool | None = None,
    record: dict[str, Any] | None = None,
) -> BuildReport:
    """Render every planned file that is missing or out of date into `out_dir`, in `pool`'s
    processes if given (see early_pool), else in processes of its own.

    Files are written atomically and recorded in the manifest once on disk, so an interrupted
    run keeps everything finished so far and the next run picks up the rest. Raises BuildFailed
    after writing all the others if any file could not be made. `record` (what a complete build
    was made from) is kept in the manifest with the planned files once every one was made; any
    other run into the folder drops the record.
    """
    seen: set[str] = set()
    for item in planned:
        if item.path in seen:
            raise OutputError(f"two planned outputs share the path {item.path!r}")
        seen.add(item.path)

    # what a run killed while it wrote left behind (its temporary files) goes first
    for folder in {(out_dir / item.path).parent for item in planned} | {out_dir}:
        remove_stale_temporaries(folder)
    manifest = read_manifest(out_dir)
    report = BuildReport()
    started = time.monotonic()
    todo = _out_of_date(planned, out_dir, manifest["files"], force, report, progress)
    # the record stays only if this run ends complete: not in a manifest saved along the way
    previous = manifest.pop("build", None)
    run = Run(out_dir, manifest, report, progress)
    try:
        scheduler.execute(run, todo, jobs, pool)
    finally:
        run.close()
    wanted = None
    if record is not None and not report.failed:  # a complete build: its record is true
        wanted = {**record, "files": [item.path for item in planned]}
    _save_record(out_dir, manifest, wanted, previous, changed=bool(report.rendered))
    report.seconds = time.monotonic() - started
    if report.failed:
        raise BuildFailed(report)
    return report


def _out_of_date(
    planned: Sequence[PlannedOutput],
    out_dir: Path,
    files: dict[str, Any],
    force: bool,
    report: BuildReport,
    progress: ProgressCallback | None,
) -> list[tuple[PlannedOutput, str]]:
    """The planned files to make, each with its fingerprint; the others are reported unchanged."""
    todo: list[tuple[PlannedOutput, str]] = []
    for item in planned:
        fingerprint = item.job.fingerprint()
        entry = files.get(item.path)
        target = out_dir / item.path
        up_to_date = (
            not force
            and entry is not None
            and entry.get("fingerprint") == fingerprint
            and unchanged_on_disk(target, entry)
        )
        if up_to_date:
            report.unchanged.append(item.path)
            if progress:
                progress(item.path, "unchanged")
        else:
            todo.append((item, fingerprint))
    return todo


def _save_record(
    out_dir: Path, manifest: dict[str, Any], wanted: dict[str, Any] | None,
    previous: dict[str, Any] | None, *, changed: bool,
) -> None:
    """Keep the build's record in the manifest (or leave an old one out), and make sure the
    folder has a manifest; written only when it differs from what is on disk."""
    if wanted:
        manifest["build"] = wanted
    if not changed and wanted == previous and (out_dir / MANIFEST).exists():
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    write_manifest(out_dir, manifest)
