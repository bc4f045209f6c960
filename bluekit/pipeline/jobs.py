"""What a generator plans: a file's path in the output folder and the job that makes it.

A job is one of three kinds: a Typst render (`render.Job`, done in the rendering processes), a
file whose bytes are known while planning (`StaticJob`), or a derived job, made in the end from
other planned files once they are on disk (`ZipJob`, `LazyJob`, an e-mail, a JPEG from its
PNG). Every job has a fingerprint: a hash of everything it is made from.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol, TypeGuard

from bluekit.errors import OutputError
from bluekit.pipeline.render import Job

STORED_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".pdf", ".zip"})


@dataclass(frozen=True)
class StaticJob:
    """A file whose content is made while planning (texts, CSV, HTML): no renderer needed."""

    content: bytes
    label: str = ""
    template: str = "static"

    def fingerprint(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ZipJob:
    """A ZIP of other planned files, made after them; the same members give the same bytes."""

    members: tuple[tuple[str, str, str], ...]  # (name in the archive, path in out dir, fingerprint)
    label: str = ""
    template: str = "zip"

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(["zip-v2", self.members]).encode()).hexdigest()

    def build(self, out_dir: Path) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, path, _ in self.members:
                try:
                    content = (out_dir / path).read_bytes()
                except FileNotFoundError:
                    raise OutputError(
                        f"{self.label}: {path} is missing, the ZIP cannot be made"
                    ) from None
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                # Images and PDFs are compressed already: deflating them again costs seconds
                # and saves nothing.
                stored = PurePosixPath(name).suffix.lower() in STORED_SUFFIXES
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, content)
        return buffer.getvalue()


@dataclass(frozen=True)
class LazyJob:
    """A file made in this process only when it must be written, from inputs summed up in
    `key`: planning stays cheap when nothing changed (e.g. 565 calendar files)."""

    key: str
    make: Callable[[], bytes]
    label: str = ""
    template: str = "lazy"

    def fingerprint(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()

    def build(self, out_dir: Path) -> bytes:
        return self.make()


class DerivedJob(Protocol):
    """A file made from other planned files after they are written (a ZIP, an e-mail with its
    attachments): built in this process, last.

    It may also have `needs` (the planned files it reads, see `inputs_of`), `in_pool` (true: built
    in a rendering process, as it is worth a core) and `heavy` (see `render.Job.heavy`).
    """

    @property
    def label(self) -> str: ...

    @property
    def template(self) -> str: ...

    def fingerprint(self) -> str: ...

    def build(self, out_dir: Path) -> bytes: ...


AnyJob = Job | StaticJob | DerivedJob


def is_derived(job: AnyJob) -> TypeGuard[DerivedJob]:
    """Whether a job is made from other planned files (it has a `build`)."""
    return hasattr(job, "build")


def inputs_of(job: AnyJob) -> tuple[str, ...]:
    """The planned files a derived job reads (its `needs`, or a ZIP's members)."""
    if isinstance(job, ZipJob):
        return tuple(path for _, path, _ in job.members)
    return tuple(getattr(job, "needs", ()))


@dataclass(frozen=True)
class PlannedOutput:
    """A file a generator wants: its path inside the output folder and the job that makes it."""

    path: str  # POSIX path relative to the output folder, e.g. "posters/poster-A3-nl.pdf"
    job: AnyJob

    def __post_init__(self) -> None:
        pure = PurePosixPath(self.path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise ValueError(f"output path must stay inside the output folder: {self.path!r}")
