"""Reconcile models.db with the metadata.json files on disk.

`scan` is incremental: it stats each model dir's metadata.json and re-reads only those
whose stat data changed (or that are not indexed); weight files are only ever stat()ed,
to find phantoms. `rebuild` (deep scan) reads every metadata.json into a fresh temporary
database and then swaps it in (see `index_swap`)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import stat
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from tensorshelf import settings
from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import CorruptMetadata, FileAccessError
from tensorshelf.io.types import CancelToken
from tensorshelf.library.index.scan_queries import IndexedDir
from tensorshelf.library.index.schema import (
    ESSENTIAL_ROLES,
    MODEL_COLUMNS,
    SUBDIRS_COLUMN,
    DirStamp,
    FolderStamp,
    IndexRow,
    build_row,
)
from tensorshelf.library.index.store import Index
from tensorshelf.library.index.swap import build_fresh_index
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.metadata.files import read_metadata_file, walk_model_dirs
from tensorshelf.library.models import RebuildReport, ScanReport
from tensorshelf.settings import METADATA_FILE

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


def missing_files(model_dir: str | Path, rel_paths: Iterable[str]) -> list[str]:
    """The listed files that are not regular files on disk (stat only, never opened)."""
    base = os.fspath(model_dir)
    missing = []
    for rel in rel_paths:
        try:
            if not stat.S_ISREG(os.stat(f"{base}/{rel}").st_mode):
                missing.append(rel)
        except OSError:
            missing.append(rel)
    return missing


def essential_paths(meta: ModelMetadata) -> list[str]:
    return [f.path for f in meta.files if f.role in ESSENTIAL_ROLES]


class _Walk:
    """State shared by scan and rebuild while they visit model dirs."""

    def __init__(self, library_root: Path, sweep_temps: bool = False) -> None:
        self.root = os.fspath(library_root)
        self.sweep_temps = sweep_temps
        self._cut = len(self.root.rstrip(os.sep)) + 1
        self.errors: list[ErrorInfo] = []
        self.unreadable: list[ErrorInfo] = []  # details.path: the library-relative model dir
        self.phantoms: list[str] = []
        self.seen_ids: dict[str, str] = {}  # id → path that claimed it

    def rel(self, path: str) -> str:
        """The library-relative "/" path of an absolute path under the root."""
        rel = path[self._cut :]
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def dirs(self, settled: set[str] | None = None) -> list[tuple[str, str, os.DirEntry[str]]]:
        """(absolute dir, library-relative "/" path, metadata.json entry) of each model
        (but those in `settled`, taken out of it as the walk reaches them)."""
        walked = walk_model_dirs(self.root, self._walk_error, self.sweep_temps, settled)
        return [(path, self.rel(path), entry) for path, entry in walked]

    def _walk_error(self, path: Path, exc: OSError) -> None:
        self.errors.append(
            FileAccessError(f"cannot list {path}: {exc.strerror or exc}", path=str(path)).info()
        )

    def claim(self, model_id: str, rel: str, meta_path: str) -> bool:
        """False (and an error entry) when another dir already holds this id."""
        other = self.seen_ids.get(model_id)
        if other is not None:
            self.errors.append(
                CorruptMetadata(
                    f"{meta_path}: duplicate model id {model_id} (also at {other}); not indexed",
                    path=meta_path,
                ).info()
            )
            return False
        self.seen_ids[model_id] = rel
        return True

    def phantom(self, rel: str, missing: list[str]) -> None:
        log.warning("phantom model %s: missing %s", rel, ", ".join(missing))
        self.phantoms.append(rel)

    def read(self, model_dir: str, rel: str, entry: os.DirEntry[str]) -> IndexRow | None:
        """Stat, read and check one model dir; None if it is corrupt, duplicate or phantom."""
        try:
            stamp = DirStamp.from_stat(entry.stat(follow_symlinks=False))
            meta = read_metadata_file(entry.path)
        except FileNotFoundError:
            return None  # vanished between listing and stat
        except CorruptMetadata as exc:
            log.warning("%s", exc.message)
            self.errors.append(exc.info())
            self.unreadable.append(
                ErrorInfo(code="unreadable", message=exc.message, details={"path": rel})
            )
            return None
        missing = missing_files(model_dir, essential_paths(meta))
        if missing:
            self.phantom(rel, missing)
            return None
        if not self.claim(meta.id, rel, entry.path):
            return None
        return build_row(meta, rel, stamp)


def unreadable_rows(found: list[ErrorInfo]) -> list[tuple[str, str, str]]:
    """The index's `unreadable` rows for these findings."""
    return [(str(e.details["path"]), e.code, e.message) for e in found]


class _Settled:
    """The model dirs unchanged since scan last checked every file they need: their folder
    stamp and their metadata.json stamp both as recorded (two stats each, by parent dir, no
    listing, no stat of their weights). The walk asks before it lists a dir; a dir the walk
    never reaches (its parent became a symlink, say) is not counted. For every other known
    dir it keeps the folder stamp seen, before the walk listed it, for `record`."""

    def __init__(self, walk: _Walk, state: dict[str, IndexedDir], settle_ns: int) -> None:
        self._walk = walk
        self._newest_ns = time.time_ns() - settle_ns  # a younger mtime may still change unseen
        self._candidates: dict[str, tuple[str, str]] = {}  # absolute dir → (rel, id)
        # rel → (settled folder stamp, the sub-folders it covers)
        self.seen: dict[str, tuple[FolderStamp, tuple[str, ...]]] = {}
        self.unchanged = 0
        by_parent: dict[str, list[tuple[str, str, IndexedDir]]] = {}
        for rel, known in state.items():
            parent, _, name = rel.rpartition("/")
            by_parent.setdefault(parent, []).append((name, rel, known))
        for parent, children in by_parent.items():  # (threads lose: GIL hand-offs per stat)
            self._check(parent, children)

    def _check(self, parent: str, children: list[tuple[str, str, IndexedDir]]) -> None:
        # the hot loop of an unchanged library (two stats per model, ~3 µs each): fields
        # compared as they are, no stamp tuple built for a dir found unchanged
        base = f"{self._walk.root}/{parent}" if parent else self._walk.root
        newest_ns, seen, candidates = self._newest_ns, self.seen, self._candidates
        is_dir = stat.S_ISDIR
        with _DirHandle(base) as stat_in:
            if stat_in is None:
                return
            for name, rel, known in children:
                try:
                    st = stat_in(name)
                    if not is_dir(st.st_mode):
                        continue
                    mtime_ns, ctime_ns = st.st_mtime_ns, st.st_ctime_ns
                    if known.subdirs_text:
                        mtime_ns, ctime_ns = _nested_stamp(stat_in, name, known.subdirs, st)
                    if mtime_ns == known.dir_mtime_ns and ctime_ns == known.dir_ctime_ns:
                        m = stat_in(f"{name}/{METADATA_FILE}")  # as DirStamp records it
                        if (
                            m.st_mtime_ns == known.meta_mtime_ns
                            and m.st_size == known.meta_size
                            and m.st_ino == known.meta_ino
                            and m.st_ctime_ns == known.meta_ctime_ns
                        ):
                            candidates[f"{base}/{name}"] = (rel, known.id)
                            continue
                except (OSError, _NotADir):
                    continue
                if mtime_ns <= newest_ns:  # to record if the dir is found complete
                    seen[rel] = ((mtime_ns, ctime_ns), known.subdirs)

    def walk(self) -> list[tuple[str, str, os.DirEntry[str]]]:
        """The walk's model dirs but the unchanged ones, which are claimed (and counted) as
        the walk reaches them."""
        unreached = set(self._candidates)  # the walk takes out each one it reaches
        dirs = self._walk.dirs(unreached)
        reached = {
            model_id: rel
            for path, (rel, model_id) in self._candidates.items()
            if path not in unreached
        }
        # ids are unique in the index (and nothing else is claimed yet): no duplicate here
        self._walk.seen_ids.update(reached)
        self.unchanged = len(reached)
        return dirs

    def record(self, rel: str, subdirs: tuple[str, ...]) -> FolderStamp | None:
        """The folder stamp to record for a dir found complete with files needed in these
        sub-folders, if one was taken over the same sub-folders."""
        seen = self.seen.get(rel)
        return seen[0] if seen is not None and seen[1] == subdirs else None


StatIn = Callable[[str], os.stat_result]  # a name under the dir, a symlink not followed


class _DirHandle:
    """Stats of names under one dir: relative to an open descriptor where the platform has
    dir_fd (one path component looked up per stat), else by full path. None if the dir
    cannot be opened."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> StatIn | None:
        if os.stat not in os.supports_dir_fd:
            return lambda name: os.stat(f"{self._path}/{name}", follow_symlinks=False)
        try:
            self._fd = os.open(self._path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return None
        return functools.partial(os.stat, dir_fd=self._fd, follow_symlinks=False)

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)


class _NotADir(Exception):
    """A sub-folder a folder stamp covers is not a dir (any more)."""


def _nested_stamp(
    stat_in: StatIn, name: str, subdirs: tuple[str, ...], own: os.stat_result
) -> FolderStamp:
    """The FolderStamp of dir `name` (stat `own`) over itself and `subdirs`: the newest
    mtime, the sum of the ctimes."""
    latest, ctimes = own.st_mtime_ns, own.st_ctime_ns
    for sub in subdirs:
        st = stat_in(f"{name}/{sub}")
        if not stat.S_ISDIR(st.st_mode):
            raise _NotADir(sub)
        latest, ctimes = max(latest, st.st_mtime_ns), ctimes + st.st_ctime_ns
    return (latest, ctimes)


_SUBDIRS = MODEL_COLUMNS.index(SUBDIRS_COLUMN)


def _subdirs(row: IndexRow) -> tuple[str, ...]:
    text = row.model[_SUBDIRS]
    return tuple(text.split("\n")) if text else ()


def scan(
    library_root: Path, index: Index, settle_ns: int = settings.SCAN_DIR_SETTLE_NS
) -> ScanReport:
    """Bring the index in line with disk, re-reading only changed metadata.json files and
    listing only model dirs changed since the last scan (the caller holds the writer lock)."""
    walk = _Walk(library_root, sweep_temps=True)
    state = index.scan_state()
    indexed_paths = {known.id: path for path, known in state.items()}
    settled = _Settled(walk, state, settle_ns)
    dirs = settled.walk()
    files = index.file_paths(ESSENTIAL_ROLES, (state[rel].id for _, rel, _ in dirs if rel in state))
    report = ScanReport(unchanged=settled.unchanged)
    upserts: list[IndexRow] = []
    stamps: list[tuple[str, FolderStamp]] = []  # (id, folder stamp) of dirs found complete
    reported_ids: set[str] = set()
    for model_dir, rel, entry in dirs:
        known = state.get(rel)
        if known is not None and known.meta is not None:
            try:
                current = DirStamp.from_stat(entry.stat(follow_symlinks=False)).as_tuple()
            except FileNotFoundError:
                continue
            if current == known.meta:
                needed = files.get(known.id, [])
                missing = missing_files(model_dir, needed)
                if missing:
                    walk.phantom(rel, missing)
                    reported_ids.add(known.id)
                elif walk.claim(known.id, rel, entry.path):
                    report.unchanged += 1
                    if (stamp := settled.record(rel, known.subdirs)) is not None:
                        stamps.append((known.id, stamp))
                continue
        row = walk.read(model_dir, rel, entry)
        if row is None:
            if known is not None:  # corrupt or phantom now: reported as such, not as removed
                reported_ids.add(known.id)
            continue
        upserts.append(row)
        if (stamp := settled.record(rel, _subdirs(row))) is not None:
            stamps.append((row.id, stamp))
        (report.added if row.id not in indexed_paths else report.updated).append(rel)
    removals = [i for i in indexed_paths if i not in walk.seen_ids]
    report.removed = sorted(indexed_paths[i] for i in removals if i not in reported_ids)
    if upserts or removals:
        index.apply_changes(upserts, removals)
    if stamps:
        index.set_folder_stamps(stamps)
    index.set_unreadable(unreadable_rows(walk.unreadable))
    report.phantoms, report.errors, report.unreadable = walk.phantoms, walk.errors, walk.unreadable
    log.info(
        "scan: %d added, %d updated, %d removed, %d unchanged, %d phantoms, %d errors",
        len(report.added),
        len(report.updated),
        len(report.removed),
        report.unchanged,
        len(report.phantoms),
        len(report.errors),
    )
    return report


def rebuild(
    library_root: Path,
    db_path: Path,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    around_swap: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
) -> RebuildReport:
    """Deep scan: index every metadata.json into a temp DB, then swap it over `db_path`.

    Readers of the old index keep their view until the swap; a cancel leaves the old
    index untouched. Progress is (models done, models found)."""
    walk = _Walk(library_root)
    dirs = walk.dirs()
    total = len(dirs)
    if on_progress is not None:
        on_progress(0, total)

    def rows() -> Iterable[IndexRow]:
        for done, (model_dir, rel, entry) in enumerate(dirs, 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            row = walk.read(model_dir, rel, entry)
            if row is not None:
                yield row
            if on_progress is not None:
                on_progress(done, total)

    indexed = build_fresh_index(db_path, rows(), around_swap)
    report = RebuildReport(
        models_found=total,
        models_indexed=indexed,
        phantoms=walk.phantoms,
        errors=walk.errors,
        unreadable=walk.unreadable,
    )
    log.info(
        "rebuild: %d found, %d indexed, %d phantoms, %d errors",
        total,
        indexed,
        len(walk.phantoms),
        len(walk.errors),
    )
    return report
