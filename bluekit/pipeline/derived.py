"""The derived files of a run (ZIPs, e-mails, JPEGs from their PNGs) waiting for what they read.

One becomes ready when every planned file it reads is on disk. One whose input could not be
made fails with it, named as the reason: it is never made from an older file left from a
previous run.
"""

from __future__ import annotations

from collections.abc import Callable

from bluekit.pipeline.jobs import DerivedJob, PlannedOutput, inputs_of

Derived = tuple[PlannedOutput, DerivedJob, str]  # a derived file, its job and its fingerprint


class DerivedFiles:
    """Which planned files are on disk, which could not be made, and so which derived files
    can be made now. `lost` hears of a derived file that cannot be made, with the files it
    misses."""

    def __init__(self, lost: Callable[[PlannedOutput, list[str]], None]) -> None:
        self.lost = lost
        self.waiting: list[Derived] = []
        self.pending: set[str] = set()  # planned here and not on disk yet
        self.broken: set[str] = set()  # planned here and could not be made
        self.settled = True  # a file was written or failed since ready() last looked

    def expect(self, waiting: list[Derived], planned: set[str]) -> None:
        """The run's derived files, and every file it will make (none is on disk yet)."""
        self.waiting = waiting
        self.pending = planned

    def written(self, path: str) -> None:
        self.pending.discard(path)
        self.settled = True

    def failed(self, path: str) -> None:
        self.pending.discard(path)
        self.broken.add(path)
        self.settled = True

    def ready(self) -> list[Derived]:
        """Take the derived files whose inputs are all on disk; those whose inputs could not be
        made go to `lost`."""
        if not self.settled:  # nothing can have become ready (1,100 derived files to look at)
            return []
        self.settled = False
        chosen = []
        for entry in list(self.waiting):
            needs = inputs_of(entry[1])
            lost = [need for need in needs if need in self.broken]
            if lost:
                self.waiting.remove(entry)
                self.lost(entry[0], lost)
            elif not any(need in self.pending for need in needs):
                self.waiting.remove(entry)
                chosen.append(entry)
        return chosen

    def give_up(self) -> None:
        """Report the derived files still waiting as lost, with what they wait for. Cannot
        happen unless jobs wait on each other in a loop."""
        for item, job, _ in self.waiting:
            self.lost(item, [n for n in inputs_of(job) if n in self.pending or n in self.broken])
        self.waiting = []
