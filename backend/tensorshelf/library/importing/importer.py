"""Import one logical model (an `ImportPlanItem`) into the library.

validate headers → stage (copy / move / link, hashing each byte once) → duplicate check →
metadata.json last → one rename publishes → index → (move) remove the sources.

Never raises to the caller except OperationCancelled (after cleaning up): every other
failure removes the item's staging, leaves the source untouched and comes back as
`ImportResult(ok=False, error=...)`."""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

from tensorshelf import settings
from tensorshelf.detect.models import SecurityTier
from tensorshelf.errors import (
    DiskFull,
    FileAccessError,
    ImportFailed,
    OperationCancelled,
    PickleRefused,
    ShelfError,
    SourceChanged,
    UnsafePath,
)
from tensorshelf.io.diskspace import ensure_free_space
from tensorshelf.io.naming import safe_relative_path
from tensorshelf.io.types import CancelToken, FileHashes
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.editing import save
from tensorshelf.library.ids import new_model_id
from tensorshelf.library.importing.metadata_build import build_metadata, read_foreign
from tensorshelf.library.importing.planning import dangerous_pickle, weights_of
from tensorshelf.library.importing.progress import ImportReporter, ProgressCallback
from tensorshelf.library.importing.publish import publish
from tensorshelf.library.importing.staging import StagingDir
from tensorshelf.library.importing.transfer import (
    StagedFile,
    Transfer,
    check_unchanged,
    prune_empty_source_dirs,
    remove_moved_sources,
)
from tensorshelf.library.layout import is_inside, model_dir_from_rel
from tensorshelf.library.metadata.document import Hashes, ModelMetadata, Source, utc_now
from tensorshelf.library.metadata.files import read_metadata
from tensorshelf.library.models import ImportOptions, ImportPlanItem, ImportResult, SourceStamp

log = logging.getLogger(__name__)


def import_item(
    ctx: LibraryContext,
    item: ImportPlanItem,
    options: ImportOptions,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    batch: str | None = None,
) -> ImportResult:
    reporter = ImportReporter(item.key, on_progress)
    job = _Import(ctx, item, options, reporter, cancel)
    job.batch = batch
    try:
        return job.run()
    except OperationCancelled:
        job.cleanup()
        reporter.stage("failed", item.key)
        raise
    except Exception as exc:  # noqa: BLE001 - turned into a result, never a traceback
        job.cleanup()
        error = _as_shelf_error(exc, item)
        log.info("import of %s failed: %s", item.key, error.message)  # the result says it
        reporter.stage("failed", item.key)
        return ImportResult(
            ok=False, key=item.key, warnings=_unique(job.warnings), error=error.info()
        )


def _unique(warnings: list[str]) -> list[str]:
    return list(dict.fromkeys(warnings))


def _as_shelf_error(exc: BaseException, item: ImportPlanItem) -> ShelfError:
    if isinstance(exc, ShelfError):
        return exc
    if isinstance(exc, OSError):
        where = exc.filename or item.key
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return DiskFull(f"no space left while importing {where}", path=str(where))
        return FileAccessError(f"{exc.strerror or exc}: {where}", path=str(where), errno=exc.errno)
    log.error("unexpected error importing %s", item.key, exc_info=exc)
    return ImportFailed(f"unexpected error importing {item.key}: {exc!r}")


class _Import:
    def __init__(
        self,
        ctx: LibraryContext,
        item: ImportPlanItem,
        options: ImportOptions,
        reporter: ImportReporter,
        cancel: CancelToken | None,
    ) -> None:
        self.ctx, self.item, self.options = ctx, item, options
        self.reporter, self.cancel = reporter, cancel
        self.warnings: list[str] = list(item.warnings)
        self.staging: StagingDir | None = None
        self.batch: str | None = None  # the import batch (job) this model comes in with

    def cleanup(self) -> None:
        if self.staging is None:
            return
        try:
            if not self.staging.discard():
                self.warnings.append(
                    f"user files were kept in {self.staging.path}: they could "
                    "not be put back where they came from"
                )
        except OSError:
            log.exception("could not clean up %s", self.staging.path)
        self.staging = None

    # --- steps ----------------------------------------------------------------------------
    def run(self) -> ImportResult:
        item, root = self.item, Path(self.item.root)
        weights = weights_of(item)
        self.reporter.stage("validating", item.key)
        danger = dangerous_pickle(item)
        if danger is not None:  # before item.error (which repeats it): the specific code
            raise danger
        self._validate(root, weights)
        tier = item.security_tier  # the reviewed plan's word: no header is read again
        if tier == "pickle" and not self.options.accept_pickle:
            raise PickleRefused(
                f"{item.paths[0]} is a pickle file (.ckpt/.pt/.pth/.bin) that can run code when "
                "loaded; it was not imported. Re-run with --accept-pickle (or tick 'I understand "
                "the risks') if you trust its source; prefer a safetensors version.",
                path=item.paths[0],
            )
        known = self._cached_hashes(root, weights)
        if known is not None:  # every weight file was hashed before: no need to copy to know
            with self.ctx.writer.hold(f"importing {item.key}", self._cancelled):
                duplicate = self._duplicate_of(known, weights)
                if duplicate is not None:
                    return self._record_duplicate(duplicate, known[weights[0]], [])
        self.staging = StagingDir.create(self.ctx.library_root)
        transfer = Transfer(
            self.staging,
            self.options.mode,
            self.reporter,
            self.cancel,
            self.ctx.hash_cache,
            self.warnings,
            self.ctx.pause,
        )
        staged = transfer.run(root, item.relative_files)
        self.ctx.pause.reached("before_publish")
        self._check_cancel()
        # One writer at a time, across processes: no two imports of one file (in this or
        # another Tensorshelf) can both miss the duplicate.
        with self.ctx.writer.hold(f"importing {item.key}", self._cancelled):
            self.reporter.stage("publishing", item.key)
            for file in staged:  # a file shared with its source: nobody wrote it since hashed
                if file.how != "copied":
                    check_unchanged(file.staged, file.hashed_stat)
            duplicate = self._duplicate_of({f.rel: f.hashes for f in staged}, weights)
            if duplicate is not None:
                return self._record_duplicate(duplicate, staged[0].hashes, staged)
            return self._publish(staged, set(weights), tier)

    def _check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.cancelled

    def _validate(self, root: Path, weights: list[str]) -> None:
        item = self.item
        if item.error is not None:
            raise ShelfError.from_info(item.error)
        if not item.relative_files or not weights:
            raise ImportFailed(f"{item.key} has no model weight file to import", path=item.key)
        if is_inside(self.ctx.library_root, root) or os.path.realpath(root) == os.path.realpath(
            self.ctx.library_root
        ):
            raise UnsafePath(f"{item.key} is inside the library already", path=item.key)
        for rel in item.relative_files:
            if safe_relative_path(rel).as_posix() != rel:
                raise UnsafePath(f"file name {rel!r} cannot be kept as is", path=rel)
            path = root.joinpath(*rel.split("/"))
            try:
                st = path.stat()
            except OSError:
                st = None
            if st is None or not stat.S_ISREG(st.st_mode):
                raise FileAccessError(f"{path} is missing or not a regular file", path=str(path))
            planned = item.stamps.get(rel)
            if planned is not None and SourceStamp.of(st) != planned:
                raise SourceChanged(
                    f"{path} changed after the import was planned (size, time or inode "
                    "differ); review the import again so its header is checked anew",
                    path=str(path),
                )

    # --- duplicates -----------------------------------------------------------------------
    def _cached_hashes(self, root: Path, weights: list[str]) -> dict[str, FileHashes] | None:
        """The hash cache's hashes of every weight file, or None if any is unknown."""
        cache = self.ctx.hash_cache
        if cache is None:
            return None
        known: dict[str, FileHashes] = {}
        for rel in weights:
            hashes = cache.get(root.joinpath(*rel.split("/")))
            if hashes is None:
                return None
            known[rel] = hashes
        return known

    def _duplicate_of(self, hashes: dict[str, FileHashes], weights: list[str]) -> str | None:
        """Id of a library model holding exactly these weight files (by SHA-256), if any."""
        candidate = self.ctx.index.find_by_sha256(hashes[weights[0]].sha256)
        if candidate is None:
            return None
        new = sorted(hashes[rel].sha256 for rel in weights)
        try:
            meta = self._read_model(candidate)[1]
        except ShelfError:
            return None
        existing = sorted(f.sha256 for f in meta.files if f.role == "weights")
        return candidate if existing == new else None

    def _read_model(self, model_id: str) -> tuple[Path, ModelMetadata]:
        rel = self.ctx.index.get_path(model_id)
        if rel is None:
            raise ImportFailed(f"model {model_id} vanished from the index")
        model_dir = model_dir_from_rel(self.ctx.library_root, rel)
        meta = read_metadata(model_dir)
        meta.path = rel  # where it is now, whatever an older metadata.json says
        return model_dir, meta

    def _record_duplicate(
        self, model_id: str, primary: FileHashes, staged: list[StagedFile]
    ) -> ImportResult:
        with self.ctx.writer.hold(f"importing {self.item.key}"):
            model_dir, meta = self._read_model(model_id)
            now = utc_now()
            meta.sources.append(
                Source(kind="local", path=self.item.key, mode=self.options.mode, imported_at=now)
            )
            meta.updated_date = now
            save(self.ctx, model_dir, meta, False, "import")
        self.cleanup()
        self._cache_hashes(staged, None)
        if self.options.mode == "move":
            self.warnings.append(f"already in the library as {meta.path}: the source was kept")
        self.reporter.stage("duplicate", self.item.key)
        return ImportResult(
            ok=True,
            key=self.item.key,
            id=model_id,
            path=meta.path,
            hashes=Hashes(sha256=primary.sha256, blake3=primary.blake3),
            duplicate_of=model_id,
            warnings=_unique(self.warnings),
        )

    # --- publish --------------------------------------------------------------------------
    def _publish(
        self, staged: list[StagedFile], weights: set[str], tier: SecurityTier
    ) -> ImportResult:
        assert self.staging is not None
        model_dir = self.staging.model_dir
        detection = self.item.detection  # as planned: what the user reviewed
        if tier == "unknown" and detection is not None:
            tier = detection.security_tier
        primary_staged = model_dir.joinpath(*staged[0].rel.split("/"))
        meta = build_metadata(
            model_id=new_model_id(),
            item=self.item,
            options=self.options,
            staged=staged,
            weights=weights,
            detection=detection,
            foreign=read_foreign(primary_staged, detection),
            tier=tier,
            model_dir=model_dir,
            import_session=self.batch or self.staging.id,
        )
        self._check_cancel()
        self._ensure_index_reserve()
        final = publish(self.ctx, model_dir, meta, self.warnings)
        # Published and indexed: the model is complete. Nothing below may make it a failure.
        staging, self.staging = self.staging, None
        try:
            staging.forget_moves()
            staging.release()
        except OSError as exc:
            log.warning("could not remove %s after publishing: %s", staging.path, exc)
        if self.options.mode == "move":  # first: unlinking a source name changes the ctime
            self.ctx.pause.reached("move_before_source_removal")
            self._remove_sources(staged, final)
        self._cache_hashes(staged, final)
        self.reporter.stage("done", self.item.key)
        assert meta.hashes is not None
        return ImportResult(
            ok=True,
            key=self.item.key,
            id=meta.id,
            path=meta.path,
            hashes=meta.hashes,
            warnings=_unique(self.warnings),
        )

    def _ensure_index_reserve(self) -> None:
        """Keep room for metadata.json, models.db and its WAL: a model is not published onto
        a disk too full to index it."""
        for where in {self.ctx.library_root, self.ctx.index.db_path.parent}:
            ensure_free_space(where, settings.INDEX_SPACE_RESERVE_BYTES)

    def _remove_sources(self, staged: list[StagedFile], final: Path) -> None:
        try:
            remove_moved_sources(staged, final, Path(self.item.root), self.warnings)
            if self.item.model_format in ("diffusers-folder", "bundle"):
                prune_empty_source_dirs(Path(self.item.root), self.item.relative_files)
        except OSError as exc:
            self.warnings.append(f"imported, but the source could not be removed: {exc}")

    def _cache_library_copy(self, path: Path, item: StagedFile) -> None:
        """Remember the library copy's hashes under its current stat — if its bytes are still
        the ones hashed (size, mtime, inode; the ctime moved on with our own link changes)."""
        cache = self.ctx.hash_cache
        assert cache is not None
        st, hashed = os.stat(path), item.hashed_stat
        if (st.st_size, st.st_mtime_ns, st.st_ino) == (
            hashed.st_size,
            hashed.st_mtime_ns,
            hashed.st_ino,
        ):
            cache.put(path, item.hashes, stat=st)

    def _cache_hashes(self, staged: list[StagedFile], final: Path | None) -> None:
        cache = self.ctx.hash_cache
        if cache is None:
            return
        for item in staged:
            try:
                if self.options.mode == "copy":
                    cache.put(item.source, item.hashes, stat=item.source_stat)
                if final is not None:
                    self._cache_library_copy(final.joinpath(*item.rel.split("/")), item)
            except (OSError, ValueError):
                log.debug("could not cache hashes of %s", item.rel, exc_info=True)
