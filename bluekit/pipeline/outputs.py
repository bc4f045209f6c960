"""The output pipeline every generator shares: planned files in, rendered files and a manifest out.

Generators (posters, social kits, invitations...) only describe the files they will produce as
`PlannedOutput`s. This module renders them in parallel, writes each atomically, and records it in
`<out>/manifest.json` with its size, its sha256 and the fingerprint of everything it was made
from. A file whose fingerprint and content are unchanged is not rendered again, so a second run
with nothing changed renders nothing and a changed text re-renders only the files that use it.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import signal
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from bluekit import __version__
from bluekit.errors import BluekitError, OutputError
from bluekit.files.atomic import write_atomic
from bluekit.pipeline.memory import Trimmer
from bluekit.pipeline.render import Job, render, warm_up

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


_HEAVY: Any = None  # in a rendering process: the lock that lets one large raster at a time
_TRIMMER = Trimmer()  # in a rendering process: gives the memory of large rasters back


def _in_worker(heavy: bool, work: Callable[[], bytes]) -> bytes:
    """Run a job in a rendering process. A large raster runs under the lock shared by the
    processes, and the memory it took is handed back before the lock is released, so the next
    large raster, in whichever process, starts with the previous one's memory returned."""
    with _HEAVY if heavy and _HEAVY is not None else contextlib.nullcontext():
        try:
            return work()
        finally:
            _TRIMMER.after_job()


def _render_one(job: Job) -> bytes:
    """Run in a worker process: the Typst compiler and fonts are loaded once per process."""
    return _in_worker(job.heavy, partial(render, job))


ProgressCallback = Callable[[str, str], None]  # (path, "rendered" | "unchanged" | "failed")


def spread_heavy(rendered: list[tuple[PlannedOutput, str]]) -> list[tuple[PlannedOutput, str]]:
    """The renders with the large rasters spread evenly among the others: as they are made one
    at a time, a process that would wait for one finds other work instead."""
    heavy = [pair for pair in rendered if pair[0].job.heavy]  # type: ignore[union-attr]
    light = [pair for pair in rendered if not pair[0].job.heavy]  # type: ignore[union-attr]
    if not heavy or not light:
        return rendered
    step = max(1, len(light) // len(heavy))
    result: list[tuple[PlannedOutput, str]] = []
    for index, pair in enumerate(heavy):
        result.append(pair)
        result += light[index * step : (index + 1) * step]
    return result + light[len(heavy) * step :]


def _worker_start(heavy: Any = None) -> None:
    """A rendering process leaves Ctrl-C to bluekit itself, which stops the run cleanly (and
    the processes with it), instead of each printing its own traceback. `heavy` is the lock
    shared by the processes for large rasters."""
    global _HEAVY
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _HEAVY = heavy


def _process_count(jobs: int | None) -> int:
    """How many rendering processes: `--jobs`, else one per core."""
    return jobs or os.cpu_count() or 1


class RenderPool:
    """The rendering processes, one per core. A first build starts them before it plans, so
    that their start (Python, Typst, the fonts: half a second each) overlaps the planning
    instead of following it; otherwise the pipeline starts its own when it has renders to do.
    A context manager: leaving it waits for the processes to end."""

    def __init__(self, workers: int) -> None:
        # "spawn", not "fork": a forked child would inherit the parent's Typst compiler with
        # its Rust threads and locks in an undefined state, and hang. Spawn is also what
        # Windows does, so every platform behaves the same.
        context = multiprocessing.get_context("spawn")
        self.workers = workers
        self.executor = cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_worker_start,
            initargs=(context.Lock(),),
        )

    def warm_up(self) -> RenderPool:
        """Start every process now (the executor starts one per task submitted). They start
        with Ctrl-C blocked, which they inherit, so that a Ctrl-C while they load is bluekit's
        alone to handle (instead of each process printing a traceback of its imports); here it
        is only held back while they are launched, then handled."""
        # POSIX only: Windows has no signal masks (its workers get Ctrl-C as they load)
        block = hasattr(signal, "pthread_sigmask")
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if block else None
        try:
            for _ in range(self.workers):
                self.executor.submit(warm_up)
        finally:
            if previous is not None:  # as it was: a caller may have had SIGINT blocked
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return self

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def early_pool(
    out_dir: Path, jobs: int | None = None, force: bool = False
) -> Iterator[RenderPool | None]:
    """A started RenderPool when the run is sure to render much: a first build into `out_dir`
    (no manifest there yet) or a forced one; else None, as a rebuild with little or nothing to
    do should not pay for starting the processes."""
    workers = _process_count(jobs)
    if workers < 2 or (not force and (out_dir / MANIFEST).exists()):
        yield None
        return
    # entered before any process starts: a Ctrl-C from here on shuts them down in order
    with RenderPool(workers) as pool:
        pool.warm_up()
        yield pool


def _build_in_worker(job: Any, out_dir: Path) -> bytes:
    """Run in a worker process: a derived job heavy enough to be worth a core (a JPEG)."""
    return _in_worker(getattr(job, "heavy", False), partial(job.build, out_dir))


class _Run:
    """One run of the pipeline: renders in a process pool, writes on threads, derived files as
    soon as what they read is on disk, and the manifest kept up to date.

    Writing happens on a few threads: most of a write is waiting for the disk (the fsync that
    makes it durable), and files written side by side share that wait. A file counts as made,
    and goes into the manifest, only once it is on disk.
    """

    SAVE_EVERY = 2.0  # seconds between manifest saves (and one at the end)

    def __init__(
        self,
        out_dir: Path,
        manifest: dict[str, Any],
        report: BuildReport,
        progress: ProgressCallback | None,
    ):
        self.out_dir = out_dir
        self.manifest = manifest
        self.report = report
        self.progress = progress
        self.pending: set[str] = set()  # planned here and not on disk yet
        self.broken: set[str] = set()  # planned here and could not be made
        self.writes: dict[cf.Future[int], tuple[PlannedOutput, str, int, str]] = {}
        self.io = cf.ThreadPoolExecutor(max_workers=4, thread_name_prefix="bluekit-write")
        self.saved_at = time.monotonic()
        self.derived: list[tuple[PlannedOutput, str]] = []
        self.settled = True  # a file was written or failed since ready() last looked

    # -- writing --------------------------------------------------------------------------

    def _write(self, path: Path, content: bytes) -> int:
        write_atomic(path, content)
        return path.stat().st_mtime_ns

    def finish(self, item: PlannedOutput, fingerprint: str, content: bytes) -> None:
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
            self.pending.discard(item.path)
            self.settled = True
            self.report.rendered.append(item.path)
            if self.progress:
                self.progress(item.path, "rendered")
        if time.monotonic() - self.saved_at > self.SAVE_EVERY:
            self.save_manifest()

    def save_manifest(self) -> None:
        # saved every few seconds, not after each of 1,900 files: a file written but not yet
        # in the manifest is simply made again by the next run, so an interruption loses nothing
        _write_manifest(self.out_dir, self.manifest)
        self.saved_at = time.monotonic()

    def failed(self, item: PlannedOutput, error: BluekitError) -> None:
        self.pending.discard(item.path)
        self.broken.add(item.path)
        self.settled = True
        self.report.failed.append((item.path, error))
        if self.progress:
            self.progress(item.path, "failed")

    def outcome(self, item: PlannedOutput, fingerprint: str, result: Callable[[], bytes]) -> None:
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
            self.finish(item, fingerprint, content)

    # -- derived files ----------------------------------------------------------------------

    def ready(self) -> list[tuple[PlannedOutput, str]]:
        """Take the derived files whose inputs are all on disk. One whose input could not be
        made fails with it: it is never made from an older file left from a previous run."""
        if not self.settled:  # nothing can have become ready (1,100 derived files to look at)
            return []
        self.settled = False
        chosen = []
        for pair in list(self.derived):
            needs = _needs(pair[0].job)
            lost = [need for need in needs if need in self.broken]
            if lost:
                self.derived.remove(pair)
                self._not_made(pair[0], lost)
            elif not any(need in self.pending for need in needs):
                self.derived.remove(pair)
                chosen.append(pair)
        return chosen

    def _not_made(self, item: PlannedOutput, missing: list[str]) -> None:
        self.failed(item, OutputError(
            f"{item.job.label or item.path}: not made, as {', '.join(missing)} could not be made"
        ))

    # -- the run ----------------------------------------------------------------------------

    def execute(
        self, todo: list[tuple[PlannedOutput, str]], jobs: int | None, pool: RenderPool | None
    ) -> None:
        static = [(i, f) for i, f in todo if isinstance(i.job, StaticJob)]
        rendered = spread_heavy([(i, f) for i, f in todo if isinstance(i.job, Job)])
        self.derived = [(i, f) for i, f in todo if hasattr(i.job, "build")]
        self.pending = {i.path for i, _ in todo}
        workers = max(1, min(_process_count(jobs), len(rendered)))
        if workers == 1 or len(rendered) < 3:
            self._in_this_process(static, rendered)
        elif pool is not None:
            self._with_pool(static, rendered, pool)
        else:
            with RenderPool(workers) as own:
                own.warm_up()
                self._with_pool(static, rendered, own)
        self.collect(wait=True)
        for item, _ in self.derived:  # cannot happen unless jobs wait on each other in a loop
            self._not_made(
                item, [n for n in _needs(item.job) if n in self.pending or n in self.broken]
            )
        self.derived = []

    def _in_this_process(self, static: list[Any], rendered: list[Any]) -> None:
        for item, fingerprint in static:
            self.finish(item, fingerprint, item.job.content)
        for item, fingerprint in rendered:
            self.outcome(item, fingerprint, partial(_render_one, item.job))
        while self.derived:
            self.collect(wait=True)
            chosen = self.ready()
            if not chosen and not self.settled:  # settled: a file failed just now
                return
            for item, fingerprint in chosen:
                self.outcome(item, fingerprint, partial(item.job.build, self.out_dir))

    def _with_pool(self, static: list[Any], rendered: list[Any], processes: RenderPool) -> None:
        workers, pool = processes.workers, processes.executor
        # submitted and not yet taken in (done or not), with the file each one makes
        futures: dict[cf.Future[bytes], tuple[PlannedOutput, str]] = {}
        in_flight: set[cf.Future[bytes]] = set()  # submitted and not yet done
        queue = iter(rendered)

        def top_up() -> None:
            # A few renders per worker in flight, not all 1,900 at once: a derived job that
            # becomes ready (a JPEG from its PNG) then runs next, not after every letter.
            # Counted by a callback: while this process builds e-mails, hundreds of done
            # futures can wait to be taken in, and counting them at each call cost seconds.
            # With nothing left to take in, submit regardless: a miscount must not end the
            # run with renders still queued.
            while not futures or len(in_flight) < 4 * workers:
                pair = next(queue, None)
                if pair is None:
                    return
                submit(pair, _render_one, pair[0].job)

        def submit(pair: tuple[PlannedOutput, str], task: Callable[..., bytes],
                   *args: Any) -> None:
            future = pool.submit(task, *args)
            futures[future] = pair
            in_flight.add(future)
            future.add_done_callback(in_flight.discard)

        try:
            top_up()
            for item, fingerprint in static:
                self.finish(item, fingerprint, item.job.content)
            while futures or self.derived:
                self.collect(wait=not futures)
                for item, fingerprint in self.ready():
                    if getattr(item.job, "in_pool", False):
                        submit((item, fingerprint), _build_in_worker, item.job,
                               self.out_dir)
                    else:
                        self.outcome(item, fingerprint,
                                     partial(item.job.build, self.out_dir))  # type: ignore[union-attr]
                        top_up()  # keep the workers busy while this process works too
                if not futures:
                    if self.derived and not self.writes and not self.settled:
                        break  # nothing left can become ready (see execute)
                    continue
                done, _ = cf.wait(futures, timeout=0.05, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    item, fingerprint = futures.pop(future)
                    self.outcome(item, fingerprint, future.result)
                top_up()
        except cf.process.BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            raise OutputError(
                "a rendering process stopped unexpectedly (out of memory?)",
                hint="run again with --jobs 1; the files finished so far are kept",
            ) from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise

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
            if self.report.rendered:
                self.save_manifest()



def write_outputs(
    planned: Sequence[PlannedOutput],
    out_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    pool: RenderPool | None = None,
) -> BuildReport:
    """Render every planned file that is missing or out of date into `out_dir`, in `pool`'s
    processes if given (see early_pool), else in processes of its own.

    Files are written atomically and recorded in the manifest once on disk, so an interrupted
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

    run = _Run(out_dir, manifest, report, progress)
    try:
        run.execute(todo, jobs, pool)
    finally:
        run.close()
    if not (out_dir / MANIFEST).exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_manifest(out_dir, manifest)
    report.seconds = time.monotonic() - started
    if report.failed:
        raise BuildFailed(report)
    return report
