"""Whether a process of this machine still runs: to tell what a run that was killed left behind
(a temporary file, a message it held in the send journal) from the work of one that is still at
it."""

from __future__ import annotations

import os


def running(pid: int) -> bool:
    """Whether process `pid` runs on this machine. POSIX only: on Windows `os.kill` would end
    the process, so there every process counts as running, and what it left waits for its time
    limit instead."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it runs, as another user
        return True
    return True
