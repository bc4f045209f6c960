"""Publishing the kit as a static site into a folder that a web server or a SharePoint/OneDrive
sync folder serves: only changed files are copied, each atomically (a visitor or the sync
client sees the old file or the new one), readable by others, the pages last so that no page
links to a file not there yet; files bluekit published before and the kit no longer has are
removed, and nothing else in the folder is touched.

On Windows a file held open by another program (a PDF in Acrobat, the sync client uploading
it) cannot be replaced (PermissionError, WinError 32): bluekit tries again for a few seconds,
then goes on with the other files and reports it, to be copied by the next run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bluekit.errors import OutputError
from bluekit.files.atomic import write_atomic

RECORD = ".bluekit-publish.json"  # what bluekit published into the folder
FILE_MODE = 0o644  # readable by the web server's user and everyone else
FOLDER_MODE = 0o755
HELD_RETRIES = (0.5, 1.0, 2.0)  # seconds between tries of a file held open


@dataclass(frozen=True)
class SiteFile:
    """A file of the site: a built file (`source`) or a page made for the site (`content`)."""

    path: str
    sha256: str
    size: int
    source: Path | None = None
    content: bytes | None = None

    @classmethod
    def page(cls, path: str, content: bytes) -> SiteFile:
        return cls(path, hashlib.sha256(content).hexdigest(), len(content), content=content)

    def data(self) -> bytes:
        if self.content is not None:
            return self.content
        assert self.source is not None
        return self.source.read_bytes()


@dataclass
class FolderReport:
    dest: Path
    dry_run: bool
    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    site_url: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"dest": str(self.dest), "dry_run": self.dry_run, "copied": self.copied,
                "unchanged": len(self.unchanged), "removed": self.removed,
                "held": [{"path": p, "why": w} for p, w in self.held],
                "site_url": self.site_url, "notes": self.notes}


def publish_site(
    files: Mapping[str, SiteFile], dest: Path, *, dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> FolderReport:
    """Make `dest` hold the site `files`, changing only what differs."""
    report = FolderReport(dest, dry_run)
    if dest.exists() and not dest.is_dir():
        raise OutputError(f"{dest} is a file, not a folder", hint="name a folder to publish into")
    record = _read_record(dest)
    published: dict[str, dict[str, Any]] = {}
    # pages last: a page never links to a file that is not there yet
    order = sorted(files.values(), key=lambda f: (f.path.endswith(".html"), f.path))
    for site_file in order:
        target = dest.joinpath(*PurePosixPath(site_file.path).parts)
        if _unchanged(target, site_file, record.get(site_file.path)):
            report.unchanged.append(site_file.path)
        elif dry_run:
            report.copied.append(site_file.path)
            continue
        else:
            why = _copy(site_file, target, sleep)
            if why:
                report.held.append((site_file.path, why))
                continue  # not recorded: the next run copies it
            report.copied.append(site_file.path)
        published[site_file.path] = _entry(target, site_file)
    for path in sorted(set(record) - set(files)):
        target = dest.joinpath(*PurePosixPath(path).parts)
        if dry_run:
            report.removed.append(path)
            continue
        why = _remove(target, sleep)
        if why:
            report.held.append((path, why))
            published[path] = record[path]  # still ours: removed by a later run
        else:
            report.removed.append(path)
    if not dry_run and (report.copied or report.removed or published != record):
        text = json.dumps({"version": 1, "files": published}, indent=1, sort_keys=True)
        write_atomic(dest / RECORD, text.encode("utf-8"))
        os.chmod(dest / RECORD, FILE_MODE)
    return report


def _read_record(dest: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((dest / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _entry(target: Path, site_file: SiteFile) -> dict[str, Any]:
    stat = target.stat()
    return {"sha256": site_file.sha256, "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _unchanged(target: Path, site_file: SiteFile, entry: dict[str, Any] | None) -> bool:
    """The folder already holds this file: as recorded (size and time), or the same bytes."""
    try:
        stat = target.stat()
    except OSError:
        return False
    if stat.st_size != site_file.size:
        return False
    if entry and entry.get("sha256") == site_file.sha256 and entry.get(
            "mtime_ns") == stat.st_mtime_ns and entry.get("bytes") == stat.st_size:
        return True
    with open(target, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == site_file.sha256


def _make_folders(folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(exist_ok=True)
        os.chmod(made, FOLDER_MODE)


def _copy(site_file: SiteFile, target: Path, sleep: Callable[[float], None]) -> str | None:
    """Copy atomically; None once done, else why the file could not be replaced."""
    data = site_file.data()
    if hashlib.sha256(data).hexdigest() != site_file.sha256:
        raise OutputError(f"{site_file.source} changed while it was being published",
                          hint="let the build finish, then publish again")
    _make_folders(target.parent)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, FILE_MODE)
        return _held_retrying(lambda: os.replace(temporary, target), sleep)
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written ({exc.strerror})",
                          hint="check that the folder is writable and the disk is not full"
                          ) from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _remove(target: Path, sleep: Callable[[float], None]) -> str | None:
    def unlink() -> None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()

    why = _held_retrying(unlink, sleep)
    if why is None:
        with contextlib.suppress(OSError):  # the folders bluekit made, once empty
            target.parent.rmdir()
    return why


def _held_retrying(action: Callable[[], None], sleep: Callable[[float], None]) -> str | None:
    """Do `action`; a file held open by another program is tried again a few times."""
    for pause in (*HELD_RETRIES, None):
        try:
            action()
            return None
        except PermissionError as exc:
            if pause is None:
                return _held_reason(exc)
            sleep(pause)
    return None


def _held_reason(exc: PermissionError) -> str:
    if getattr(exc, "winerror", None) == 32:
        return "held open by another program (WinError 32): close it and publish again"
    return f"cannot be replaced ({exc.strerror}): close the program using it and publish again"
