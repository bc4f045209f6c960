"""The complete one-command build: every part of the kit, one ZIP per language, and the page that
shows every file."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import html5lib
import pytest
from PIL import Image

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.pool import RenderPool, early_pool
from bluekit.workflows.build import build
from bluekit.workflows.plan import plan_build

from .conftest import CAMPAIGN_2024


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> tuple[Path, list[str]]:
    out, report = build(CAMPAIGN_2024, tmp_path_factory.mktemp("build") / "dist", jobs=2)
    return out, report.rendered


def test_the_build_makes_every_part_of_the_kit(kit) -> None:
    out, rendered = kit
    assert len(rendered) == len(plan_build(load_campaign(CAMPAIGN_2024), CAMPAIGN_2024))
    for path in ("posters/poster-A2-nl-fr.pdf", "posters/screen-de.png",
                 "social/nl/images/slogan-story-1080x1920.png",
                 "social/nl/images/carousel-nl.pdf", "social/bluekit-social-2024-fr.zip",
                 "visual-system.html",
                 "order-form/index.html", "order-form/order-form-de.txt",
                 "kits/blue-heart-2024-en.zip", "invitations/overview.csv", "index.html",
                 "manifest.json"):
        assert (out / path).is_file(), path


def test_each_language_kit_holds_its_posters_social_kit_and_order_form(kit) -> None:
    out, _ = kit
    with zipfile.ZipFile(out / "kits" / "blue-heart-2024-fr.zip") as archive:
        names = set(archive.namelist())
        assert archive.testzip() is None
    prefix = "blue-heart-2024-fr/"
    for expected in ("posters/poster-A3-fr.pdf", "posters/poster-A3-fr.jpg",
                     "posters/poster-A2-nl-fr.pdf", "posters/screen-nl-fr.png",
                     "social/images/slogan-portrait-1080x1440.png", "social/posts.txt",
                     "social/index.html", "order-form-fr.txt"):
        assert prefix + expected in names, expected
    assert not any("-de." in n or "/de/" in n or n.endswith("-nl.pdf") for n in names)
    assert not any(n.endswith(".png") and "/posters/poster-" in n for n in names)
    with zipfile.ZipFile(out / "kits" / "blue-heart-2024-de.zip") as archive:
        assert not any("nl-fr" in n for n in archive.namelist())


def test_the_page_links_every_file_and_shows_small_thumbnails(kit) -> None:
    out, rendered = kit
    page = (out / "index.html").read_text("utf-8")
    document = html5lib.parse(page, namespaceHTMLElements=False)
    links = {unquote(a.get("href")) for a in document.iter("a")}
    listed = [p for p in rendered if not p.startswith("thumbnails/") and p != "index.html"]
    assert [p for p in listed if p not in links] == []
    images = [img.get("src") for img in document.iter("img")]
    # the poster variants, and a thumbnail per visual and language (6 visuals in 2024)
    assert len(images) == 20 + 6 * 4
    assert "visual-system.html" in links
    for src in images:
        with Image.open(out / src) as thumb:
            assert thumb.format == "PNG" and thumb.width <= 420
    assert "poster-A3-nl" in page and "Invitations (" in page
    slogans = {s.get("lang"): s.text for s in document.iter("span") if s.get("lang")}
    assert slogans["fr"].startswith("Rendons la") and set(slogans) == {"nl", "fr", "de", "en"}
    ids = [element.get("id") for element in document.iter() if element.get("id")]
    assert len(ids) == len(set(ids))  # every menu link leads to its own section
    targets = {a.get("href")[1:] for a in document.iter("a") if a.get("href").startswith("#")}
    assert targets <= set(ids) and "files-invitations" in targets


def test_the_order_form_page_opens_the_form_in_a_mail_program(kit) -> None:
    out, _ = kit
    document = html5lib.parse((out / "order-form" / "index.html").read_text("utf-8"),
                              namespaceHTMLElements=False)
    mailto = [a.get("href") for a in document.iter("a") if a.get("href", "").startswith("mailto:")]
    assert len(mailto) == 4 and all(m.startswith("mailto:teh@just.fgov.be?") for m in mailto)
    languages = [s.get("lang") for s in document.iter("section")]
    assert languages == ["nl", "fr", "de", "en"]


def test_the_build_command_reports_made_reused_and_time(runner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = runner.invoke(app, ["build", str(CAMPAIGN_2024), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "file(s) made, 0 already up to date, in " in first.output
    assert "index.html" in first.output
    second = runner.invoke(app, ["build", str(CAMPAIGN_2024), "--out", str(out), "--json"])
    data = json.loads(second.stdout)
    assert data["rendered"] == [] and data["unchanged"] and data["seconds"] >= 0


def test_a_first_build_starts_its_renderers_before_planning_and_a_rebuild_does_not(
    tmp_path: Path,
) -> None:
    with early_pool(tmp_path, jobs=2) as pool:
        assert isinstance(pool, RenderPool) and pool.workers == 2
        # both processes are starting already, each with the warm-up task
        assert len(multiprocessing.active_children()) >= 2
    (tmp_path / "manifest.json").write_text('{"version": 1, "files": {}}')
    with early_pool(tmp_path, jobs=2) as pool:
        assert pool is None  # a rebuild may have little to do: no processes for nothing
    with early_pool(tmp_path, jobs=2, force=True) as pool:
        assert pool is not None
    with early_pool(tmp_path / "new", jobs=1) as pool:
        assert pool is None  # one job renders in this process


def test_the_build_renders_in_the_early_processes_and_starts_no_others(
    tmp_path: Path, monkeypatch
) -> None:
    started = []
    real_init = RenderPool.__init__

    def counting(self: RenderPool, workers: int) -> None:
        started.append(workers)
        real_init(self, workers)

    monkeypatch.setattr(RenderPool, "__init__", counting)
    planned = plan_posters(load_campaign(CAMPAIGN_2024), PosterOptions(
        languages=("nl", "fr"), sizes=("A4",), formats=("pdf",), bilingual=False))
    with early_pool(tmp_path, jobs=2) as pool:
        report = write_outputs(planned, tmp_path, jobs=2, pool=pool)
    assert len(report.rendered) == len(planned) >= 3 and started == [2]


def test_an_error_while_planning_leaves_no_renderer_behind(runner, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("refnis;municipality;email\n99999;Nowhere;x@example.org\n", "utf-8")
    result = runner.invoke(
        app, ["build", str(CAMPAIGN_2024), "--out", str(tmp_path / "dist"),
              "--contacts", str(contacts)],
    )
    assert result.exit_code == 1, result.output
    assert "contacts.csv:2: error: refnis: unknown REFNIS code '99999'" in result.output
    assert "fix the lines above and run the command again" in result.output
    assert "Traceback" not in result.output
    assert multiprocessing.active_children() == []


def _signal_mask(pid: str, field: str) -> int:
    """A signal mask of a process (SigBlk, SigCgt...) from /proc, 0 if it has ended."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1], 16)
    return 0


SIGINT_BIT = 1 << (signal.SIGINT - 1)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no renderer processes")
def test_ctrl_c_while_the_renderers_start_is_one_clean_message(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bluekit", "build", str(CAMPAIGN_2024), "--out",
         str(tmp_path / "dist")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")

    def cmdline(pid: str) -> bytes:
        with contextlib.suppress(OSError):
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        return b""

    def loading_renderers() -> list[str]:
        # renderers (not the resource tracker) whose Python has set up its own Ctrl-C
        # handling: they are loading
        return [pid for pid in children.read_text().split()
                if b"spawn_main" in cmdline(pid) and _signal_mask(pid, "SigCgt") & SIGINT_BIT]

    deadline = time.monotonic() + 30
    while not (loading := loading_renderers()) and time.monotonic() < deadline:
        time.sleep(0.002)
    assert loading, "the renderers never started"
    # they leave Ctrl-C to bluekit: blocked from their start
    assert all(_signal_mask(pid, "SigBlk") & SIGINT_BIT for pid in loading)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal sends it: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()
    assert "Traceback" not in stderr.decode() and "KeyboardInterrupt" not in stderr.decode()
    assert "interrupted: nothing half-written was left behind" in stderr.decode()
