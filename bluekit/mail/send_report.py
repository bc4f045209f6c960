"""What a send run did, message by message: sent, skipped and why, failed and why, and whether
it leaves work undone (then the command does not end with success)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SendReport:
    """What a send run did (or, as a dry run, would do)."""

    dry_run: bool
    sent: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    # handed to the server by a run that stopped before the server answered: outcome unknown
    uncertain: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # in this run: code, reason
    # refused for good by a server in an earlier run: not tried again without --retry-failed
    failed_before: list[tuple[str, str]] = field(default_factory=list)
    # another run is sending it right now: code, who and since when
    busy: list[tuple[str, str]] = field(default_factory=list)
    marked: list[tuple[str, str]] = field(default_factory=list)  # recorded as sent: code, was
    failures_csv: Path | None = None
    stopped: bool = False  # by Ctrl-C or SIGTERM, before the end

    @property
    def undone(self) -> bool:
        """Whether a message this run was asked about has not gone out (or may not have)."""
        return bool(self.failed or self.failed_before or self.uncertain or self.busy
                    or self.stopped)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "sent": self.sent,
            "would_send": self.would_send,
            "already_sent": self.already_sent,
            "uncertain": self.uncertain,
            "failed": [{"code": c, "error": e} for c, e in self.failed],
            "failed_before": [{"code": c, "error": e} for c, e in self.failed_before],
            "busy": [{"code": c, "held_by": h} for c, h in self.busy],
            "marked_sent": [{"code": c, "was": w} for c, w in self.marked],
            "failures_csv": str(self.failures_csv) if self.failures_csv else None,
            "stopped": self.stopped,
            "undone": self.undone,
        }
