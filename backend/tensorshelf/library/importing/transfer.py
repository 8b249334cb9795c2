"""Bring one model's files into its staging dir — copy, move or link — hashing each once.

copy  : `copy_with_hashes` (each source byte read once; copy + SHA-256 + BLAKE3 in one pass).
move  : same filesystem → hard-link into staging and hash in place (the source disappears
        only after publishing, by unlinking its name — the inode is the library's);
        without hard-link support → rename (journaled, so a crash or failure puts it back);
        other filesystem → copy + hash, then re-hash the library copy from disk to verify.
link  : hard-link into staging (same filesystem only) and hash in place.
The hash cache answers for files it already knows (same dev/inode/size/mtime)."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tensorshelf import settings
from tensorshelf.errors import CrossDevice, ImportFailed, SourceChanged
from tensorshelf.io.copying import copy_with_hashes
from tensorshelf.io.diskspace import ensure_free_space
from tensorshelf.io.hash_cache import HashCache, stamp
from tensorshelf.io.hashing import hash_file
from tensorshelf.io.transfer import hardlink, rename_no_replace, same_filesystem
from tensorshelf.io.types import CancelToken, FileHashes, ProgressFn
from tensorshelf.library.importing.progress import ImportReporter
from tensorshelf.library.importing.staging import StagingDir
from tensorshelf.library.models import ImportMode
from tensorshelf.library.pause import NO_PAUSE, PausePoints

log = logging.getLogger(__name__)

How = Literal["copied", "linked", "renamed"]
# Filesystems without hard links answer with one of these.
_NO_HARDLINK = {
    errno.EPERM,
    errno.EMLINK,
    errno.ENOTSUP,
    errno.EOPNOTSUPP,
    errno.ENOSYS,
    errno.EACCES,
}


@dataclass
class StagedFile:
    rel: str
    source: Path
    staged: Path
    hashes: FileHashes
    hashed_stat: os.stat_result  # the staged file's stat while it was hashed
    how: How
    source_stat: os.stat_result  # lstat of the source before anything was done
    keep_source: bool = False  # move mode: this source must stay (e.g. it is a symlink)


class Transfer:
    def __init__(
        self,
        staging: StagingDir,
        mode: ImportMode,
        reporter: ImportReporter,
        cancel: CancelToken | None,
        hash_cache: HashCache | None,
        warnings: list[str],
        pause: PausePoints = NO_PAUSE,
    ) -> None:
        self.pause = pause
        self.staging = staging
        self.mode = mode
        self.reporter = reporter
        self.cancel = cancel
        self.hash_cache = hash_cache
        self.warnings = warnings

    def _check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def run(self, root: Path, rel_files: list[str]) -> list[StagedFile]:
        sources = [(rel, root.joinpath(*rel.split("/"))) for rel in rel_files]
        stats = {rel: os.lstat(src) for rel, src in sources}
        self._ensure_space(root, sources)
        staged: list[StagedFile] = []
        for rel, src in sources:
            self._check_cancel()
            dst = self.staging.model_dir.joinpath(*rel.split("/"))
            dst.parent.mkdir(parents=True, exist_ok=True)
            staged.append(self._one(rel, src, dst, stats[rel]))
        return staged

    def _ensure_space(self, root: Path, sources: list[tuple[str, Path]]) -> None:
        """Fail before copying anything when the library cannot hold the copies."""
        if self.mode == "link":
            return
        if self.mode == "move" and same_filesystem(root, self.staging.model_dir):
            return
        needed = sum(os.stat(src).st_size for _rel, src in sources)
        needed += settings.INDEX_SPACE_RESERVE_BYTES  # room left to index it afterwards
        ensure_free_space(self.staging.model_dir, needed)

    def _one(self, rel: str, src: Path, dst: Path, st: os.stat_result) -> StagedFile:
        if self.mode == "copy":
            return self._copy(rel, src, dst, st)
        if self.mode == "link":
            return self._link(rel, src, dst, st)
        return self._move(rel, src, dst, st)

    # --- copy ------------------------------------------------------------------------------
    def _copy(
        self, rel: str, src: Path, dst: Path, st: os.stat_result, verify: bool = False
    ) -> StagedFile:
        size = os.stat(src).st_size
        progress = self._pausing_midway(self.reporter.bytes("copying", rel, size), size)
        hashes = copy_with_hashes(src, dst, progress, self.cancel)
        if verify:
            self._verify_copy(rel, dst, hashes)
        return StagedFile(rel, src, dst, hashes, os.stat(dst), "copied", st)

    def _pausing_midway(self, progress: ProgressFn, size: int) -> ProgressFn:
        """`progress`, reaching the `mid_copy` pause point once half the file is copied."""
        done = 0

        def on_delta(delta: int) -> None:
            nonlocal done
            before, done = done, done + delta
            progress(delta)
            if before * 2 < size <= done * 2:
                self.pause.reached("mid_copy")

        return on_delta

    def _verify_copy(self, rel: str, dst: Path, expected: FileHashes) -> None:
        """Re-read the library copy (from disk, not the page cache) and compare."""
        _drop_page_cache(dst)
        actual = hash_file(dst, self.reporter.bytes("verifying", rel, expected.size), self.cancel)
        if (actual.sha256, actual.blake3, actual.size) != (
            expected.sha256,
            expected.blake3,
            expected.size,
        ):
            raise ImportFailed(
                f"the library copy of {rel} does not match its source "
                f"(sha256 {actual.sha256} != {expected.sha256}); the source "
                "was left in place",
                file=rel,
            )

    # --- link ------------------------------------------------------------------------------
    def _link(self, rel: str, src: Path, dst: Path, st: os.stat_result) -> StagedFile:
        known = self._known(src)
        try:
            hardlink(src, dst)
        except CrossDevice as exc:
            raise CrossDevice(
                f"cannot link {src}: link mode needs the file on the same filesystem as the "
                f"library ({self.staging.root.parent}); import it with copy instead",
                **exc.details,
            ) from exc
        return StagedFile(rel, src, dst, *self._hash_in_place(rel, dst, known), "linked", st)

    def _known(self, src: Path) -> tuple[FileHashes, os.stat_result] | None:
        """The hash cache's hashes of `src` and the stat they hold for, taken just before our
        own link or rename changes its ctime (which would invalidate the entry)."""
        if self.hash_cache is None:
            return None
        before = os.stat(src)
        cached = self.hash_cache.get(src)
        return None if cached is None else (cached, before)

    def _hash_in_place(
        self, rel: str, path: Path, known: tuple[FileHashes, os.stat_result] | None = None
    ) -> tuple[FileHashes, os.stat_result]:
        """Hash a file that is the user's inode too (linked or renamed into staging), and the
        stat it had while hashed. Its reference stat is taken after our own link/rename
        (which changes its ctime); any change of size, mtime, ctime or inode by the end of
        hashing means another writer touched it: SourceChanged. `known`: the cache's hashes
        from before our link — still good if only the ctime moved (inode, size and mtime as
        they were), and re-cached under the new ctime."""
        before = os.stat(path)
        if known is not None:
            cached, old = known
            same = (before.st_ino, before.st_size, before.st_mtime_ns) == (
                old.st_ino,
                old.st_size,
                old.st_mtime_ns,
            )
            if same and self.hash_cache is not None:
                self.hash_cache.put(path, cached, stat=before)
                self.reporter.stage("hashing", rel, cached.size, cached.size)
                return cached, before
        if self.hash_cache is not None:
            cached_now = self.hash_cache.get(path)
            if cached_now is not None:
                self.reporter.stage("hashing", rel, cached_now.size, cached_now.size)
                return cached_now, before
        hashes = hash_file(path, self.reporter.bytes("hashing", rel, before.st_size), self.cancel)
        check_unchanged(path, before)
        if self.hash_cache is not None:
            self.hash_cache.put(path, hashes, stat=before)
        return hashes, before

    # --- move ------------------------------------------------------------------------------
    def _move(self, rel: str, src: Path, dst: Path, st: os.stat_result) -> StagedFile:
        if stat.S_ISLNK(st.st_mode):
            self.warnings.append(
                f"{rel} is a symbolic link: its target was copied and the link left in place"
            )
            staged = self._copy(rel, src, dst, st)
            staged.keep_source = True
            return staged
        if not same_filesystem(src, dst.parent):
            return self._move_across(rel, src, dst, st)
        known = self._known(src)
        try:
            hardlink(src, dst)
        except CrossDevice:
            return self._move_across(rel, src, dst, st)
        except OSError as exc:
            if exc.errno not in _NO_HARDLINK:
                raise
            log.info("no hard links on %s (%s): renaming into staging", src.parent, exc)
            self.staging.journal_move(src, dst)
            rename_no_replace(src, dst)
            return StagedFile(rel, src, dst, *self._hash_in_place(rel, dst, known), "renamed", st)
        return StagedFile(rel, src, dst, *self._hash_in_place(rel, dst, known), "linked", st)

    def _move_across(self, rel: str, src: Path, dst: Path, st: os.stat_result) -> StagedFile:
        note = (
            "source is on another filesystem: files are copied and verified, and each "
            "source is removed only after the library copy matched"
        )
        if note not in self.warnings:
            self.warnings.append(note)
        return self._copy(rel, src, dst, st, verify=True)


def check_unchanged(path: Path, reference: os.stat_result) -> None:
    """SourceChanged if `path`'s size, mtime, ctime or inode differ from `reference`."""
    try:
        current = os.stat(path)
    except FileNotFoundError:
        current = None
    if current is None or stamp(current) != stamp(reference):
        raise SourceChanged(
            f"{path} was changed by another program while it was being imported; nothing "
            "was published and the source was kept — import it again once it is complete",
            path=str(path),
        )


def _drop_page_cache(path: Path) -> None:
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_moved_sources(
    staged: list[StagedFile], final_dir: Path, root: Path, warnings: list[str]
) -> int:
    """After publishing a move: remove each source name that still is what we imported.

    Only the explicit source files are unlinked (and then directories of a moved folder
    that became empty); a source that changed meanwhile is kept, with a warning."""
    removed = 0
    for item in staged:
        if item.how == "renamed" or item.keep_source:
            continue
        try:
            current = os.lstat(item.source)
        except FileNotFoundError:
            continue
        if item.how == "linked":
            final = os.stat(final_dir.joinpath(*item.rel.split("/")))
            same = (current.st_dev, current.st_ino) == (final.st_dev, final.st_ino)
        else:
            before = item.source_stat
            same = (current.st_dev, current.st_ino, current.st_size, current.st_mtime_ns) == (
                before.st_dev,
                before.st_ino,
                before.st_size,
                before.st_mtime_ns,
            )
        if not same:
            warnings.append(f"{item.source} changed during the import and was kept")
            continue
        try:
            os.unlink(item.source)
            removed += 1
        except OSError as exc:
            warnings.append(f"could not remove the source {item.source}: {exc.strerror or exc}")
    return removed


def prune_empty_source_dirs(root: Path, rels: list[str]) -> None:
    """rmdir (never rmtree) the now-empty folders a moved folder model left behind."""
    dirs = {root}
    for rel in rels:
        parts = rel.split("/")[:-1]
        for n in range(1, len(parts) + 1):
            dirs.add(root.joinpath(*parts[:n]))
    for directory in sorted(dirs, key=lambda d: len(d.parts), reverse=True):
        with contextlib.suppress(OSError):
            directory.rmdir()
