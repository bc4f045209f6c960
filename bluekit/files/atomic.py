"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The data goes to a temporary file in the same folder, is flushed to disk, then renamed over the
target; an interruption (Ctrl-C, crash, full disk) leaves the previous file untouched. A
temporary file is named after its target and the process writing it, so that one left behind by
a process that was killed (the power cut, `kill -9`) is recognised and removed by the next run
(`remove_stale_temporaries`).

A file gets the permissions the user's umask gives any new file (0644 with the usual umask), so
a colleague, a shared drive or a web server can read the kit. On Windows a file open in Excel or
Acrobat cannot be replaced (WinError 32): bluekit tries again for a moment, then names the file
and says to close it. Where the file system has no hard links (FAT, exFAT, some network drives),
a write that must not replace an existing file claims the name first instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from bluekit.errors import OutputError
from bluekit.files.processes import running

# "the user's umask decides": the mode a program asks for a new file, as open() does
_NEW_FILE_MODE = 0o666
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
# .<target name>.<pid>.<random>.tmp; older bluekits wrote .<target name>.<random>.tmp
_TEMPORARY = re.compile(r"^\.(?:.+?)\.(?:(?P<pid>\d+)\.[0-9a-f]{8}|[a-z0-9_]{8})\.tmp$")
STALE_AFTER = 3600.0  # seconds: no write takes this long, whoever wrote the file
# Windows: another program has the file open (32), or refuses access to it for now (5)
_HELD_OPEN = (5, 32)
REPLACE_TRIES = 20  # about three seconds in all, for Excel to let go of a file just closed
# a file system without hard links: Linux on FAT or exFAT, network drives; Windows' codes
_NO_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV)
_NO_LINKS_WINDOWS = (1, 50)  # ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, creating parent folders as needed."""
    tmp = _write_temporary(path, data)
    with _discarded_on_failure(tmp, path):
        _replace(tmp, path)


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write text atomically (newlines as given)."""
    write_atomic(path, text.encode(encoding))


def create_atomic(path: Path, data: bytes) -> None:
    """Write a new file atomically; fail if `path` exists, even if it appears meanwhile."""
    tmp = _write_temporary(path, data)
    try:
        try:
            os.link(tmp, path)  # unlike rename, link never replaces an existing file
        except (AttributeError, OSError) as exc:  # AttributeError: this Python has no os.link
            if isinstance(exc, FileExistsError) or not _no_links(exc):
                raise
            _claim_name(path)
            try:
                _replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    path.unlink()  # the empty file that held the name
                raise
    except FileExistsError:
        raise OutputError(
            f"{path} already exists", hint="bluekit never overwrites it: move it away first"
        ) from None
    except OSError as exc:
        raise _write_error(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _write_temporary(path: Path, data: bytes) -> Path:
    """`data` in a new temporary file beside `path`, flushed to disk."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _new_temporary(path)
    except OSError as exc:
        raise _write_error(path, exc) from None
    with _discarded_on_failure(tmp, path), os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return tmp


@contextlib.contextmanager
def _discarded_on_failure(tmp: Path, path: Path) -> Iterator[None]:
    """Remove the temporary file `tmp` if the block fails (Ctrl-C included), and turn an OSError
    into an error naming `path`, the file the user asked for."""
    try:
        yield
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from None
        raise


def _new_temporary(path: Path) -> tuple[int, Path]:
    """A new temporary file beside `path`, named after it and this process, with the mode the
    umask gives a new file (tempfile.mkstemp would make it 0600, readable by nobody else)."""
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, _FLAGS, _NEW_FILE_MODE), tmp
        except FileExistsError:  # one in four billion: draw another name
            continue


def _replace(tmp: Path, path: Path) -> None:
    """os.replace, tried again for a moment while another program holds the target open."""
    for attempt in range(REPLACE_TRIES):
        try:
            os.replace(tmp, path)
            return
        except PermissionError as exc:
            if not _held_open(exc) or attempt == REPLACE_TRIES - 1:
                raise
            time.sleep(min(0.05 * (attempt + 1), 0.3))


def _claim_name(path: Path) -> None:
    """Create `path` empty, failing if it exists: the name is this write's, and the complete
    file then replaces the empty one (for file systems without hard links)."""
    os.close(os.open(path, _FLAGS, _NEW_FILE_MODE))


def _held_open(exc: OSError) -> bool:
    return getattr(exc, "winerror", None) in _HELD_OPEN


def _no_links(exc: BaseException) -> bool:
    if isinstance(exc, AttributeError):
        return True
    assert isinstance(exc, OSError)
    return exc.errno in _NO_LINKS or getattr(exc, "winerror", None) in _NO_LINKS_WINDOWS


def _write_error(path: Path, exc: OSError) -> OutputError:
    """Why a file cannot be written, in words that say what to do."""
    if _held_open(exc):
        return OutputError(
            f"{path}: cannot be replaced, it is open in another program",
            hint="close it (in Excel, Acrobat or the PDF viewer) and run the command again",
        )
    if exc.errno == errno.ENOSPC:
        return OutputError(f"{path}: cannot be written, the disk is full",
                           hint="make room on the disk and run the command again")
    if isinstance(exc, PermissionError):
        return OutputError(f"{path}: cannot be written ({exc.strerror})",
                           hint="check that you may write in that folder")
    return OutputError(
        f"{path}: cannot be written ({exc.strerror})",
        hint="check that the folder exists, is writable and the disk is not full",
    )


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove the temporary files an ended run left in `folder` (a process killed while it
    wrote): those of a process of this machine that no longer runs, and any older than an
    hour. Returns what was removed."""
    removed: list[Path] = []
    moment = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no such folder yet
        return removed
    for entry in entries:
        found = _TEMPORARY.match(entry.name)
        if found is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(found["pid"]) if found["pid"] else None
        try:
            old = moment - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
        except OSError:
            continue
        if old or (pid is not None and pid != os.getpid() and not running(pid)):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
