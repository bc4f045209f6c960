"""What a run of the pipeline did, file by file: made, already up to date, or failed.

The report is kept while the run goes on and handed to the caller at the end (or inside
`BuildFailed`); the progress callback hears of each file as it is settled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bluekit.errors import BluekitError, OutputError

ProgressCallback = Callable[[str, str], None]  # (path, "rendered" | "unchanged" | "failed")


@dataclass
class BuildReport:
    """What a run did: files rendered, files already up to date, and failures."""

    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, BluekitError]] = field(default_factory=list)
    seconds: float = 0.0
    preflighted: list[str] = field(default_factory=list)  # print PDFs checked after the run

    def as_dict(self) -> dict[str, Any]:
        return {
            "rendered": self.rendered,
            "unchanged": self.unchanged,
            "failed": [{"path": p, "error": str(e)} for p, e in self.failed],
            "seconds": round(self.seconds, 2),
            "preflighted": self.preflighted,
        }


class BuildFailed(OutputError):
    """One or more planned files could not be made; the others were written."""

    def __init__(self, report: BuildReport):
        lines = [str(error) for _, error in report.failed]
        super().__init__(
            f"{len(report.failed)} file(s) could not be made:\n" + "\n".join(lines),
            hint="fix what is named above and build again; the other files were written",
        )
        self.report = report
