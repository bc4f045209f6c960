"""What differs on the Windows desktop, simulated where CI cannot run Windows: output redirected
in the ANSI code page, a file held open by Excel or Acrobat (WinError 32), a drive without hard
links, the 61-process limit. And the permissions every written file gets."""

from __future__ import annotations

import concurrent.futures.process  # noqa: F401  (loaded before sys.platform says win32 below)
import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bluekit.cli import app
from bluekit.errors import OutputError
from bluekit.files import atomic
from bluekit.files.atomic import create_atomic
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.orders import NewOrder, Partner
from bluekit.pipeline.pool import RenderPool, process_count
from bluekit.store.database import Store

from .conftest import CAMPAIGN_2024

C = str(CAMPAIGN_2024)


def _sharing_violation(path: str) -> PermissionError:
    """What Windows raises when another program has the file open."""
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it is "
                          "being used by another process", path)
    exc.winerror = 32  # type: ignore[attr-defined]  # Windows sets it; POSIX has no such field
    return exc


# --- output in the ANSI code page -------------------------------------------------------------


def test_output_is_utf8_even_where_python_would_write_cp1252(tmp_path: Path) -> None:
    db = tmp_path / "orders.db"
    from bluekit.campaign.load import load_campaign

    partner = Partner("Gmina Łódź", "Łukasz Wałęsa", "lukasz@example.be", "Markt 1",
                      "9000", "Gent", "nl")
    order, _ = add_order(Store(f"sqlite:///{db}"), load_campaign(CAMPAIGN_2024),
                         NewOrder(partner, (("PIN-BLUEHEART", 5),)))
    # Python 3.11 on Windows writes output redirected to a file or pipe in cp1252
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    for command in (["orders", "list", C, "--json"], ["orders", "show", C, order.number]):
        result = subprocess.run([sys.executable, "-m", "bluekit", *command, "--db", str(db)],
                                capture_output=True, env=env)
        assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
        assert "Łukasz Wałęsa" in result.stdout.decode("utf-8")
    failed = subprocess.run([sys.executable, "-m", "bluekit", "municipalities", "show", "Łódź"],
                            capture_output=True, env=env)
    assert failed.returncode == 2 and "Łódź" in failed.stderr.decode("utf-8")
    assert b"Traceback" not in failed.stderr


# --- a file open in Excel or Acrobat ----------------------------------------------------------


def test_a_file_open_in_excel_is_tried_again_and_then_named(
    runner, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "orders-2024.xlsx"
    real = os.replace
    held = {"times": 2}  # Excel lets go after a moment

    def replace(src, dst):
        if Path(dst) == out and held["times"] > 0:
            held["times"] -= 1
            raise _sharing_violation(str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    args = ["orders", "report", C, "--out", str(out), "--db", str(tmp_path / "o.db")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK") and held["times"] == 0
    held["times"] = 10**6  # and now it stays open
    waited: list[float] = []
    monkeypatch.setattr(atomic.time, "sleep", waited.append)  # the pauses, without the wait
    result = runner.invoke(app, args)
    assert len(waited) == atomic.REPLACE_TRIES - 1 and 2 < sum(waited) < 5  # a few seconds
    assert result.exit_code == 1, result.output
    assert f"{out}: cannot be replaced, it is open in another program" in result.output
    assert "close it (in Excel, Acrobat or the PDF viewer) and run the command again" \
        in result.output
    assert "check that the folder exists" not in result.output
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# --- a drive without hard links ---------------------------------------------------------------


@pytest.mark.parametrize("drive", ["no os.link", "link refused (FAT)"])
def test_init_works_on_a_drive_without_hard_links(drive, runner, tmp_path: Path,
                                                   monkeypatch) -> None:
    if drive == "no os.link":
        monkeypatch.delattr(os, "link")
    else:
        def refuse(src, dst):
            raise OSError(errno.EPERM, "Operation not permitted", str(src), None, str(dst))

        monkeypatch.setattr(os, "link", refuse)
    target = tmp_path / "2025.yaml"
    made = runner.invoke(app, ["init", "2025", "--from", C, "--out", str(target)])
    assert made.exit_code == 0, made.output
    assert "year: 2025" in target.read_text("utf-8")
    before = target.read_bytes()
    again = runner.invoke(app, ["init", "2025", "--from", C, "--out", str(target)])
    assert again.exit_code == 2 and f"{target} already exists" in again.output
    with pytest.raises(OutputError, match="already exists"):  # one that appears meanwhile
        create_atomic(target, b"year: 2025\n")
    assert target.read_bytes() == before  # never overwritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025.yaml"]


# --- more than 61 processes -------------------------------------------------------------------


def test_jobs_above_61_are_what_windows_allows(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")  # what ProcessPoolExecutor checks
    pool = RenderPool(process_count(100))  # --jobs 100; no process starts before work comes
    try:
        assert pool.workers == 61
    finally:
        pool.executor.shutdown()


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_files_get_the_mode_the_umask_gives_a_new_file(umask, runner, tmp_path: Path) -> None:
    previous = os.umask(umask)
    try:
        result = runner.invoke(app, ["posters", C, "--lang", "nl", "--size", "A4", "--format",
                                     "pdf", "--out", str(tmp_path / "dist")])
        report = runner.invoke(app, ["orders", "report", C, "--out", str(tmp_path / "r.csv"),
                                     "--db", str(tmp_path / "o.db")])
    finally:
        os.umask(previous)
    assert result.exit_code == 0 and report.exit_code == 0, result.output + report.output
    made = [*tmp_path.glob("dist/**/*.pdf"), tmp_path / "dist" / "manifest.json",
            tmp_path / "r.csv"]
    assert len(made) >= 3
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    assert json.loads((tmp_path / "dist" / "manifest.json").read_text("utf-8"))["files"]
