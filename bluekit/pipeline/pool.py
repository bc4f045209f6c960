"""The rendering processes: one per core, started early when a build is sure to render much.

What runs inside them is here too: a Typst render or a derived job worth a core (a JPEG), each
under the lock that lets one large raster be drawn at a time, with the memory it took handed
back afterwards. The order the renders are handed out in (`spread_heavy`) follows from that lock.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bluekit.pipeline.jobs import DerivedJob, PlannedOutput
from bluekit.pipeline.manifest import MANIFEST
from bluekit.pipeline.memory import Trimmer
from bluekit.pipeline.render import Job, render, warm_up

if TYPE_CHECKING:
    from multiprocessing.synchronize import Lock

_HEAVY: Lock | None = None  # in a rendering process: the lock that lets one large raster at a time
_TRIMMER = Trimmer()  # in a rendering process: gives the memory of large rasters back

# a planned render with what goes with it (its fingerprint, say)
Planned = TypeVar("Planned", bound=tuple[PlannedOutput, *tuple[object, ...]])


def _in_worker(heavy: bool, work: Callable[[], bytes]) -> bytes:
    """Run a job in a rendering process. A large raster runs under the lock shared by the
    processes, and the memory it took is handed back before the lock is released, so the next
    large raster, in whichever process, starts with the previous one's memory returned."""
    with _HEAVY if heavy and _HEAVY is not None else contextlib.nullcontext():
        try:
            return work()
        finally:
            _TRIMMER.after_job()


def render_in_worker(job: Job) -> bytes:
    """Run in a worker process: the Typst compiler and fonts are loaded once per process."""
    return _in_worker(job.heavy, partial(render, job))


def build_in_worker(job: DerivedJob, out_dir: Path) -> bytes:
    """Run in a worker process: a derived job heavy enough to be worth a core (a JPEG)."""
    return _in_worker(getattr(job, "heavy", False), partial(job.build, out_dir))


def spread_heavy(rendered: list[Planned]) -> list[Planned]:
    """The renders with the large rasters spread evenly among the others: as they are made one
    at a time, a process that would wait for one finds other work instead."""
    heavy = [pair for pair in rendered if _heavy(pair[0])]
    light = [pair for pair in rendered if not _heavy(pair[0])]
    if not heavy or not light:
        return rendered
    step = max(1, len(light) // len(heavy))
    result: list[Planned] = []
    for index, pair in enumerate(heavy):
        result.append(pair)
        result += light[index * step : (index + 1) * step]
    return result + light[len(heavy) * step :]


def _heavy(item: PlannedOutput) -> bool:
    """Whether a planned render is a large raster (only renders are given to spread_heavy)."""
    return isinstance(item.job, Job) and item.job.heavy


# the signals a rendering process leaves to bluekit (SIGTERM: not on Windows)
_LEFT_TO_BLUEKIT = {signal.SIGINT, *([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])}


def _worker_start(heavy: Lock | None = None) -> None:
    """A rendering process leaves Ctrl-C and SIGTERM to bluekit itself, which stops the run
    cleanly (and the processes with it), instead of each printing its own traceback; and it
    ends when bluekit ends, however that ends. `heavy` is the lock shared by the processes for
    large rasters."""
    global _HEAVY
    for number in _LEFT_TO_BLUEKIT:
        signal.signal(number, signal.SIG_IGN)
    _HEAVY = heavy
    _end_with_parent()


def _end_with_parent() -> None:
    """End this process as soon as bluekit has ended. A bluekit killed outright (SIGKILL, the
    task manager) cannot stop its renderers: without this they would live on, hundreds of MB
    each, holding the caller's output open so that a script reading it waits forever. The
    parent's sentinel (a pipe on POSIX, a process handle on Windows) becomes ready when the
    parent is gone."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not started by bluekit (never the case in the pool)
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)  # nothing of this process is worth finishing: its results have no reader

    threading.Thread(target=watch, name="bluekit-parent-watch", daemon=True).start()


# Windows waits for at most 63 handles at once, and ProcessPoolExecutor refuses more than 61
# processes there; so many renderers are more than any machine bluekit runs on can use anyway.
MAX_PROCESSES = 61


def process_count(jobs: int | None) -> int:
    """How many rendering processes: `--jobs`, else one per core; at most MAX_PROCESSES."""
    return min(jobs or os.cpu_count() or 1, MAX_PROCESSES)


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
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _LEFT_TO_BLUEKIT) if block else None
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
    workers = process_count(jobs)
    if workers < 2 or (not force and (out_dir / MANIFEST).exists()):
        yield None
        return
    # entered before any process starts: a Ctrl-C from here on shuts them down in order
    with RenderPool(workers) as pool:
        pool.warm_up()
        yield pool
