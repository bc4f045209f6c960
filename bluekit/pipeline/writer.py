"""Writing the made files: on a few threads, each atomically, and into the manifest once on disk.

Most of a write is waiting for the disk (the fsync that makes it durable), and files written
side by side share that wait. A file counts as made, and goes into the manifest, only once it
is on disk; the manifest itself is saved every few seconds and at the end.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bluekit.files.atomic import write_atomic
from bluekit.pipeline.jobs import PlannedOutput
from bluekit.pipeline.manifest import write_manifest


class Writer:
    """The writes of one run. `written` hears of each file once it is on disk and recorded."""

    SAVE_EVERY = 2.0  # seconds between manifest saves (and one at the end)

    def __init__(
        self, out_dir: Path, manifest: dict[str, Any], written: Callable[[PlannedOutput], None]
    ) -> None:
        self.out_dir = out_dir
        self.manifest = manifest
        self.written = written
        # under way: the file, its fingerprint, size and sha256
        self.writes: dict[cf.Future[int], tuple[PlannedOutput, str, int, str]] = {}
        self.io = cf.ThreadPoolExecutor(max_workers=4, thread_name_prefix="bluekit-write")
        self.saved_at = time.monotonic()
        self.recorded = False  # a file went into the manifest in this run

    @property
    def busy(self) -> bool:
        """Whether writes are under way (or done and not yet recorded)."""
        return bool(self.writes)

    def _write(self, path: Path, content: bytes) -> int:
        write_atomic(path, content)
        return path.stat().st_mtime_ns

    def submit(self, item: PlannedOutput, fingerprint: str, content: bytes) -> None:
        """Start writing a made file."""
        future = self.io.submit(self._write, self.out_dir / item.path, content)
        self.writes[future] = (item, fingerprint, len(content), hashlib.sha256(content).hexdigest())

    def collect(self, wait: bool = False) -> None:
        """Record the writes that are done (all of them with `wait`)."""
        if wait:
            cf.wait(self.writes)
        for future in [f for f in self.writes if f.done()]:
            item, fingerprint, size, digest = self.writes.pop(future)
            mtime_ns = future.result()  # a failed write (disk full) stops the run here
            self.manifest["files"][item.path] = {
                "bytes": size,
                "mtime_ns": mtime_ns,
                "sha256": digest,
                "fingerprint": fingerprint,
                "template": item.job.template,
                "made": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            }
            self.recorded = True
            self.written(item)
        if time.monotonic() - self.saved_at > self.SAVE_EVERY:
            self.save_manifest()

    def save_manifest(self) -> None:
        # saved every few seconds, not after each of 1,900 files: a file written but not yet
        # in the manifest is simply made again by the next run, so an interruption loses nothing
        write_manifest(self.out_dir, self.manifest)
        self.saved_at = time.monotonic()

    def close(self) -> None:
        """Wait for the writes under way, record them, and save the manifest."""
        try:
            cf.wait(self.writes)
            for future in list(self.writes):
                if future.exception() is None:
                    continue
                del self.writes[future]
            self.collect()
        finally:
            self.io.shutdown(wait=True)
            if self.recorded:
                self.save_manifest()
