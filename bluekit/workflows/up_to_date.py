"""A rebuild with nothing changed, told without planning anything.

A complete build records in its manifest a digest of everything the kit was made from: the
campaign file, the contacts file, the output folder, bluekit's own code, templates and artwork,
and the versions of every installed library. The next build computes the same digest first; if
it is the same and every file of the kit is still on disk as written, nothing can have changed,
and the build is done in a few hundredths of a second instead of validating the campaign and
planning 1,950 files. Anything else (a changed text, a new library, a deleted file, a build
of part of the kit into the same folder) takes the ordinary way, which makes only what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from bluekit.pipeline.manifest import build_record, unchanged_on_disk
from bluekit.pipeline.report import BuildReport

# The campaign's year as written on its own line at the top level ("year: 2024"): only to guess
# the default output folder before the file is read; a wrong guess just finds no record there.
_YEAR = re.compile(rb"^year:\s*(\d{4})\s*(?:#.*)?$", re.MULTILINE)


def inputs_digest(campaign_digest: str, contacts_path: Path | None, out_dir: Path) -> str:
    """The digest of what a complete build into `out_dir` is made from (`campaign_digest`: the
    campaign file's, from `file_digest`)."""
    digest = hashlib.sha256()
    for part in (
        "bluekit-build-v1", sys.version, str(out_dir.resolve()), _code_digest(),
        *_installed_distributions(), campaign_digest,
        str(contacts_path), file_digest(contacts_path) if contacts_path else "",
    ):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def default_out_guess(campaign_path: Path) -> Path | None:
    """dist/<year> as the campaign file names its year, or None."""
    try:
        found = _YEAR.findall(campaign_path.read_bytes())
    except OSError:
        return None
    return Path("dist") / found[0].decode() if len(found) == 1 else None


def unchanged_build(
    campaign_path: Path, out_dir: Path | None, contacts: Path | None
) -> tuple[Path, BuildReport] | None:
    """The report of a build with nothing to do, when the last complete build into the folder
    was made from exactly these inputs and left every file as it is; else None."""
    out = out_dir or default_out_guess(campaign_path)
    if out is None:
        return None
    record = build_record(out)
    if record is None or record.get("contacts_given") != _name(contacts):
        return None
    if record.get("output_intent"):  # the last build used a print shop's profile
        return None
    recorded_contacts = record.get("contacts")
    contacts_path = Path(recorded_contacts) if isinstance(recorded_contacts, str) else None
    if record.get("digest") != inputs_digest(file_digest(campaign_path), contacts_path, out):
        return None
    files: dict[str, Any] = record["files"]
    if not all(unchanged_on_disk(os.path.join(out, name), entry) for name, entry in files.items()):
        return None
    return out, BuildReport(unchanged=list(files))


def record_for(
    campaign_digest: str, contacts_path: Path | None, out_dir: Path, contacts_given: Path | None,
    output_intent: Path | None = None,
) -> dict[str, Any]:
    """What a complete build records. Its digests are taken before the build reads the files
    (the campaign's before it is loaded, the contacts' before they are read): a file changed
    while the build runs then makes the next build take the ordinary way."""
    return {
        "digest": inputs_digest(campaign_digest, contacts_path, out_dir),
        "contacts": _name(contacts_path),
        "contacts_given": _name(contacts_given),
        "output_intent": _name(output_intent),
    }


def _name(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes ("missing" if it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


@cache
def _code_digest() -> str:
    """bluekit's own files: code, templates, strings and artwork (an editable install can
    change without a new version number)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(json.dumps(str(path.relative_to(package))).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _installed_distributions() -> tuple[str, ...]:
    """The name and version of every installed library (Typst, the fonts, Babel...), as their
    metadata folders are named: an upgrade changes how files come out."""
    found: list[str] = []
    # the folders libraries are installed in, not the current folder Python also searches
    for folder in (p for p in sys.path if p.endswith(("site-packages", "dist-packages"))):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found += [n for n in names if n.endswith((".dist-info", ".egg-info"))]
    return tuple(sorted(found))
