"""Hand memory the renderer has freed back to the system, so the build stays within its budget.

A large raster (an A2 poster as an image) makes the C allocator grow its heap by some 50 MB.
Once the picture is written that memory is free, but glibc keeps it for reuse and the process
stays that large until it ends; with one renderer per core that adds up. `malloc_trim` returns
it. Trimming costs a few milliseconds, so it is done only when the process has grown markedly.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from functools import cache

GROWTH_MB = 16.0  # trim once the process has grown this much since the last trim


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where there is none (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def can_trim() -> bool:
    """Whether this platform's allocator can hand freed memory back on request."""
    return _malloc_trim() is not None


def resident_mb() -> float | None:
    """This process's resident memory in MB (Linux), or None where it cannot be read cheaply."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


class Trimmer:
    """Trims the heap after a job when the process has grown by `growth_mb` since the last
    trim: after the large rasters, not after every letter."""

    def __init__(self, growth_mb: float = GROWTH_MB) -> None:
        self.growth_mb = growth_mb
        self.baseline = resident_mb()

    def after_job(self) -> bool:
        """Trim if the process has grown enough; True when it trimmed."""
        trim = _malloc_trim()
        if trim is None:
            return False
        now = resident_mb()
        if now is None or self.baseline is None:
            return False
        if now - self.baseline < self.growth_mb:
            return False
        trim(0)
        self.baseline = resident_mb() or now
        return True
