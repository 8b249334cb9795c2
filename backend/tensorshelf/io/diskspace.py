"""Free-space checks, so an import fails early with a clear message instead of mid-copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tensorshelf.errors import DiskFull

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_UNIT_STEP = 1024


def nearest_existing(path: str | os.PathLike[str]) -> Path:
    """`path` itself if it exists, else its closest existing ancestor."""
    current = Path(os.path.abspath(path))
    while True:
        try:
            os.stat(current)
            return current
        except (FileNotFoundError, NotADirectoryError):
            if current.parent == current:
                raise
            current = current.parent


def format_bytes(count: int) -> str:
    """Human-readable size: 1536 -> '1.5 KiB'."""
    value = float(count)
    for unit in _UNITS:
        if abs(value) < _UNIT_STEP or unit == _UNITS[-1]:
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= _UNIT_STEP
    raise AssertionError("unreachable")


def free_bytes(path: str | os.PathLike[str]) -> int:
    """Bytes available to this user on the filesystem holding `path` (or its nearest parent)."""
    return shutil.disk_usage(nearest_existing(path)).free


def disk_full_error(
    target: str | os.PathLike[str], needed_bytes: int, free: int | None = None
) -> DiskFull:
    """The DiskFull error for `target`, naming the target and the bytes needed."""
    if free is None:
        try:
            free = free_bytes(target)
        except OSError:
            free = -1
    free_text = format_bytes(free) if free >= 0 else "unknown"
    return DiskFull(
        f"Not enough space on {target}: needs {format_bytes(needed_bytes)} "
        f"({needed_bytes} bytes), {free_text} free",
        target=str(target),
        needed_bytes=needed_bytes,
        free_bytes=free,
    )


def ensure_free_space(target_dir: str | os.PathLike[str], needed_bytes: int) -> None:
    """Raise DiskFull now if `target_dir`'s filesystem has fewer than `needed_bytes` free."""
    free = free_bytes(target_dir)
    if needed_bytes > free:
        raise disk_full_error(target_dir, needed_bytes, free)
