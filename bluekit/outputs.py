"""The output pipeline every generator shares: planned files in, rendered files and a manifest out.

Generators (posters, social kits, invitations...) only describe the files they will produce as
`PlannedOutput`s. This module renders them in parallel, writes each atomically, and records it in
`<out>/manifest.json` with its size, its sha256 and the fingerprint of everything it was made
from. A file whose fingerprint and content are unchanged is not rendered again, so a second run
with nothing changed renders nothing and a changed text re-renders only the files that use it.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from . import __version__
from .atomic import write_atomic
from .errors import BluekitError, OutputError
from .render import Job, render

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
STORED_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".pdf", ".zip"})


@dataclass(frozen=True)
class StaticJob:
    """A file whose content is made while planning (texts, CSV, HTML): no renderer needed."""

    content: bytes
    label: str = ""
    template: str = "static"

    def fingerprint(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ZipJob:
    """A ZIP of other planned files, made after them; the same members give the same bytes."""

    members: tuple[tuple[str, str, str], ...]  # (name in the archive, path in out dir, fingerprint)
    label: str = ""
    template: str = "zip"

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(["zip-v2", self.members]).encode()).hexdigest()

    def build(self, out_dir: Path) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, path, _ in self.members:
                try:
                    content = (out_dir / path).read_bytes()
                except FileNotFoundError:
                    raise OutputError(
                        f"{self.label}: {path} is missing, the ZIP cannot be made"
                    ) from None
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                # Images and PDFs are compressed already: deflating them again costs seconds
                # and saves nothing.
                stored = PurePosixPath(name).suffix.lower() in STORED_SUFFIXES
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, content)
        return buffer.getvalue()


@dataclass(frozen=True)
class LazyJob:
    """A file made in this process only when it must be written, from inputs summed up in
    `key`: planning stays cheap when nothing changed (e.g. 565 calendar files)."""

    key: str
    make: Callable[[], bytes]
    label: str = ""
    template: str = "lazy"

    def fingerprint(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()

    def build(self, out_dir: Path) -> bytes:
        return self.make()


class DerivedJob(Protocol):
    """A file made from other planned files after they are written (a ZIP, an e-mail with its
    attachments): built in this process, last."""

    label: str
    template: str

    def fingerprint(self) -> str: ...

    def build(self, out_dir: Path) -> bytes: ...


AnyJob = Job | StaticJob | DerivedJob


@dataclass(frozen=True)
class PlannedOutput:
    """A file a generator wants: its path inside the output folder and the job that makes it."""

    path: str  # POSIX path relative to the output folder, e.g. "posters/poster-A3-nl.pdf"
    job: AnyJob

    def __post_init__(self) -> None:
        pure = PurePosixPath(self.path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise ValueError(f"output path must stay inside the output folder: {self.path!r}")


@dataclass
class BuildReport:
    """What a run did: files rendered, files already up to date, and failures."""

    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, BluekitError]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rendered": self.rendered,
            "unchanged": self.unchanged,
            "failed": [{"path": p, "error": str(e)} for p, e in self.failed],
            "seconds": round(self.seconds, 2),
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


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest of an output folder (an empty one if there is none or it is unreadable)."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"version": MANIFEST_VERSION, "files": {}}
    if manifest.get("version") != MANIFEST_VERSION or not isinstance(manifest.get("files"), dict):
        return {"version": MANIFEST_VERSION, "files": {}}
    return manifest


def _unchanged_on_disk(path: Path, entry: dict[str, Any]) -> bool:
    """The file is still what bluekit wrote: same size and modification time as recorded (as
    make and git judge it), or, when the time differs, the same sha256."""
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size != entry.get("bytes"):
        return False
    if stat.st_mtime_ns == entry.get("mtime_ns"):
        return True
    return _sha256(path) == entry.get("sha256")


def _needs(job: Any) -> tuple[str, ...]:
    """The planned files a derived job reads (its `needs`, or a ZIP's members)."""
    if isinstance(job, ZipJob):
        return tuple(path for _, path, _ in job.members)
    return tuple(getattr(job, "needs", ()))


def _write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    manifest["generator"] = f"bluekit {__version__}"
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(out_dir / MANIFEST, text.encode("utf-8"))


def _render_one(job: Job) -> bytes:
    """Run in a worker process: the Typst compiler and fonts are loaded once per process."""
    return render(job)


ProgressCallback = Callable[[str, str], None]  # (path, "rendered" | "unchanged" | "failed")


def write_outputs(
    planned: Sequence[PlannedOutput],
    out_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Render every planned file that is missing or out of date into `out_dir`.

    Files are written atomically and the manifest is updated after each one, so an interrupted
    run keeps everything finished so far and the next run picks up the rest. Raises BuildFailed
    after writing all the others if any file could not be made.
    """
    seen: set[str] = set()
    for item in planned:
        if item.path in seen:
            raise OutputError(f"two planned outputs share the path {item.path!r}")
        seen.add(item.path)

    manifest = read_manifest(out_dir)
    files: dict[str, Any] = manifest["files"]
    report = BuildReport()
    started = time.monotonic()
    todo: list[tuple[PlannedOutput, str]] = []
    for item in planned:
        fingerprint = item.job.fingerprint()
        entry = files.get(item.path)
        target = out_dir / item.path
        up_to_date = (
            not force
            and entry is not None
            and entry.get("fingerprint") == fingerprint
            and _unchanged_on_disk(target, entry)
        )
        if up_to_date:
            report.unchanged.append(item.path)
            if progress:
                progress(item.path, "unchanged")
        else:
            todo.append((item, fingerprint))

    # The manifest is saved at most every two seconds and at the end: saving it after each of
    # 1,900 files would cost more than making them. A file written but not yet in the manifest
    # is simply made again by the next run, so an interruption loses nothing.
    saved = {"at": time.monotonic()}

    def save_manifest(force_now: bool = False) -> None:
        if force_now or time.monotonic() - saved["at"] > 2.0:
            _write_manifest(out_dir, manifest)
            saved["at"] = time.monotonic()

    def finish(item: PlannedOutput, fingerprint: str, content: bytes) -> None:
        target = out_dir / item.path
        write_atomic(target, content)
        files[item.path] = {
            "bytes": len(content),
            "mtime_ns": target.stat().st_mtime_ns,
            "sha256": hashlib.sha256(content).hexdigest(),
            "fingerprint": fingerprint,
            "template": item.job.template,
            "made": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }
        save_manifest()
        report.rendered.append(item.path)
        if progress:
            progress(item.path, "rendered")

    def failed(item: PlannedOutput, error: BluekitError) -> None:
        report.failed.append((item.path, error))
        if progress:
            progress(item.path, "failed")

    # Typst renders go to the process pool. Meanwhile this process writes the planned texts,
    # makes the files that need nothing else (calendar files), and makes each derived file (a
    # ZIP, an e-mail with its letters attached) as soon as the files it reads are written.
    static = [(i, f) for i, f in todo if isinstance(i.job, StaticJob)]
    derived = [(i, f) for i, f in todo if hasattr(i.job, "build")]
    rendered = [(i, f) for i, f in todo if isinstance(i.job, Job)]
    pending = {i.path for i, _ in rendered} | {i.path for i, _ in derived}

    def build_ready(final: bool = False) -> None:
        """Make the derived files whose inputs are all written (all of them at the end)."""
        for pair in list(derived):
            item, fingerprint = pair
            if not final and any(need in pending for need in _needs(item.job)):
                continue
            derived.remove(pair)
            try:
                content = item.job.build(out_dir)  # type: ignore[union-attr]
            except BluekitError as error:
                failed(item, error)
            else:
                finish(item, fingerprint, content)
            pending.discard(item.path)

    def rendered_one(item: PlannedOutput, fingerprint: str, result: Callable[[], bytes]) -> None:
        try:
            content = result()
        except BluekitError as error:
            failed(item, error)
        else:
            finish(item, fingerprint, content)
        pending.discard(item.path)

    try:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(rendered)))
        if workers == 1 or len(rendered) < 3:
            for item, fingerprint in static:
                finish(item, fingerprint, item.job.content)  # type: ignore[union-attr]
            for item, fingerprint in rendered:
                rendered_one(item, fingerprint, partial(_render_one, item.job))  # type: ignore[arg-type]
                build_ready()
        else:
            # "spawn", not "fork": a forked child would inherit the parent's Typst compiler with
            # its Rust threads and locks in an undefined state, and hang. Spawn is also what
            # Windows does, so every platform behaves the same.
            context = multiprocessing.get_context("spawn")
            with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = {
                    pool.submit(_render_one, item.job): (item, fp)  # type: ignore[arg-type]
                    for item, fp in rendered
                }
                try:
                    for item, fingerprint in static:
                        finish(item, fingerprint, item.job.content)  # type: ignore[union-attr]
                    build_ready()
                    waiting = set(futures)
                    while waiting:
                        done, waiting = cf.wait(waiting, return_when=cf.FIRST_COMPLETED)
                        for future in done:
                            item, fingerprint = futures[future]
                            rendered_one(item, fingerprint, future.result)
                        build_ready()
                except cf.process.BrokenProcessPool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise OutputError(
                        "a rendering process stopped unexpectedly (out of memory?)",
                        hint="run again with --jobs 1; the files finished so far are kept",
                    ) from None
                except BaseException:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        build_ready(final=True)
    finally:
        if report.rendered:
            save_manifest(force_now=True)
    if not (out_dir / MANIFEST).exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_manifest(out_dir, manifest)
    report.seconds = time.monotonic() - started
    if report.failed:
        raise BuildFailed(report)
    return report
