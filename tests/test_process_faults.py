"""`bluekit build` stopped from outside: by SIGTERM (as `kill` or a shutdown does) and by SIGKILL
(as the task manager or the out-of-memory killer does). Real processes, watched through /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import CAMPAIGN_2024

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)"),
    pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no renderer processes"),
]


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, ended and waiting for its parent, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _start_build(out: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """A build of the 2024 kit with two renderers, once both are at work: the process and its
    children (the renderers and multiprocessing's resource tracker)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bluekit", "build", str(CAMPAIGN_2024), "--out", str(out),
         "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = _children(process.pid)
        # the renderers are at work once files come out of them
        if len(children) >= 3 and len(list(out.glob("posters/*.pdf"))) >= 2:
            return process, children
        time.sleep(0.01)
    process.kill()
    raise AssertionError("the renderers never started")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_the_renderers_end_with_bluekit_however_it_ends(how, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    process, children = _start_build(out)
    try:
        process.send_signal(how)
        # a script reading bluekit's output gets its end: no renderer holds it open
        _, stderr = process.communicate(timeout=20)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [c for c in children if _alive(c)], "a renderer outlived bluekit"
    finally:
        for child in children:  # only what this test started
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
    if how == signal.SIGTERM:
        assert process.returncode == 143, stderr.decode()
        assert "stopped by SIGTERM: nothing half-written was left behind" in stderr.decode()
        assert "Traceback" not in stderr.decode()
    assert not list(out.rglob("*.pdf.*.tmp")) or how == signal.SIGKILL


def test_the_next_build_removes_what_a_killed_one_left_behind(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    posters = out / "posters"
    posters.mkdir(parents=True)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    left = posters / f".poster-A3-nl.pdf.{ended.stdout.strip()}.0a1b2c3d.tmp"
    left.write_bytes(b"%PDF- half a poster")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as writer:
        try:  # a temporary file of a process that still writes stays
            busy = posters / f".poster-A3-fr.pdf.{writer.pid}.4e5f6a7b.tmp"
            busy.write_bytes(b"%PDF- being written")
            result = subprocess.run(
                [sys.executable, "-m", "bluekit", "posters", str(CAMPAIGN_2024), "--lang", "nl",
                 "--size", "A4", "--format", "pdf", "--out", str(out)],
                capture_output=True, text=True,
            )
            assert result.returncode == 0, result.stderr
            assert not left.exists() and busy.exists()
        finally:
            writer.kill()
    assert (posters / "poster-A4-nl.pdf").exists()
