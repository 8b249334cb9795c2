"""What of a folder's entries an import may take: plain files only. A symlinked file is
never followed out of the folder being imported, a symlink loop is skipped, and a name that
is not UTF-8 (it could not be written into metadata.json) is reported, never imported."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path

from tensorshelf.error_info import ErrorInfo
from tensorshelf.library.layout import is_inside

log = logging.getLogger(__name__)

Reject = Callable[[Path, str], None]


def rejection(path: Path | str, reason: str) -> ErrorInfo:
    """An input left out of a plan, in the one error shape (details.path names it; a name that
    is not UTF-8 is shown escaped, its raw bytes kept in details.path_bytes as hex)."""
    raw = os.fsencode(path)
    shown = raw.decode("utf-8", "backslashreplace")
    details: dict[str, str] = {"path": shown}
    if undecodable(path):
        details["path_bytes"] = raw.hex()
    return ErrorInfo(code="rejected", message=reason, details=details)


def undecodable(path: Path | str) -> bool:
    """A name that is not valid UTF-8 (its bytes came through as surrogate escapes): it could
    not be written into metadata.json, so such a file is reported, never imported."""
    try:
        os.fsdecode(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


NOT_UTF8 = "its name is not valid UTF-8 (rename it to import it)"


def outside(path: str | Path, top: Path) -> bool:
    """A symlink whose target is not inside `top` (the folder being imported)."""
    return not is_inside(Path(os.path.realpath(top)), Path(os.path.realpath(path)))


def link_target_kind(entry: os.DirEntry[str]) -> str:
    """What a symlink points at: "file", "dir", "loop" or "other" (dangling, device …)."""
    try:
        if entry.is_file():
            return "file"
        return "dir" if entry.is_dir() else "other"
    except OSError as exc:
        return "loop" if exc.errno == errno.ELOOP else "other"


def regular_files(entries: list[os.DirEntry[str]], top: Path, reject: Reject) -> list[str]:
    """The names of the plain files among `entries`. A symlinked file is never followed out
    of `top`: one pointing outside is reported and skipped; one pointing inside is the file it
    names, imported from its own place (so nothing is taken twice)."""
    names = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if undecodable(entry.name):
            reject(Path(entry.path), NOT_UTF8)
            continue
        if entry.is_symlink():
            target = link_target_kind(entry)
            if target == "loop":
                reject(Path(entry.path), "symbolic link loop: not followed")
            elif target == "file" and outside(entry.path, top):
                reject(Path(entry.path), "symlink to a file outside the dropped folder: "
                              "not followed")  # fmt: skip
            continue
        if entry.is_file(follow_symlinks=False):
            names.append(entry.name)
    return names


def listing(directory: Path) -> list[str]:
    """The files beside a dropped file (its companions' candidates): plain files only."""
    try:
        with os.scandir(directory) as entries:
            return sorted(
                e.name
                for e in entries
                if e.is_file(follow_symlinks=False) and not undecodable(e.name)
            )
    except OSError as exc:
        log.warning("cannot list %s: %s", directory, exc)
        return []
