"""The output pipeline: manifest, incremental rebuilds, atomic writes, interruptions."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.errors import OutputError
from bluekit.files import atomic
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.pipeline import memory
from bluekit.pipeline.jobs import PlannedOutput, StaticJob
from bluekit.pipeline.manifest import read_manifest
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.pool import spread_heavy
from bluekit.pipeline.render import Job, TextOverflowError
from bluekit.pipeline.report import BuildFailed

from .conftest import CAMPAIGN_2024

SMALL = PosterOptions(sizes=("A4",), formats=("pdf",), screen=False, web=False)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN_2024)


def test_every_file_is_in_the_manifest_with_size_and_hash(campaign, tmp_path: Path) -> None:
    planned = plan_posters(campaign, SMALL)
    report = write_outputs(planned, tmp_path)
    assert sorted(report.rendered) == sorted(p.path for p in planned)
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    for item in planned:
        entry = manifest["files"][item.path]
        content = (tmp_path / item.path).read_bytes()
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["fingerprint"] == item.job.fingerprint()


def test_a_second_run_with_nothing_changed_renders_nothing(campaign, tmp_path: Path) -> None:
    planned = plan_posters(campaign, SMALL)
    write_outputs(planned, tmp_path)
    again = write_outputs(plan_posters(campaign, SMALL), tmp_path)
    assert again.rendered == []
    assert len(again.unchanged) == len(planned)


def test_a_changed_text_rerenders_only_the_files_that_use_it(campaign, tmp_path: Path) -> None:
    write_outputs(plan_posters(campaign, SMALL), tmp_path)
    lead = campaign.poster.lead | {"de": "Weltweit ist jedes dritte Opfer ein Kind."}
    changed = campaign.model_copy(
        update={"poster": campaign.poster.model_copy(update={"lead": lead})}
    )
    report = write_outputs(plan_posters(changed, SMALL), tmp_path)
    assert report.rendered == ["posters/poster-A4-de.pdf"]


def test_a_file_edited_by_hand_is_made_again(campaign, tmp_path: Path) -> None:
    planned = plan_posters(campaign, SMALL)
    write_outputs(planned, tmp_path)
    (tmp_path / planned[0].path).write_bytes(b"scribbled over")
    report = write_outputs(planned, tmp_path)
    assert report.rendered == [planned[0].path]


def test_a_touched_file_is_kept_but_an_edit_of_the_same_size_is_made_again(
    campaign, tmp_path: Path
) -> None:
    planned = plan_posters(campaign, SMALL)
    write_outputs(planned, tmp_path)
    first, second = (tmp_path / planned[0].path), (tmp_path / planned[1].path)
    os.utime(first, ns=(1, 1))  # only the time changed: the content is checked, and kept
    content = bytearray(second.read_bytes())
    content[-10] ^= 0xFF  # same size, one byte different
    second.write_bytes(bytes(content))
    report = write_outputs(planned, tmp_path)
    assert report.rendered == [planned[1].path]


def test_an_interrupted_atomic_write_leaves_the_old_file_and_no_partial(
    tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "poster.pdf"
    target.write_bytes(b"old version")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(target, b"new version, half written")
    assert target.read_bytes() == b"old version"
    assert [p.name for p in tmp_path.iterdir()] == ["poster.pdf"]


def test_an_interrupted_build_keeps_what_was_finished_and_resumes(
    campaign, tmp_path: Path, monkeypatch
) -> None:
    planned = plan_posters(campaign, SMALL)
    real = atomic.write_atomic
    calls = {"n": 0}

    def interrupt_on_third_file(path: Path, data: bytes) -> None:
        if path.name != "manifest.json":
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr("bluekit.pipeline.writer.write_atomic", interrupt_on_third_file)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(planned, tmp_path, jobs=1)
    finished = read_manifest(tmp_path)["files"]
    assert 2 <= len(finished) < len(planned)  # the third never made it; others may have
    for path, entry in finished.items():  # what the manifest lists is whole on disk
        assert hashlib.sha256((tmp_path / path).read_bytes()).hexdigest() == entry["sha256"]
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    monkeypatch.setattr("bluekit.pipeline.writer.write_atomic", real)
    resumed = write_outputs(planned, tmp_path)
    assert len(resumed.rendered) == len(planned) - len(finished)
    assert len(resumed.unchanged) == len(finished)


def test_planned_paths_cannot_leave_the_output_folder() -> None:
    job = Job(template="poster.typ", data={}, format="pdf")
    for bad in ("../escape.pdf", "/etc/passwd", ""):
        with pytest.raises(ValueError):
            PlannedOutput(bad, job)


def test_errors_survive_the_trip_back_from_a_worker_process() -> None:
    error = TextOverflowError("poster A3 nl", "poster.lead", "nl", 12.5, 29.7)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) and copy.field == "poster.lead"


def test_build_of_an_invalid_campaign_exits_1_and_makes_nothing(
    runner, write_campaign, tmp_path: Path
) -> None:
    path = write_campaign(lambda d: d.__setitem__("slogann", "x"))
    result = runner.invoke(app, ["build", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "slogann" in result.output and not (tmp_path / "out").exists()


def test_a_file_made_from_one_that_failed_is_not_made_from_the_old_one(
    campaign, tmp_path: Path
) -> None:
    options = PosterOptions(sizes=("A4",), formats=("png", "jpg"), screen=False, web=False,
                            languages=("nl",), bilingual=False)
    write_outputs(plan_posters(campaign, options), tmp_path)
    lead = campaign.poster.lead | {"nl": " ".join(["Mensenhandel"] * 400)}
    broken = campaign.model_copy(
        update={"poster": campaign.poster.model_copy(update={"lead": lead})}
    )
    planned = plan_posters(broken, options)
    with pytest.raises(BuildFailed) as caught:
        write_outputs(planned, tmp_path)
    failed = dict(caught.value.report.failed)
    assert set(failed) == {"posters/poster-A4-nl.png", "posters/poster-A4-nl.jpg"}
    assert "not made, as posters/poster-A4-nl.png could not be made" in str(
        failed["posters/poster-A4-nl.jpg"]
    )
    entry = read_manifest(tmp_path)["files"]["posters/poster-A4-nl.jpg"]
    assert entry["fingerprint"] != planned[1].job.fingerprint()  # still the old one's


def test_an_unexpected_error_in_one_file_is_reported_and_the_others_are_made(
    tmp_path: Path,
) -> None:
    class Exploding:
        label = "exploding file"
        template = "test"

        def fingerprint(self) -> str:
            return "x"

        def build(self, out_dir: Path) -> bytes:
            raise UnicodeEncodeError("ascii", "é", 0, 1, "no")

    planned = [PlannedOutput("a.txt", StaticJob(b"a")), PlannedOutput("b.bin", Exploding())]
    with pytest.raises(BuildFailed) as caught:
        write_outputs(planned, tmp_path)  # type: ignore[arg-type]
    (path, error), = caught.value.report.failed
    assert path == "b.bin" and "exploding file: could not be made (UnicodeEncodeError" in str(error)
    assert (tmp_path / "a.txt").read_bytes() == b"a"


def test_large_rasters_are_spread_among_the_other_renders(campaign) -> None:
    planned = plan_posters(campaign, PosterOptions(languages=("nl",), bilingual=False))
    pairs = [(item, "") for item in planned if isinstance(item.job, Job)]
    spread = spread_heavy(pairs)
    assert sorted(p.path for p, _ in spread) == sorted(p.path for p, _ in pairs)
    heavy = [i for i, (item, _) in enumerate(spread) if item.job.heavy]
    assert len(heavy) == 3 and all(b - a > 1 for a, b in itertools.pairwise(heavy))


class _Made:
    """A derived file from other planned files; fails to build when told."""

    template = "test"

    def __init__(self, label: str, needs: tuple[str, ...] = (), fails: bool = False) -> None:
        self.label, self.needs, self.fails = label, needs, fails

    def fingerprint(self) -> str:
        return self.label

    def build(self, out_dir: Path) -> bytes:
        if self.fails:
            raise OutputError(f"{self.label}: broken on purpose")
        return self.label.encode()


@pytest.mark.parametrize("with_pool", [False, True])
def test_a_failure_is_named_all_along_a_chain_of_files_made_from_each_other(
    campaign, tmp_path: Path, with_pool: bool
) -> None:
    # c is listed before b, so it is looked at before b is known to be lost
    planned = [
        PlannedOutput("c.txt", _Made("c", needs=("b.txt",))),
        PlannedOutput("b.txt", _Made("b", needs=("a.txt",))),
        PlannedOutput("a.txt", _Made("a", fails=True)),
    ]
    if with_pool:  # three renders or more go to the process pool
        planned += plan_posters(campaign, SMALL)
    with pytest.raises(BuildFailed) as caught:
        write_outputs(planned, tmp_path, jobs=2)  # type: ignore[arg-type]
    failed = {path: str(error) for path, error in caught.value.report.failed}
    assert set(failed) == {"a.txt", "b.txt", "c.txt"}
    assert "not made, as a.txt could not be made" in failed["b.txt"]
    assert "not made, as b.txt could not be made" in failed["c.txt"]


_FRAGMENTED_HEAP = """
import json, sys
from bluekit.pipeline import memory
trimmer = memory.Trimmer(growth_mb=1)
blocks = [bytearray(16384) for _ in range(12000)]  # about 200 MB on the C heap, not mmap'ed
keep = blocks[::100]  # a few kept blocks pin the heap: free() alone returns nothing
del blocks
before = memory.resident_mb()
trimmed = trimmer.after_job()
print(json.dumps([before, memory.resident_mb(), trimmed]))
"""


@pytest.mark.skipif(not memory.can_trim(), reason="glibc's malloc_trim is Linux-only")
def test_freed_memory_goes_back_to_the_system_once_the_process_has_grown() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _FRAGMENTED_HEAP], capture_output=True, text=True, check=True
    )
    before, after, trimmed = json.loads(result.stdout)
    assert trimmed and before - after > 100, (before, after)


@pytest.mark.skipif(not memory.can_trim(), reason="glibc's malloc_trim is Linux-only")
def test_memory_is_not_trimmed_after_every_small_job() -> None:
    trimmer = memory.Trimmer(growth_mb=64)
    assert not trimmer.after_job()  # nothing has grown yet
    held = bytearray(80 * 2**20)  # touched pages: the process is 80 MB larger
    assert trimmer.after_job()
    assert not trimmer.after_job()  # the baseline moved with it
    del held
