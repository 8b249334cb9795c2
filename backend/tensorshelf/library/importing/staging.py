"""In-flight imports live in `<library>/.staging/<id>/` until one rename publishes them.

Ownership is an `flock` on `.staging/<id>.lock`, created *before* the dir and removed
*after* it: the kernel drops the lock when its process dies (even by SIGKILL), so a sweep
can always tell a live import from a crashed one, across processes and within one.

User files are never lost to a sweep: before a source file is *renamed* into staging (a
move on a filesystem without hard links) its original path is journaled in
`<id>/KEEP-user-files.txt`; discarding or sweeping such a dir first renames every file back,
and a dir whose files cannot be put back is kept (and logged), never deleted."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from tensorshelf import settings
from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.transfer import rename_no_replace
from tensorshelf.library.ids import new_model_id
from tensorshelf.library.layout import staging_root

log = logging.getLogger(__name__)

_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
_OPEN_FLAGS = os.O_RDWR | os.O_CLOEXEC
_LOCK_MODE = 0o644
_MAX_CREATE_ATTEMPTS = 5


@dataclass
class StagingDir:
    """One staging area, owned (flocked) by this process until released or discarded."""

    root: Path  # <library>/.staging
    id: str
    _fd: int | None = field(default=None, repr=False)
    _moves: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @property
    def path(self) -> Path:
        return self.root / self.id

    @property
    def lock_path(self) -> Path:
        return self.root / f"{self.id}{settings.STAGING_LOCK_SUFFIX}"

    @property
    def model_dir(self) -> Path:
        return self.path / settings.STAGING_MODEL_SUBDIR

    @property
    def journal_path(self) -> Path:
        return self.path / settings.STAGING_KEEP_MARKER

    # --- life cycle --------------------------------------------------------------------------
    @classmethod
    def create(cls, library_root: Path, staging_id: str | None = None) -> StagingDir:
        root = staging_root(library_root)
        root.mkdir(parents=True, exist_ok=True)
        for attempt in range(_MAX_CREATE_ATTEMPTS):
            sid = staging_id if staging_id and attempt == 0 else new_model_id()
            area = cls(root=root, id=sid)
            if area._acquire():
                area.path.mkdir()
                area.model_dir.mkdir()
                fsync_dir(root)
                return area
        raise FileExistsError(f"could not create a staging dir under {root}")

    def _acquire(self) -> bool:
        try:
            fd = os.open(self.lock_path, _LOCK_FLAGS, _LOCK_MODE)
        except FileExistsError:
            return False
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks only while a sweeper inspects it
        try:
            same = os.stat(self.lock_path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False  # a sweeper took it for stale and removed it: try another id
        if not same or self.path.exists():
            os.close(fd)
            return False
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def journal_move(self, source: Path, staged: Path) -> None:
        """Record (durably) that `source` is about to be renamed to `staged`."""
        self._moves.append((str(source), str(staged)))
        line = json.dumps({"source": str(source), "staged": str(staged)}, ensure_ascii=False)
        with open(self.journal_path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        fsync_dir(self.path)

    def forget_moves(self) -> None:
        """The moved files are published: the journal no longer protects anything."""
        self._moves.clear()
        self.journal_path.unlink(missing_ok=True)

    def discard(self) -> bool:
        """Put renamed user files back, then delete the staging dir. False if kept."""
        try:
            return _remove_area(self.path)
        finally:
            self._unlock()

    def release(self) -> None:
        """After publishing: delete what is left of the staging dir and the lock."""
        self.discard()

    def _unlock(self) -> None:
        if self._fd is None:
            return
        try:
            self.lock_path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def _restore_moves(area: Path) -> bool:
    """Rename journaled user files back to where they came from. True if none is left."""
    journal = area / settings.STAGING_KEEP_MARKER
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return True
    all_back = True
    for line in lines:
        try:
            entry = json.loads(line)
            source, staged = Path(entry["source"]), Path(entry["staged"])
        except (ValueError, KeyError, TypeError):
            log.error("unreadable move journal line in %s: %r", journal, line)
            all_back = False
            continue
        if not os.path.lexists(staged):
            continue  # never moved, or already put back
        try:
            source.parent.mkdir(parents=True, exist_ok=True)
            rename_no_replace(staged, source)
            log.warning("put %s back to %s after an interrupted move", staged, source)
        except OSError as exc:
            log.error("cannot put %s back to %s (%s); keeping %s", staged, source, exc, area)
            all_back = False
        except Exception as exc:  # noqa: BLE001 - CrossDevice etc.: keep the file, never lose it
            log.error("cannot put %s back to %s (%s); keeping %s", staged, source, exc, area)
            all_back = False
    return all_back


def _remove_area(area: Path) -> bool:
    if not os.path.lexists(area):
        return True
    if area.is_symlink() or not area.is_dir():
        area.unlink()
        return True
    if not _restore_moves(area):
        return False
    shutil.rmtree(area, ignore_errors=False)
    return True


def _try_lock(lock_path: Path) -> int | None:
    """An fd holding `lock_path`'s flock, or None if a live owner holds it (or it vanished)."""
    try:
        fd = os.open(lock_path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def sweep_staging(library_root: Path) -> list[str]:
    """Remove staging dirs whose owner is gone; return the names removed.

    A dir holding user files that cannot be put back is kept and logged, not returned."""
    root = staging_root(library_root)
    removed: list[str] = []
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError:
        return removed
    suffix = settings.STAGING_LOCK_SUFFIX
    for name in names:
        if name.endswith(suffix):
            _sweep_locked(root, name[: -len(suffix)], removed)
        elif not os.path.lexists(root / f"{name}{suffix}"):
            try:
                if _remove_area(root / name):
                    removed.append(name)
            except OSError as exc:
                log.warning("cannot remove stale staging %s: %s", root / name, exc)
    if removed:
        log.info(
            "swept %d stale staging entr%s: %s",
            len(removed),
            "y" if len(removed) == 1 else "ies",
            ", ".join(removed),
        )
    return removed


def _sweep_locked(root: Path, sid: str, removed: list[str]) -> None:
    lock_path = root / f"{sid}{settings.STAGING_LOCK_SUFFIX}"
    fd = _try_lock(lock_path)
    if fd is None:
        return  # a live import owns it
    try:
        if _remove_area(root / sid):
            lock_path.unlink(missing_ok=True)
            removed.append(sid)
    except OSError as exc:
        log.warning("cannot remove stale staging %s: %s", root / sid, exc)
    finally:
        os.close(fd)
