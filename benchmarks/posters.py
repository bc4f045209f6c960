"""Benchmark the poster set: ms per poster PDF and PNG, and a full `bluekit build` of 2024.

Run: python benchmarks/posters.py [--runs 20]
Prints medians per output type (rendered in this process, one at a time), the wall time of the
whole poster set through the output pipeline (parallel, cold), the no-op rebuild, and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bluekit.campaign.load import load_campaign
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import Job, render
from bluekit.workflows.plan import plan_build

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(make: Callable[[], bytes], runs: int) -> float:
    make()  # warm-up: compiler, fonts, template cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        make()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _maker(job, jobs: dict, folder: Path) -> Callable[[], bytes]:
    """How the pipeline makes the file: a render, or (a JPEG) a conversion of the written PNG."""
    if isinstance(job, Job):
        return partial(render, job)
    for need in job.needs:  # write what the derived job reads, as the pipeline would have
        (folder / need).parent.mkdir(parents=True, exist_ok=True)
        (folder / need).write_bytes(render(jobs[need.split("/")[-1]]))
    return partial(job.build, folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--campaign", type=Path, default=ROOT / "campaigns" / "2024.yaml")
    args = parser.parse_args()

    campaign = load_campaign(args.campaign)
    jobs = {
        p.path.split("/")[-1]: p.job
        for p in plan_posters(campaign, PosterOptions(languages=("nl",), bilingual=False))
    }
    rows = [
        ("A3 print PDF", "poster-A3-nl.pdf"),
        ("A4 print PDF", "poster-A4-nl.pdf"),
        ("A2 print PDF", "poster-A2-nl.pdf"),
        ("A3 PNG 150 dpi", "poster-A3-nl.png"),
        ("A3 JPEG 150 dpi", "poster-A3-nl.jpg"),  # made from the written PNG
        ("A2 PNG 150 dpi", "poster-A2-nl.png"),
        ("screen PNG 1920x1080", "screen-nl.png"),
    ]
    print(f"median of {args.runs} renders, one process:")
    with tempfile.TemporaryDirectory() as sources:
        for label, name in rows:
            make = _maker(jobs[name], jobs, Path(sources))
            print(f"  {label:<22} {_median_ms(make, args.runs):8.1f} ms")

    planned = plan_build(campaign)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = write_outputs(planned, Path(tmp))
        cold = time.perf_counter() - start
        start = time.perf_counter()
        again = write_outputs(plan_build(campaign), Path(tmp))
        noop = time.perf_counter() - start
    print(f"full kit ({len(report.rendered)} files), parallel, cold: {cold:6.2f} s")
    print(f"no-op rebuild ({len(again.unchanged)} files unchanged):   {noop:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB (main), {children:.0f} MB (largest worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
