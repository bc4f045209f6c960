"""Publishing the kit as a static site into a folder a web server or a SharePoint/OneDrive sync
folder serves: what is in it, relative links only, readable by others, only changed files
copied, and a file held open on Windows (PermissionError, WinError 32) that does not stop the
run."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

import bluekit.publish.folder as folder_module
from bluekit.cli import app
from bluekit.publish.folder import RECORD
from bluekit.publish.site_links import page_problems
from bluekit.workflows.publish import SiteAddressError, publish_folder, site_address

from .conftest import CAMPAIGN_2024, line_of


def site_files(dest: Path) -> set[str]:
    return {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}


def no_sleep(seconds: float) -> None:
    pass


def test_the_kit_is_published_as_a_site_for_partners(built_kit, tmp_path) -> None:
    dest = tmp_path / "www"
    report = publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    files = site_files(dest)
    assert "index.html" in files and RECORD in files
    assert {"kits/blue-heart-2024-nl.zip", "posters/poster-A3-nl-fr.pdf",
            "social/nl/index.html", "social/fr/images/slogan-feed-1080x1350.png",
            "social/bluekit-social-2024-de.zip", "order-form/index.html"} <= files
    assert not any(f.startswith("invitations/") for f in files)  # letters are not for everyone
    assert "manifest.json" not in files
    for name in files - {"index.html", RECORD}:
        assert (dest / name).read_bytes() == (built_kit / name).read_bytes(), name
    page = (dest / "index.html").read_text("utf-8")
    assert "Download the campaign kit" in page and "invitations" not in page
    assert len(report.copied) == len(files) - 1 and report.unchanged == []
    assert report.notes and "social.base_url is not set" in report.notes[0]


def test_every_link_of_the_site_is_relative_and_leads_to_a_published_file(
    built_kit, tmp_path
) -> None:
    dest = tmp_path / "www"
    publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    checked = 0
    for page in dest.rglob("*.html"):
        soup = BeautifulSoup(page.read_bytes(), "html.parser")
        for element in soup.find_all(["a", "img"]):
            link = element.get("href") or element.get("src")
            if not link or link.startswith(("#", "mailto:", "https://")):
                continue
            assert not urlsplit(link).scheme and not link.startswith("/"), link
            assert (page.parent / unquote(urlsplit(link).path)).is_file(), (page, link)
            checked += 1
    assert checked > 100


def test_files_and_folders_are_readable_by_others(built_kit, tmp_path) -> None:
    umask = os.umask(0)
    os.umask(umask)  # as built: what the umask gives a new file (mkstemp made it 0600)
    assert stat.S_IMODE((built_kit / "index.html").stat().st_mode) == 0o666 & ~umask
    dest = tmp_path / "www"
    publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    for path in dest.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), path


def test_a_second_run_copies_nothing_and_a_changed_file_only_that_file(
    built_kit, tmp_path
) -> None:
    dest = tmp_path / "www"
    publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    again = publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    assert again.copied == [] and again.removed == [] and len(again.unchanged) > 200
    (dest / "posters" / "poster-A3-nl.pdf").write_bytes(b"edited by hand")
    os.utime(dest / "social" / "nl" / "posts.txt")  # touched, same bytes: not copied
    third = publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    assert third.copied == ["posters/poster-A3-nl.pdf"]
    assert (dest / "posters/poster-A3-nl.pdf").read_bytes() == (
        built_kit / "posters/poster-A3-nl.pdf").read_bytes()


def test_a_file_no_longer_in_the_kit_is_removed_and_nothing_else_is_touched(
    built_kit, tmp_path
) -> None:
    dest = tmp_path / "www"
    (dest / "notes").mkdir(parents=True)
    (dest / "notes" / "own.txt").write_text("the web team's own file")
    publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    # as if an earlier kit had a poster this one has not
    record = json.loads((dest / RECORD).read_text())
    (dest / "posters" / "poster-A1-nl.pdf").write_bytes(b"old")
    record["files"]["posters/poster-A1-nl.pdf"] = {"sha256": "0" * 64, "bytes": 3}
    (dest / RECORD).write_text(json.dumps(record))
    report = publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    assert report.removed == ["posters/poster-A1-nl.pdf"] and report.copied == []
    assert not (dest / "posters" / "poster-A1-nl.pdf").exists()
    assert (dest / "notes" / "own.txt").read_text() == "the web team's own file"


def held_open(target_name: str, times: int | None):
    """os.replace as on Windows while another program has `target_name` open."""
    real = os.replace
    count = {"n": 0}

    def replace(source, target):
        if PurePosixPath(str(target)).name == target_name and (times is None or count["n"] < times):
            count["n"] += 1
            error = PermissionError(13, "The process cannot access the file because it is "
                                        "being used by another process", str(target))
            error.winerror = 32  # what Windows sets; POSIX has no such attribute
            raise error
        return real(source, target)

    return replace, count


def test_a_file_held_open_on_windows_does_not_stop_the_run(
    built_kit, tmp_path, monkeypatch, runner
) -> None:
    dest = tmp_path / "www"
    replace, count = held_open("poster-A3-fr.pdf", None)
    monkeypatch.setattr(folder_module.os, "replace", replace)
    waits: list[float] = []
    report = publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=waits.append)
    assert report.held == [("posters/poster-A3-fr.pdf", "held open by another program "
                            "(WinError 32): close it and publish again")]
    assert count["n"] == 4 and waits == [0.5, 1.0, 2.0]  # tried again, then went on
    assert not (dest / "posters" / "poster-A3-fr.pdf").exists()
    assert (dest / "posters" / "poster-A3-nl.pdf").exists() and (dest / "index.html").exists()
    assert not [p for p in dest.rglob("*.tmp")]  # no temporary file left behind
    # from the command line: said on stderr, exit 1; the next run copies it
    result = runner.invoke(app, ["publish", "folder", str(CAMPAIGN_2024), str(dest),
                                 "--out", str(built_kit)])
    assert result.exit_code == 1
    assert "not updated: posters/poster-A3-fr.pdf: held open by another program" in result.output
    monkeypatch.undo()  # the program let go of the file
    later = publish_folder(CAMPAIGN_2024, dest, out_dir=built_kit, sleep=no_sleep)
    assert later.copied == ["posters/poster-A3-fr.pdf"] and later.held == []


def test_a_file_held_open_for_a_moment_is_copied_after_a_retry(
    built_kit, tmp_path, monkeypatch
) -> None:
    replace, _ = held_open("index.html", 2)
    monkeypatch.setattr(folder_module.os, "replace", replace)
    waits: list[float] = []
    report = publish_folder(CAMPAIGN_2024, tmp_path / "www", out_dir=built_kit,
                            sleep=waits.append)
    assert report.held == [] and "index.html" in report.copied and waits == [0.5, 1.0]


def test_the_site_is_not_published_into_the_builds_own_folder(built_kit, tmp_path) -> None:
    from bluekit.errors import OutputError

    with pytest.raises(OutputError, match="the build's own folder"):
        publish_folder(CAMPAIGN_2024, built_kit / "site", out_dir=built_kit)


def test_social_base_url_must_be_where_the_site_puts_the_social_kits(write_campaign) -> None:
    def hosted(data):
        data["social"]["base_url"] = "https://kit.example.be/blueheart/social"

    path = write_campaign(hosted)
    from bluekit.campaign.load import load_campaign

    campaign = load_campaign(path)
    assert site_address(campaign, path, "https://kit.example.be/blueheart/") == (
        "https://kit.example.be/blueheart", [])
    assert site_address(campaign, path, None) == ("https://kit.example.be/blueheart", [])
    with pytest.raises(SiteAddressError) as wrong:
        site_address(campaign, path, "https://partners.example.be/kit")
    assert "https://partners.example.be/kit/social" in str(wrong.value)
    assert str(wrong.value).startswith(f"{path}:{line_of(path, 'base_url')}:")


def test_a_base_url_that_is_no_social_folder_is_refused_from_the_command_line(
    write_campaign, runner, tmp_path
) -> None:
    path = write_campaign(lambda d: d["social"].update(base_url="https://kit.example.be/media"))
    result = runner.invoke(app, ["publish", "folder", str(path), str(tmp_path / "www")])
    assert result.exit_code == 2
    assert "social.base_url is https://kit.example.be/media" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "www").exists()


@pytest.mark.parametrize(("link", "problem"), [
    ("posters/poster-A3-nl.pdf", None),
    ("../index.html", None),
    ("https://www.stopmensenhandel.be/nl", None),
    ("mailto:teh@just.fgov.be", None),
    ("posters/missing.pdf", "links to social/posters/missing.pdf, which is not published"),
    ("/posters/poster-A3-nl.pdf", "a link from the root of the server"),
    ("https://kit.example.be/index.html", "an absolute link to the site itself"),
    ("file:///C:/dist/2024/index.html", "a link to a file on this computer"),
    ("../../etc/passwd", "a link out of the published folder"),
])
def test_a_page_link_that_would_break_on_the_server_is_found(link, problem) -> None:
    html = f'<a href="{link}">x</a>'.encode()
    published = {"index.html", "social/posters/poster-A3-nl.pdf"}
    problems = page_problems("social/index.html", html, published, "kit.example.be")
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]
