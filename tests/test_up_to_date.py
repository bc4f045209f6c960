"""A rebuild with nothing changed is told from the record of the last complete build, without
planning; any change of what the kit is made from takes the ordinary way, which makes again
exactly what changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bluekit.pipeline.jobs import PlannedOutput, StaticJob
from bluekit.pipeline.manifest import read_manifest
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.report import BuildFailed
from bluekit.workflows import plan, up_to_date
from bluekit.workflows.build import build

from .conftest import CAMPAIGN_2024, EXAMPLE_CONTACTS, ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The 2024 kit with the example invitations, built once."""
    out = tmp_path_factory.mktemp("kit") / "dist"
    build(CAMPAIGN_2024, out, contacts=EXAMPLE_CONTACTS, jobs=2)
    return out


@pytest.fixture
def kit(built: Path, tmp_path: Path) -> Path:
    """A copy of the built kit (times kept), where one complete build has recorded its inputs."""
    out = tmp_path / "dist"
    shutil.copytree(built, out)
    _, report = build(CAMPAIGN_2024, out, contacts=EXAMPLE_CONTACTS)
    assert report.rendered == []
    return out


@pytest.fixture
def planning(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times the kit is planned."""
    calls: list[int] = []
    real = plan.plan_build

    def counting(*args: Any, **kwargs: Any) -> list[PlannedOutput]:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "plan_build", counting)
    return calls


def test_a_rebuild_with_nothing_changed_plans_nothing_and_reports_every_file(
    kit: Path, planning: list[int]
) -> None:
    files = read_manifest(kit)["build"]["files"]
    out, report = build(CAMPAIGN_2024, kit, contacts=EXAMPLE_CONTACTS)
    assert planning == [] and out == kit
    assert report.rendered == [] and report.unchanged == files and len(files) > 200


def test_the_command_tells_a_rebuild_without_loading_the_campaign_model(kit: Path) -> None:
    code = (
        "import sys; from bluekit.cli import main\n"
        f"sys.argv = ['bluekit', 'build', {str(CAMPAIGN_2024)!r}, '--contacts', "
        f"{str(EXAMPLE_CONTACTS)!r}, '--out', {str(kit)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODEL LOADED' if 'bluekit.campaign.model' in sys.modules else 'NOT LOADED')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert "0 file(s) made" in done.stdout and "NOT LOADED" in done.stdout, done.stderr


def _changed(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text("utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def test_a_changed_campaign_text_makes_again_what_uses_it(
    kit: Path, tmp_path: Path, planning: list[int]
) -> None:
    campaign = _changed(tmp_path, CAMPAIGN_2024, "Maak mensenhandel zichtbaar",
                        "Maak mensenhandel zichtbaar!")
    contacts = tmp_path / "contacts.csv"
    shutil.copy(EXAMPLE_CONTACTS, contacts)
    _, report = build(campaign, kit, contacts=contacts)
    assert planning == [1]
    assert any(p.startswith("posters/poster-A3-nl") for p in report.rendered)
    assert not any(p.startswith("posters/poster-A3-de") for p in report.rendered)


def test_a_changed_contacts_file_takes_the_ordinary_way(
    kit: Path, tmp_path: Path, planning: list[int]
) -> None:
    contacts = tmp_path / "contacts.csv"
    shutil.copy(EXAMPLE_CONTACTS, contacts)
    _, first = build(CAMPAIGN_2024, kit, contacts=contacts)  # another file: not what was recorded
    assert planning == [1] and first.rendered == []
    assert build(CAMPAIGN_2024, kit, contacts=contacts)[1].rendered == [] and planning == [1]
    text = contacts.read_text("utf-8-sig")
    contacts.write_text(text.replace("@", "+changed@", 1), "utf-8-sig")
    _, report = build(CAMPAIGN_2024, kit, contacts=contacts)
    assert planning == [1, 1]
    assert report.rendered and all(p.startswith("invitations/") for p in report.rendered)


def test_a_file_changed_or_deleted_in_the_folder_is_made_again(
    kit: Path, planning: list[int]
) -> None:
    (kit / "posters" / "screen-fr.png").write_bytes(b"edited by hand")
    (kit / "order-form" / "order-form-de.txt").unlink()
    _, report = build(CAMPAIGN_2024, kit, contacts=EXAMPLE_CONTACTS)
    assert planning == [1]
    assert sorted(report.rendered) == ["order-form/order-form-de.txt", "posters/screen-fr.png"]


def test_a_build_of_part_of_the_kit_into_the_folder_drops_the_record(
    kit: Path, planning: list[int]
) -> None:
    write_outputs([PlannedOutput("extra.txt", StaticJob(b"a file of another command"))], kit)
    assert "build" not in read_manifest(kit)
    build(CAMPAIGN_2024, kit, contacts=EXAMPLE_CONTACTS)
    assert planning == [1] and "build" in read_manifest(kit)


@pytest.mark.parametrize("change", ["code", "library"])
def test_new_code_or_a_new_library_takes_the_ordinary_way(
    kit: Path, planning: list[int], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    if change == "code":
        monkeypatch.setattr(up_to_date, "_code_digest", lambda: "a letter template edited")
    else:
        installed = up_to_date._installed_distributions()
        assert any(name.startswith("typst-") for name in installed)
        monkeypatch.setattr(up_to_date, "_installed_distributions",
                            lambda: (*installed, "typst-99.0.dist-info"))
    _, report = build(CAMPAIGN_2024, kit, contacts=EXAMPLE_CONTACTS)
    assert planning == [1] and report.rendered == []


def test_force_and_the_link_check_never_take_the_short_way(
    kit: Path, planning: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(CAMPAIGN_2024, kit, contacts=EXAMPLE_CONTACTS, force=True, jobs=2)
    assert planning == [1]
    checked: list[Path] = []
    from bluekit.links import report as link_report

    monkeypatch.setattr(link_report, "require_live_qr_targets",
                        lambda campaign, path: checked.append(path) or [])
    build(CAMPAIGN_2024, kit, contacts=EXAMPLE_CONTACTS, check_links=True)
    assert checked == [CAMPAIGN_2024] and planning == [1, 1]


def _static(path: str, content: bytes) -> PlannedOutput:
    return PlannedOutput(path, StaticJob(content))


class _Failing:
    """A derived job that cannot be made."""

    label = "failing"
    template = "failing"

    def fingerprint(self) -> str:
        return "f"

    def build(self, out_dir: Path) -> bytes:
        raise RuntimeError("no")


def test_a_record_is_kept_only_when_every_planned_file_was_made(tmp_path: Path) -> None:
    record = {"digest": "d", "contacts": None, "contacts_given": None}
    write_outputs([_static("a.txt", b"a")], tmp_path, record=record)
    assert read_manifest(tmp_path)["build"] == {**record, "files": ["a.txt"]}
    planned = [_static("a.txt", b"a2"), PlannedOutput("b.txt", _Failing())]  # type: ignore[arg-type]
    with pytest.raises(BuildFailed):
        write_outputs(planned, tmp_path, record=record)
    manifest = read_manifest(tmp_path)
    assert "build" not in manifest and "a.txt" in manifest["files"]


def test_the_default_folder_is_guessed_from_the_year_line_only_as_a_shortcut(
    tmp_path: Path,
) -> None:
    assert up_to_date.default_out_guess(CAMPAIGN_2024) == Path("dist") / "2024"
    odd = tmp_path / "odd.yaml"
    odd.write_text("year: 2024\nnested:\n  year: 2025\nyear: 2026\n", "utf-8")
    assert up_to_date.default_out_guess(odd) is None
    assert up_to_date.default_out_guess(tmp_path / "missing.yaml") is None
