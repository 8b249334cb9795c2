"""Whether a process id is alive on this machine (for leftovers of killed processes), and
when a process started, as a value that tells a pid's reuse apart."""

from __future__ import annotations

import os

import psutil

_HAS_PROC = os.path.exists("/proc/self/stat")  # Linux: per-process stat files
# /proc/<pid>/stat's field 22, starttime (clock ticks since boot), counted from field 3 (the
# first after "(comm)", a name that may hold spaces and parentheses)
_START_TIME_INDEX = 19


def pid_alive(pid: int) -> bool:
    """True if a process `pid` exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_start(pid: int) -> float | None:
    """When process `pid` started, in seconds: since boot where /proc says it (a value no
    clock adjustment moves — psutil's create_time is boot time + that, and an NTP step of the
    wall clock moved it, so a living job's owner looked like a reused pid), else since the
    epoch (psutil). None if there is no such process or it may not be inspected."""
    if _HAS_PROC:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            return None
        fields = stat[stat.rfind(b")") + 2 :].split()
        return int(fields[_START_TIME_INDEX]) / os.sysconf("SC_CLK_TCK")
    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
