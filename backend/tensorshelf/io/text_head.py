"""Reading the start of a small text file someone else wrote (a version file, a pointer
file, /proc entries): at most a limit of characters, undecodable bytes replaced, and ""
when it cannot be read — callers treat a missing or odd file as "no information"."""

from __future__ import annotations

from pathlib import Path

HEAD_CHARS = 64 * 1024


def read_head(path: Path, limit: int = HEAD_CHARS) -> str:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as f:
            return f.read(limit)
    except OSError:
        return ""
