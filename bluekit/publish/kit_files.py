"""The built files of the kit that are published, checked against the build's manifest: each
must be on disk as the build wrote it and made from the campaign as it is now, or the partners
would get an old poster or a post with last week's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bluekit.errors import BluekitError
from bluekit.pipeline.jobs import PlannedOutput
from bluekit.pipeline.manifest import read_manifest, unchanged_on_disk


class KitNotBuilt(BluekitError):
    """A file to publish is missing from the build or older than the campaign."""


@dataclass(frozen=True)
class BuiltFile:
    """A file of the built kit: where it is in the kit and on disk, its sha256 and size."""

    path: str  # POSIX path inside the kit, e.g. "posters/poster-A3-nl.pdf"
    source: Path
    sha256: str
    size: int


def built_files(planned: Sequence[PlannedOutput], out_dir: Path) -> dict[str, BuiltFile]:
    """Every planned file as built in `out_dir`, by its path; raises KitNotBuilt naming the
    files that are missing, changed by hand or made from an older campaign."""
    entries = read_manifest(out_dir)["files"]
    found: dict[str, BuiltFile] = {}
    stale: list[str] = []
    for item in planned:
        entry = entries.get(item.path)
        source = out_dir / item.path
        current = (
            isinstance(entry, dict)
            and entry.get("fingerprint") == item.job.fingerprint()
            and unchanged_on_disk(source, entry)
        )
        if not current:
            stale.append(item.path)
            continue
        assert isinstance(entry, dict)
        found[item.path] = BuiltFile(item.path, source, str(entry["sha256"]), int(entry["bytes"]))
    if stale:
        shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        raise KitNotBuilt(
            f"{out_dir}: {len(stale)} file(s) of the kit are missing or not up to date with the "
            f"campaign: {shown}",
            hint="run `bluekit build` with the same campaign file (and --out) first, then publish",
        )
    return found
