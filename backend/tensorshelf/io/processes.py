"""Whether a process id is alive on this machine (for leftovers of killed processes)."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True if a process `pid` exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
