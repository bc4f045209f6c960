"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The data goes to a temporary file in the same folder, is flushed to disk, then renamed over the
target; an interruption (Ctrl-C, crash, full disk) leaves the previous file untouched and no
partial file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from bluekit.errors import OutputError


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, creating parent folders as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise OutputError(
                f"{path}: cannot be written ({exc.strerror})",
                hint="check that the folder exists, is writable and the disk is not full",
            ) from None
        raise


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write text atomically (newlines as given)."""
    write_atomic(path, text.encode(encoding))


def create_atomic(path: Path, data: bytes) -> None:
    """Write a new file atomically; fail if `path` exists, even if it appears meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)  # unlike rename, link never replaces an existing file
    except FileExistsError:
        raise OutputError(
            f"{path} already exists", hint="bluekit never overwrites it: move it away first"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
