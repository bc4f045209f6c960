"""One run of the pipeline, file by file: what became of each (written, or failed and why),
kept in the report, told to the progress callback, and passed on to the derived files that
wait for it.

The scheduler (`bluekit.pipeline.scheduler`) decides where and when each file is made; this is
where the result of making one arrives.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bluekit.errors import BluekitError, OutputError
from bluekit.pipeline.derived import DerivedFiles
from bluekit.pipeline.jobs import PlannedOutput
from bluekit.pipeline.report import BuildReport, ProgressCallback
from bluekit.pipeline.writer import Writer


class Run:
    """The outcomes of one run: made files go to the writer, failures to the report, and both
    to the derived files that wait for them."""

    def __init__(
        self,
        out_dir: Path,
        manifest: dict[str, Any],
        report: BuildReport,
        progress: ProgressCallback | None,
    ):
        self.out_dir = out_dir
        self.report = report
        self.progress = progress
        self.writer = Writer(out_dir, manifest, self._written)
        self.derived = DerivedFiles(self._not_made)

    def outcome(self, item: PlannedOutput, fingerprint: str, result: Callable[[], bytes]) -> None:
        """Make a file with `result` (or take the result a process gave) and write it; a file
        that could not be made is reported and the run goes on."""
        try:
            content = result()
        except BluekitError as error:
            self.failed(item, error)
        except (cf.process.BrokenProcessPool, cf.CancelledError):
            raise
        except Exception as exc:  # one file's unexpected failure does not stop the others
            self.failed(item, OutputError(
                f"{item.job.label or item.path}: could not be made "
                f"({exc.__class__.__name__}: {exc})",
                hint="run again with --debug to see where; the other files were written",
            ))
        else:
            self.writer.submit(item, fingerprint, content)

    def _written(self, item: PlannedOutput) -> None:
        self.derived.written(item.path)
        self.report.rendered.append(item.path)
        if self.progress:
            self.progress(item.path, "rendered")

    def failed(self, item: PlannedOutput, error: BluekitError) -> None:
        self.derived.failed(item.path)
        self.report.failed.append((item.path, error))
        if self.progress:
            self.progress(item.path, "failed")

    def _not_made(self, item: PlannedOutput, missing: list[str]) -> None:
        self.failed(item, OutputError(
            f"{item.job.label or item.path}: not made, as {', '.join(missing)} could not be made"
        ))

    def close(self) -> None:
        """Wait for the writes under way, record them, and save the manifest."""
        self.writer.close()
