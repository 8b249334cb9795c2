"""Reconcile models.db with the metadata.json files on disk.

`scan` is incremental: it stats each model dir's metadata.json and re-reads only those
whose stat data changed (or that are not indexed); weight files are only ever stat()ed,
to find phantoms. `rebuild` (deep scan) reads every metadata.json into a fresh temporary
database and then swaps it in (see `index_swap`)."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import CorruptMetadata, FileAccessError
from tensorshelf.io.types import CancelToken
from tensorshelf.library.index.schema import DirStamp, IndexRow, build_row
from tensorshelf.library.index.store import Index
from tensorshelf.library.index.swap import build_fresh_index
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.metadata.files import read_metadata_file, walk_model_dirs
from tensorshelf.library.models import RebuildReport, ScanReport

log = logging.getLogger(__name__)

# A model is a phantom when a file it needs to load is gone; a lost preview or sidecar
# does not make it one (verify still reports those as missing).
ESSENTIAL_ROLES: tuple[str, ...] = ("weights", "index", "config", "tokenizer")

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

    def dirs(self) -> list[tuple[str, str, os.DirEntry[str]]]:
        """(absolute dir, library-relative "/" path, metadata.json entry) of each model."""
        sep_fix = os.sep != "/"
        out = []
        for path, entry in walk_model_dirs(self.root, self._walk_error, self.sweep_temps):
            rel = path[self._cut :]
            out.append((path, rel.replace(os.sep, "/") if sep_fix else rel, entry))
        return out

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


def scan(library_root: Path, index: Index) -> ScanReport:
    """Bring the index in line with disk, re-reading only changed metadata.json files
    (the caller holds the writer lock)."""
    walk = _Walk(library_root, sweep_temps=True)
    state = index.scan_state()
    indexed_paths = {model_id: path for path, (model_id, _stamp) in state.items()}
    files = index.file_paths(ESSENTIAL_ROLES)
    report = ScanReport()
    upserts: list[IndexRow] = []
    reported_ids: set[str] = set()
    for model_dir, rel, entry in walk.dirs():
        known = state.get(rel)
        if known is not None and known[1] is not None:
            try:
                current = DirStamp.from_stat(entry.stat(follow_symlinks=False)).as_tuple()
            except FileNotFoundError:
                continue
            if current == known[1]:
                model_id = known[0]
                missing = missing_files(model_dir, files.get(model_id, ()))
                if missing:
                    walk.phantom(rel, missing)
                    reported_ids.add(model_id)
                elif walk.claim(model_id, rel, entry.path):
                    report.unchanged += 1
                continue
        row = walk.read(model_dir, rel, entry)
        if row is None:
            if known is not None:  # corrupt or phantom now: reported as such, not as removed
                reported_ids.add(known[0])
            continue
        upserts.append(row)
        (report.added if row.id not in indexed_paths else report.updated).append(rel)
    removals = [i for i in indexed_paths if i not in walk.seen_ids]
    report.removed = sorted(indexed_paths[i] for i in removals if i not in reported_ids)
    if upserts or removals:
        index.apply_changes(upserts, removals)
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
