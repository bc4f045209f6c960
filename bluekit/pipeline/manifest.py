"""The manifest of an output folder, `<out>/manifest.json`: every file bluekit wrote there with
its size, modification time, sha256 and the fingerprint of what it was made from.

It is how a run knows a file is up to date: the fingerprint is the same and the file on disk is
still the one recorded (`unchanged_on_disk`). A complete build also records what it was made
from (`build`, see bluekit.workflows.up_to_date), so that a rebuild with nothing changed need
not plan anything.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from bluekit import __version__
from bluekit.files.atomic import write_atomic

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest of an output folder (an empty one if there is none or it is unreadable)."""
    try:
        manifest: dict[str, Any] = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"version": MANIFEST_VERSION, "files": {}}
    if manifest.get("version") != MANIFEST_VERSION or not isinstance(manifest.get("files"), dict):
        return {"version": MANIFEST_VERSION, "files": {}}
    return manifest


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Save the manifest (atomically), naming the bluekit version that wrote it."""
    manifest["generator"] = f"bluekit {__version__}"
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(out_dir / MANIFEST, text.encode("utf-8"))


def build_record(out_dir: Path) -> dict[str, Any] | None:
    """What the last complete build into the folder recorded, with the manifest entry of each
    of its files under "files"; None if the last run there was not a complete build."""
    manifest = read_manifest(out_dir)
    record = manifest.get("build")
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        return None
    entries = manifest["files"]
    if not all(isinstance(name, str) and name in entries for name in record["files"]):
        return None
    return {**record, "files": {name: entries[name] for name in record["files"]}}


def _sha256(path: Path | str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return None


def unchanged_on_disk(path: Path | str, entry: dict[str, Any]) -> bool:
    """The file is still what bluekit wrote: same size and modification time as recorded (as
    make and git judge it), or, when the time differs, the same sha256."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    if stat.st_size != entry.get("bytes"):
        return False
    if stat.st_mtime_ns == entry.get("mtime_ns"):
        return True
    return _sha256(path) == entry.get("sha256")
