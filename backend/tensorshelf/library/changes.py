"""What changed, for other processes: a generation number and a small change journal.

After every change, the writer (holding the writer lock) appends one JSON line to
`<library>/.tensorshelf-changes` — `{gen, host, pid, reason, changes: {id: path | null}}`
(null: the model is gone) — and then rewrites `<library>/.tensorshelf-generation` in place
with the new number. A running window watches only that one file (library.watch) and
reads the entries newer than the last generation it saw; a rebuild replays the entries
made while it ran. The journal is cut to its newer half when it grows past
CHANGE_JOURNAL_MAX_BYTES; a reader that fell behind the cut is told so (`complete=False`)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from tensorshelf import settings
from tensorshelf.io.atomic import write_bytes_atomic

log = logging.getLogger(__name__)

_TAIL_BYTES = 64 * 1024  # more than any one entry: the last complete line is in here


class ChangeEntry(BaseModel):
    gen: int
    host: str
    pid: int
    reason: str
    changes: dict[str, str | None] = Field(default_factory=dict)  # id → library path (None: gone)
    everything: bool = False  # e.g. a rebuild: re-read the whole index

    @property
    def mine(self) -> bool:
        return self.pid == os.getpid() and self.host == platform.node()


@dataclass
class ChangesSince:
    generation: int
    entries: list[ChangeEntry]
    complete: bool  # False: entries older than the journal's cut were lost — refetch all


def generation_path(root: Path) -> Path:
    return root / settings.GENERATION_FILE


def journal_path(root: Path) -> Path:
    return root / settings.CHANGE_JOURNAL_FILE


def ensure_generation_file(root: Path) -> None:
    """Create the generation file (so it can be watched before the first change)."""
    path = generation_path(root)
    if not path.exists():
        with contextlib.suppress(FileExistsError, OSError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            try:
                os.write(fd, b"0\n")
            finally:
                os.close(fd)


def current_generation(root: Path) -> int:
    try:
        text = generation_path(root).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return 0
    return int(text) if text.isdigit() else 0


def record_change(
    root: Path, reason: str, changes: dict[str, str | None], everything: bool = False
) -> int:
    """Append one entry and bump the generation (the caller holds the writer lock).
    Returns the new generation. Failures are logged, never raised: the change itself is
    done, only other windows learn of it later (at their next scan)."""
    try:
        gen = max(current_generation(root), _last_journal_gen(root)) + 1
        entry = ChangeEntry(
            gen=gen,
            host=platform.node(),
            pid=os.getpid(),
            reason=reason,
            changes=changes,
            everything=everything,
        )
        line = entry.model_dump_json().encode() + b"\n"
        with open(journal_path(root), "ab") as journal:
            journal.write(line)
            size = journal.tell()
        if size > settings.CHANGE_JOURNAL_MAX_BYTES:
            _cut(root)
        _write_generation(root, gen)
        return gen
    except OSError as exc:
        log.warning("could not record the change for other windows: %s", exc)
        return 0


def _write_generation(root: Path, gen: int) -> None:
    """Rewrite in place (same inode: a watch on the file keeps working)."""
    fd = os.open(generation_path(root), os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        data = f"{gen}\n".encode()
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def _read_entries(root: Path) -> list[ChangeEntry]:
    try:
        raw = journal_path(root).read_bytes()
    except FileNotFoundError:
        return []
    entries = []
    for line in raw.splitlines():
        try:
            entries.append(ChangeEntry.model_validate_json(line))
        except (ValidationError, json.JSONDecodeError):
            continue  # a torn last line (a writer killed mid-append)
    return entries


def _newest_entries(root: Path, newer_than: int) -> tuple[list[ChangeEntry], bool]:
    """The entries with gen > `newer_than`, oldest first, read from the journal's end (it is
    in gen order); and whether the journal reaches back to `newer_than + 1` (not cut)."""
    try:
        lines = journal_path(root).read_bytes().splitlines()
    except FileNotFoundError:
        return [], False
    found: list[ChangeEntry] = []
    for line in reversed(lines):
        try:
            entry = ChangeEntry.model_validate_json(line)
        except (ValidationError, json.JSONDecodeError):
            continue  # a torn last line (a writer killed mid-append)
        if entry.gen <= newer_than:
            return found[::-1], True
        found.append(entry)
    return found[::-1], bool(found) and found[-1].gen <= newer_than + 1


def _last_journal_gen(root: Path) -> int:
    """The newest entry's gen, from the journal's last bytes (no full read)."""
    try:
        with open(journal_path(root), "rb") as journal:
            size = journal.seek(0, os.SEEK_END)
            journal.seek(max(0, size - _TAIL_BYTES))
            tail = journal.read()
    except FileNotFoundError:
        return 0
    for line in reversed(tail.splitlines()):
        try:
            return ChangeEntry.model_validate_json(line).gen
        except (ValidationError, json.JSONDecodeError):
            continue
    return 0


def _cut(root: Path) -> None:
    entries = _read_entries(root)
    keep = entries[len(entries) // 2 :]
    write_bytes_atomic(
        journal_path(root), b"".join(e.model_dump_json().encode() + b"\n" for e in keep)
    )


def changes_since(root: Path, generation: int) -> ChangesSince:
    """Entries newer than `generation` (oldest first) and the generation now."""
    newer, reaches_back = _newest_entries(root, generation)
    now = max(current_generation(root), newer[-1].gen if newer else 0)
    complete = generation >= now or reaches_back  # else the journal was cut past it
    return ChangesSince(generation=now, entries=newer, complete=complete)
