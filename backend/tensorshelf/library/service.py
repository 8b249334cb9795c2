"""LibraryService: the one facade over a library root that jobs, api and cli call.

Opening it creates the library root and its `.tensorshelf-library` signature if missing,
opens models.db (Index) and the hash cache (cache.db in the state dir), and sweeps stale
staging left by a crashed import (the list is kept in `staging_swept` for the UI)."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Self

from tensorshelf import settings
from tensorshelf.errors import ReadOnlyLibrary, UnknownFamily
from tensorshelf.io.filesystems import Filesystem, filesystem_of
from tensorshelf.io.hash_cache import HashCache
from tensorshelf.io.types import CancelToken, ProgressFn
from tensorshelf.library import journaled
from tensorshelf.library import pause as pause_points
from tensorshelf.library.browsing import LibraryBrowsing
from tensorshelf.library.changes import (
    current_generation,
    ensure_generation_file,
    record_change,
)
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.importing.staging import sweep_staging
from tensorshelf.library.index.store import Index
from tensorshelf.library.layout import LibrarySignature, ensure_library
from tensorshelf.library.lease import FileLease
from tensorshelf.library.leftovers import sweep_leftovers
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.models import (
    CollectionChange,
    ImportOptions,
    ImportPlan,
    ImportPlanItem,
    ImportResult,
    LookupOutcome,
    ModelEdit,
    ModelVerification,
    RebuildReport,
    ReclassifyItem,
    RemoveResult,
    ScanReport,
)
from tensorshelf.library.pause import PausePoints
from tensorshelf.library.writer_lock import WriterLock
from tensorshelf.settings import Locations

if TYPE_CHECKING:
    from tensorshelf.library.bulk import BulkEdit, BulkReport
    from tensorshelf.library.importing.progress import ProgressCallback
    from tensorshelf.library.shard_completion import AddedFile

log = logging.getLogger(__name__)

RebuildProgress = Callable[[int, int], None]


class LibraryService(LibraryBrowsing):
    def __init__(self, locations: Locations, *, pause: PausePoints | None = None) -> None:
        self.locations = locations
        self.root = Path(locations.library)
        self.filesystem: Filesystem = filesystem_of(self.root)
        self.signature: LibrarySignature = ensure_library(self.root)
        self.read_only = self.filesystem.read_only or not os.access(self.root, os.W_OK)
        locations.home.mkdir(parents=True, exist_ok=True)
        self.index = Index(self._index_path(), library_root=self.root, read_only=self.read_only)
        self.hash_cache = HashCache(locations.cache_db)
        lease = FileLease(self.root) if self.filesystem.shared else None
        self.writer = WriterLock(self.root, lease)
        self._ctx = LibraryContext(
            library_root=self.root,
            index=self.index,
            writer=self.writer,
            hash_cache=self.hash_cache,
            pause=pause_points.from_environment() if pause is None else pause,
        )
        # app (id or name) → ids of the models linked into it: set by the layer that knows
        # the apps (the mapping service), for the "linked to app" filters
        self.linked_ids: Callable[[str], list[str]] | None = None
        self.recovered: list[str] = []  # models whose interrupted change was completed
        self.staging_swept: list[str] = []
        if self.read_only:
            log.info("the library at %s is read-only: browsing only", self.root)
            return
        ensure_generation_file(self.root)
        with self.writer.hold_if_free("starting up") as free:
            if free:  # else another Tensorshelf is writing: it (or a later start) recovers
                self.recovered = journaled.recover(self._ctx)
                sweep_leftovers(self.root, self.index.db_path)
        self.staging_swept = self.sweep_staging()
        if self.index.needs_rebuild:  # models.db was missing or recreated: re-read the library
            report = self.scan()
            log.info("index was empty: %d models indexed from metadata.json", len(report.added))
        self.catch_up()

    def catch_up(self) -> bool:
        """On a shared library, bring this machine's own index up to date with what other
        machines changed (the change journal's generation moved on): an incremental scan.
        True if it scanned. Elsewhere every process writes the one models.db: nothing to do."""
        if not self.filesystem.shared or self.read_only:
            return False
        seen_file = self.index.db_path.with_name(self.index.db_path.name + ".generation")
        try:
            seen = int(seen_file.read_text())
        except (OSError, ValueError):
            seen = -1
        if seen == current_generation(self.root):
            return False
        from tensorshelf.library.maintenance.scan import scan

        with self.writer.hold_if_free("catching up with other machines") as free:
            if not free:
                return False
            scan(self.root, self.index)
            seen_file.write_text(str(current_generation(self.root)))
        return True

    def _index_path(self) -> Path:
        """models.db at the root — except on a shared (network/FUSE) filesystem, where
        SQLite's WAL must not live and machines must not share one index: there each machine
        keeps its own in the state dir, rebuilt from the shared metadata.json files."""
        if not self.filesystem.shared:
            return self.root / settings.MODELS_DB
        return self.locations.home / settings.INDEXES_DIR / f"{self.signature.uuid}.db"

    def writable(self, doing: str) -> None:
        """ReadOnlyLibrary (naming the library and what was refused) on read-only media."""
        if self.read_only:
            raise ReadOnlyLibrary(
                f"cannot {doing}: the library at {self.root} is read-only (a read-only mount "
                "or no write permission); remount it writable to change it",
                path=str(self.root),
            )

    # --- import ------------------------------------------------------------------------------
    def plan_import(self, paths: list[str]) -> ImportPlan:
        """Group `paths` into models, check headers and classify — reads no weight data."""
        from tensorshelf.library.importing.planning import plan_import

        self.writable("import into it")
        return plan_import(paths, self.root, self.hash_cache, self.index.find_by_sha256)

    def import_item(
        self,
        item: ImportPlanItem,
        options: ImportOptions,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        batch: str | None = None,
    ) -> ImportResult:
        """Import one planned model; `batch` (the import job) is recorded as its
        import_session, so the import history can name what each batch added."""
        from tensorshelf.library.importing.importer import import_item

        self.writable("import into it")
        return import_item(self._ctx, item, options, on_progress, cancel, batch)

    def sweep_staging(self) -> list[str]:
        return sweep_staging(self.root)

    def edit_models(self, refs: list[str], change: BulkEdit) -> BulkReport:
        """One change (tags, rating, collections) to many models."""
        from tensorshelf.library import bulk

        self.writable("edit models")
        return bulk.edit_many(self._ctx, refs, change)

    @property
    def pause(self) -> PausePoints:
        """The crash tests' pause points (NO_PAUSE outside tests), for code built on this."""
        return self._ctx.pause

    # --- changes -----------------------------------------------------------------------------
    def edit_model(self, ref: str, edit: ModelEdit) -> ModelMetadata:
        from tensorshelf.library import editing

        self.writable("edit a model")
        if edit.family and edit.family.strip():
            edit = edit.model_copy(update={"family": self._family_of(edit.family, edit.force)})
        return editing.edit_model(self._ctx, ref, edit)

    def _family_of(self, text: str, force: bool) -> str:
        """The family id a user's word names; UnknownFamily for a word outside the
        vocabulary and the library (unless forced: then it is kept as written)."""
        from tensorshelf.detect import names
        from tensorshelf.detect.vocabulary import KNOWN_FAMILIES, family_key

        key = family_key(text)
        if self.index.has_value("family", text.strip()):  # the library's own, as spelled
            return text.strip()
        if key in KNOWN_FAMILIES or self.index.has_value("family", key):
            return key
        # a display name as other tools write it ("SD 1.5", "SDXL 1.0", "Flux.1 D"); an
        # id-like word ("my-sd15") is the user's own family, never read as an alias
        display = text != key.replace("_", "-") and text != key
        alias = (names.base_model_family(text) or names.llm_family(text)) if display else None
        if alias is not None:
            return alias
        if force:
            return text.strip()  # the user's own family, as written
        raise UnknownFamily(
            f"{text!r} is not a family Tensorshelf knows (e.g. sd1, sdxl, flux1, wan, llama, "
            "qwen3): check the spelling, or pass --force to file the model under a new one",
            family=text,
        )

    def remove_model(self, ref: str) -> RemoveResult:
        from tensorshelf.library import editing

        self.writable("remove a model")
        return editing.remove_model(self._ctx, ref)

    def undo_import_model(self, model_id: str, source_paths: list[str]) -> RemoveResult:
        """Remove a model an import added (a moved one's files are put back first)."""
        from tensorshelf.library.importing.undo import undo_model

        self.writable("undo an import")
        return undo_model(self._ctx, model_id, source_paths)

    def change_collections(
        self, refs: list[str], add: list[str], remove: list[str]
    ) -> CollectionChange:
        """Put models into / take them out of collections (kept in their metadata.json)."""
        from tensorshelf.library import collections

        self.writable("change collections")
        ids = collections.change(
            self._ctx,
            refs,
            [collections.clean_name(n) for n in add],
            [collections.clean_name(n) for n in remove],
        )
        return CollectionChange(ids=ids, collections=self.collections())

    def rename_collection(self, old: str, new: str) -> CollectionChange:
        from tensorshelf.library import collections

        self.writable("rename a collection")
        ids = collections.rename(
            self._ctx, collections.clean_name(old), collections.clean_name(new)
        )
        return CollectionChange(ids=ids, collections=self.collections())

    def delete_collection(self, name: str) -> CollectionChange:
        """Take every model out of the collection (the models stay)."""
        from tensorshelf.library import collections

        name = collections.clean_name(name)
        ids = self.index.collection_members(name)
        self.writable("delete a collection")
        collections.change(self._ctx, ids, [], [name])
        return CollectionChange(ids=ids, collections=self.collections())

    def add_files(self, ref: str, added: list[AddedFile]) -> ModelMetadata:
        """Add files to a model's folder in place (missing shards of its set)."""
        from tensorshelf.library.shard_completion import add_files

        self.writable("add files to a model")
        return add_files(self._ctx, ref, added)

    def record_lookup(self, ref: str, outcome: LookupOutcome) -> ModelMetadata:
        """Write a Hugging Face lookup's result into the model's metadata.json."""
        from tensorshelf.library.lookups import record_lookup

        self.writable("record a Hugging Face lookup")
        return record_lookup(self._ctx, ref, outcome)

    def record_card_image(self, ref: str, data: bytes, origin: str) -> ModelMetadata | None:
        """Keep a matched repo's card image as the model's preview (if it has none)."""
        from tensorshelf.library.lookups import record_card_image

        self.writable("keep a Hugging Face card image as a preview")
        return record_card_image(self._ctx, ref, data, origin)

    def record_manual_match(
        self, ref: str, repo_id: str | None, outcome: LookupOutcome | None
    ) -> ModelMetadata:
        from tensorshelf.library.lookups import record_manual_match

        self.writable("set where a model comes from")
        return record_manual_match(self._ctx, ref, repo_id, outcome)

    def reclassify_model(self, ref: str, dry_run: bool = False) -> ReclassifyItem:
        """One model's reclassify step (what the reclassify job runs per model)."""
        from tensorshelf.library.maintenance import reclassify as reclassify_mod

        if not dry_run:
            self.writable("re-file models")
        self._ctx.pause.reached("reclassify_model")
        return reclassify_mod.reclassify_model(self._ctx, ref, dry_run)

    # --- scans and verification ------------------------------------------------------------
    def scan(self) -> ScanReport:
        from tensorshelf.library.maintenance.scan import scan

        self.writable("scan it (the index is updated in place)")
        with self.writer.hold("scanning the library"):
            journaled.recover(self._ctx)
            report = scan(self.root, self.index)
            if report.added or report.updated or report.removed:
                record_change(self.root, "scan", {}, everything=True)
        report.staging_swept = self.sweep_staging()
        return report

    def rebuild(
        self, on_progress: RebuildProgress | None = None, cancel: CancelToken | None = None
    ) -> RebuildReport:
        """Deep scan. The new index is built without the writer lock (imports and edits go on
        meanwhile); the swap holds it and then re-scans what changed while it was built, so
        nothing done meanwhile is lost."""
        from tensorshelf.library.maintenance.scan import rebuild, scan, unreadable_rows

        self.writable("rebuild its index")
        started_at = current_generation(self.root)

        @contextlib.contextmanager
        def around_swap() -> Iterator[None]:
            self._ctx.pause.reached("rebuild_built")  # built, the lock not taken yet
            with self.writer.hold("rebuilding the index"):
                journaled.recover(self._ctx)
                self._ctx.pause.reached("rebuild_before_swap")
                yield
                self._ctx.pause.reached("rebuild_after_swap")
                if current_generation(self.root) != started_at:  # changed while it was built
                    scan(self.root, self.index)
                record_change(self.root, "rebuild", {}, everything=True)

        report = rebuild(self.root, self.index.db_path, on_progress, cancel, around_swap)
        with self.writer.hold("rebuilding the index"):
            self.index.set_unreadable(unreadable_rows(report.unreadable))
        return report

    def verify_model(
        self,
        ref: str,
        full: bool = False,
        on_progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> ModelVerification:
        from tensorshelf.library import editing
        from tensorshelf.library.maintenance.verify import (
            fill_blake3,
            integrity_of,
            verify_model,
        )

        self._ctx.pause.reached("verify_model")
        model_dir, meta = editing.load(self._ctx, ref)
        verification = verify_model(model_dir, meta, self.hash_cache, full, on_progress, cancel)
        if self.read_only:  # verified, but the verdict cannot be recorded
            return verification
        with self.writer.hold(f"recording the verify of {ref}"):
            model_dir, meta = editing.load(self._ctx, ref)  # as it is now
            meta.integrity = integrity_of(verification)
            if verification.ok:
                fill_blake3(meta, verification)
            editing.save(self._ctx, model_dir, meta, False, "verify")
        return verification

    # --- lifecycle ---------------------------------------------------------------------------
    def checkpoint_index(self) -> None:
        """Fold models.db's WAL back into the database (after every few models of a batch).
        Housekeeping only: a full disk here is logged, never an import's failure (the WAL
        keeps the changes; SQLite checkpoints it later)."""
        try:
            self.index.checkpoint()
        except sqlite3.OperationalError as exc:
            log.warning("could not checkpoint %s: %s", self.index.db_path, exc)

    def close(self) -> None:
        self.index.close()
        self.hash_cache.close()
        self.writer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
