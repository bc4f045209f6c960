"""Where and when each file of a run is made: renders in the rendering processes (or in this
one for a small run), files known while planning written at once, and each derived file as soon
as what it reads is on disk.

Renders are handed to the processes a few at a time, so a derived file that becomes ready (a
JPEG from its PNG) is made next rather than after every other render.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterator
from functools import partial
from typing import ParamSpec

from bluekit.errors import OutputError
from bluekit.pipeline.jobs import PlannedOutput, StaticJob, is_derived
from bluekit.pipeline.pool import (
    RenderPool,
    build_in_worker,
    process_count,
    render_in_worker,
    spread_heavy,
)
from bluekit.pipeline.render import Job
from bluekit.pipeline.run import Run

Static = tuple[PlannedOutput, StaticJob, str]  # a file, its job and its fingerprint
Render = tuple[PlannedOutput, Job, str]
P = ParamSpec("P")


def execute(
    run: Run, todo: list[tuple[PlannedOutput, str]], jobs: int | None, pool: RenderPool | None
) -> None:
    """Make every file of `todo` (with its fingerprint), in `pool` if given and worth it, else
    in processes of its own (`jobs` of them, or one per core) or in this one."""
    static = [(i, i.job, f) for i, f in todo if isinstance(i.job, StaticJob)]
    rendered = spread_heavy([(i, i.job, f) for i, f in todo if isinstance(i.job, Job)])
    run.derived.expect([(i, i.job, f) for i, f in todo if is_derived(i.job)],
                       {i.path for i, _ in todo})
    workers = max(1, min(process_count(jobs), len(rendered)))
    if workers == 1 or len(rendered) < 3:
        _in_this_process(run, static, rendered)
    elif pool is not None:
        _InPool(run, pool).execute(static, rendered)
    else:
        with RenderPool(workers) as own:
            own.warm_up()
            _InPool(run, own).execute(static, rendered)
    run.writer.collect(wait=True)
    run.derived.give_up()


def _write_static(run: Run, static: list[Static]) -> None:
    """The files made while planning go straight to the writer."""
    for item, job, fingerprint in static:
        run.writer.submit(item, fingerprint, job.content)


def _in_this_process(run: Run, static: list[Static], rendered: list[Render]) -> None:
    """A small run (or `--jobs 1`): every file made here, one after the other."""
    _write_static(run, static)
    for item, job, fingerprint in rendered:
        run.outcome(item, fingerprint, partial(render_in_worker, job))
    while run.derived.waiting:
        run.writer.collect(wait=True)
        chosen = run.derived.ready()
        if not chosen and not run.derived.settled:  # settled: a file failed just now
            return
        for item, derived, fingerprint in chosen:
            run.outcome(item, fingerprint, partial(derived.build, run.out_dir))


class _InPool:
    """A run whose renders go to the rendering processes, while this process writes files,
    makes the derived ones that are not worth a process, and keeps the processes busy."""

    def __init__(self, run: Run, processes: RenderPool) -> None:
        self.run = run
        self.workers, self.pool = processes.workers, processes.executor
        # submitted and not yet taken in (done or not), with the file each one makes
        self.futures: dict[cf.Future[bytes], tuple[PlannedOutput, str]] = {}
        self.in_flight: set[cf.Future[bytes]] = set()  # submitted and not yet done
        self.queue: Iterator[Render] = iter(())

    def execute(self, static: list[Static], rendered: list[Render]) -> None:
        self.queue = iter(rendered)
        try:
            self._top_up()
            _write_static(self.run, static)
            while self.futures or self.run.derived.waiting:
                if not self._step():
                    break  # nothing left can become ready (see DerivedFiles.give_up)
        except cf.process.BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            raise OutputError(
                "a rendering process stopped unexpectedly (out of memory?)",
                hint="run again with --jobs 1; the files finished so far are kept",
            ) from None
        except BaseException:
            self.pool.shutdown(wait=False, cancel_futures=True)
            raise

    def _step(self) -> bool:
        """Take in what is done and hand out what is ready; False when nothing left can
        become ready."""
        run = self.run
        run.writer.collect(wait=not self.futures)
        for item, job, fingerprint in run.derived.ready():
            if getattr(job, "in_pool", False):
                self._submit((item, fingerprint), build_in_worker, job, run.out_dir)
            else:
                run.outcome(item, fingerprint, partial(job.build, run.out_dir))
                self._top_up()  # keep the workers busy while this process works too
        if not self.futures:
            return not (run.derived.waiting and not run.writer.busy and not run.derived.settled)
        done, _ = cf.wait(self.futures, timeout=0.05, return_when=cf.FIRST_COMPLETED)
        for future in done:
            item, fingerprint = self.futures.pop(future)
            run.outcome(item, fingerprint, future.result)
        self._top_up()
        return True

    def _top_up(self) -> None:
        # A few renders per worker in flight, not all 1,900 at once: a derived job that
        # becomes ready (a JPEG from its PNG) then runs next, not after every letter.
        # Counted by a callback: while this process builds e-mails, hundreds of done
        # futures can wait to be taken in, and counting them at each call cost seconds.
        # With nothing left to take in, submit regardless: a miscount must not end the
        # run with renders still queued.
        while not self.futures or len(self.in_flight) < 4 * self.workers:
            entry = next(self.queue, None)
            if entry is None:
                return
            item, job, fingerprint = entry
            self._submit((item, fingerprint), render_in_worker, job)

    def _submit(
        self, pair: tuple[PlannedOutput, str], task: Callable[P, bytes],
        *args: P.args, **kwargs: P.kwargs,
    ) -> None:
        future = self.pool.submit(task, *args, **kwargs)
        self.futures[future] = pair
        self.in_flight.add(future)
        future.add_done_callback(self.in_flight.discard)
