"""ShelfApi: the one object the UI (pywebview or web mode) and the CLI talk to.

Every public method takes keyword arguments of JSON types / pydantic models and returns a
pydantic model (or a list of them). Only the names in `API_METHODS` are reachable from the
UI; `api.dispatch.call_method` enforces that and wraps results in the envelope
`{"ok": true, "result": …}` / `{"ok": false, "error": {…}}`.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from tensorshelf.api.bulk_methods import BulkMethods
from tensorshelf.api.history_methods import HistoryMethods
from tensorshelf.api.hub_methods import HubMethods
from tensorshelf.api.mapping_methods import MappingMethods
from tensorshelf.api.models import (
    AppStatus,
    ModelDetail,
    PreviewImage,
)
from tensorshelf.api.settings_store import AppSettings, SettingsStore
from tensorshelf.errors import InvalidArgument, ShelfError
from tensorshelf.jobs.events import Event, EventBus
from tensorshelf.jobs.models import (
    CHANGE_REASONS,
    EVENT_LIBRARY_CHANGED,
    EVENT_LIBRARY_WAITING,
    ChangeReason,
    JobInfo,
    JobRef,
    LibraryChanged,
)
from tensorshelf.library.changes import ChangeEntry
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.models import (
    CollectionChange,
    ImportOptions,
    ImportPlan,
    InspectResult,
    ModelEdit,
    RemoveResult,
    ScanReport,
)
from tensorshelf.library.query_models import FacetCounts, ListQuery, ModelPage
from tensorshelf.library.service import LibraryService
from tensorshelf.library.watch import ChangeWatch
from tensorshelf.library.writer_lock import LockWait
from tensorshelf.mapping.auto_sync import AutoSync
from tensorshelf.mapping.service import MappingService
from tensorshelf.network.offline import offline_reason
from tensorshelf.settings import THUMBNAILS_PER_CALL, Locations

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.jobs.runner import JobRunner

log = logging.getLogger(__name__)


def _data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


Bridge = Literal["desktop", "web", "cli"]
PathPicker = Callable[[bool], list[str]]

API_METHODS: tuple[str, ...] = (
    "get_status",
    "plan_import",
    "start_import",
    "list_models",
    "get_facets",
    "list_collections",
    "change_collections",
    "rename_collection",
    "delete_collection",
    "list_history",
    "get_import_batch",
    "undo_import",
    "get_stats",
    "list_model_ids",
    "edit_models",
    "set_link_choices",
    "get_model",
    "get_preview",
    "get_thumbnails",
    "edit_model",
    "delete_models",
    "search",
    "inspect",
    "scan",
    "start_rebuild",
    "start_verify",
    "start_reclassify",
    "list_jobs",
    "resume_jobs",
    "pause_job",
    "cancel_job",
    "get_settings",
    "update_settings",
    "pick_paths",
    "list_apps",
    "detect_app",
    "add_app",
    "remove_app",
    "get_model_links",
    "set_link_choice",
    "get_rules",
    "edit_rule",
    "reset_rule",
    "plan_sync",
    "start_sync",
    "doctor",
    "relocate",
    "dismiss_move",
    "start_lookup",
    "set_match",
    "list_repo_files",
    "start_download",
    "search_hub",
    "start_complete_shards",
    "scan_hf_cache",
    "start_adopt",
    "get_hub_status",
    "set_hf_token",
)


class UnsupportedHere(ShelfError):
    code = "unsupported"


def _app_version() -> str:
    try:
        return version("tensorshelf")
    except PackageNotFoundError:
        return "0+unknown"


class ShelfApi(HubMethods, MappingMethods, HistoryMethods, BulkMethods):
    """Facade over the library service, the job runner and user settings."""

    def __init__(
        self, locations: Locations, bridge: Bridge = "cli", bus: EventBus | None = None
    ) -> None:
        self.locations = locations
        self.bridge: Bridge = bridge
        self.bus = bus or EventBus()
        locations.home.mkdir(parents=True, exist_ok=True)
        self.service = LibraryService(locations)
        self.settings = SettingsStore(locations.settings_file)
        self.path_picker: PathPicker | None = None  # set by the desktop window
        self._jobs: JobRunner | None = None
        self._jobs_lock = threading.Lock()
        self._hub: HubSession | None = None
        self._hub_lock = threading.RLock()
        self._probe: threading.Timer | None = None
        self.service.writer.on_wait(self._waiting)
        self.mapping = MappingService(self.service)
        self.service.linked_ids = self.mapping.linked_model_ids
        self.auto_sync = AutoSync(self.mapping)
        self.bus.subscribe(self._sync_after_change)
        self._watch: ChangeWatch | None = None
        if bridge != "cli":  # a window stays open: show what other processes change
            self.bus.subscribe(self._lookup_after_import)
            threading.Thread(target=self._retry_pending, daemon=True).start()  # at start-up
            self._watch = ChangeWatch(
                self.service.root,
                self._changed_elsewhere,
                poll=self.service.filesystem.shared,  # no inotify across machines
            )
            self._watch.start()

    def _sync_after_change(self, event: Event) -> None:
        """A change made here: link (or unlink) just those models in every app. Another
        process's change is synced by that process."""
        if event.type != EVENT_LIBRARY_CHANGED or event.payload.get("elsewhere"):
            return
        ids = event.payload.get("ids") or []
        self.auto_sync.request(list(ids) if ids else None)

    def _waiting(self, wait: LockWait) -> None:
        self.bus.publish(EVENT_LIBRARY_WAITING, wait)

    def _changed_elsewhere(self, entries: list[ChangeEntry], complete: bool) -> None:
        self.service.catch_up()  # a shared library: this machine's index learns it first
        if not complete:
            self.bus.publish(
                EVENT_LIBRARY_CHANGED, LibraryChanged(ids=[], reason="scan", elsewhere=True)
            )
            return
        for entry in entries:
            reason = entry.reason if entry.reason in CHANGE_REASONS else "scan"
            ids = [] if entry.everything else list(entry.changes)
            self.bus.publish(
                EVENT_LIBRARY_CHANGED,
                LibraryChanged(ids=ids, reason=cast(ChangeReason, reason), elsewhere=True),
            )

    @property
    def jobs(self) -> JobRunner:
        """The job runner and ops.db, opened on first use (`list` or `show` need neither)."""
        with self._jobs_lock:
            if self._jobs is None:
                from tensorshelf.jobs.runner import JobRunner
                from tensorshelf.jobs.store import JobStore

                self._jobs = JobRunner(
                    self.service,
                    JobStore(self.locations.ops_db),
                    self.bus,
                    self.mapping,
                    lambda: self.hub,
                )
            return self._jobs

    # --- status and settings -----------------------------------------------------------
    def get_status(self) -> AppStatus:
        return AppStatus(
            version=_app_version(),
            home=str(self.locations.home),
            library_root=str(self.locations.library),
            model_count=self.service.list_models(ListQuery(limit=1)).total,
            bridge=self.bridge,
            staging_swept=self.service.staging_swept,
            read_only=self.service.read_only,
            shared_filesystem=(
                self.service.filesystem.fstype if self.service.filesystem.shared else None
            ),
            moved_from=self.mapping.moved_from,
        )

    def get_settings(self) -> AppSettings:
        return self.settings.get()

    def update_settings(self, changes: dict[str, Any]) -> AppSettings:
        return self.settings.update(changes)

    # --- import ------------------------------------------------------------------------
    def plan_import(self, paths: list[str]) -> ImportPlan:
        """Group `paths` into models and read their headers (no weight data): the plan the
        import dialog reviews, kept under `plan_id` for `start_import`."""
        return self.jobs.plan_import(_absolute(paths))

    def start_import(
        self,
        plan_id: str,
        options: ImportOptions | None = None,
        items: dict[str, ImportOptions] | None = None,
    ) -> JobRef:
        """Import the reviewed plan: exactly its items (or those named in `items`, each with
        its own options), with the detections the review showed."""
        options = options or ImportOptions()
        if options.lookup and offline_reason(self.settings.get().offline) is None:
            self.hub.net.warm_up()  # the lookup that follows finds the client ready
        return JobRef(job_id=self.jobs.start_import(plan_id, options, items))

    def pick_paths(self, folder: bool = False) -> list[str]:
        if self.path_picker is None:
            raise UnsupportedHere("a native file dialog is only available in the desktop window")
        return self.path_picker(folder)

    # --- browsing ----------------------------------------------------------------------
    def list_models(self, query: ListQuery | None = None) -> ModelPage:
        return self.service.list_models(query or ListQuery())

    # --- collections -------------------------------------------------------------------
    def list_collections(self) -> dict[str, int]:
        """Every collection with the number of models in it."""
        return self.service.collections()

    def change_collections(
        self, refs: list[str], add: list[str] | None = None, remove: list[str] | None = None
    ) -> CollectionChange:
        """Put models into (`add`) / take them out of (`remove`) collections."""
        change = self.service.change_collections(refs, add or [], remove or [])
        self._collections_changed(change)
        return change

    def rename_collection(self, old: str, new: str) -> CollectionChange:
        change = self.service.rename_collection(old, new)
        self._collections_changed(change)
        return change

    def delete_collection(self, name: str) -> CollectionChange:
        """Remove a collection (its models stay in the library)."""
        change = self.service.delete_collection(name)
        self._collections_changed(change)
        return change

    def _collections_changed(self, change: CollectionChange) -> None:
        if change.ids:
            self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=change.ids, reason="edit"))

    def get_facets(self, query: ListQuery | None = None) -> FacetCounts:
        """Facet counts; with `query`, for it (each facet with the other filters applied)."""
        return self.service.facets(query)

    def search(self, query: str, limit: int = 50, offset: int = 0) -> ModelPage:
        """Full-text search, best matches first (a name hit ranks above a notes hit)."""
        return self.service.list_models(
            ListQuery(text=query, sort="relevance", limit=limit, offset=offset)
        )

    def get_model(self, ref: str) -> ModelDetail:
        return ModelDetail(
            model=self.service.get_model(ref), library_dir=str(self.service.model_dir(ref))
        )

    def get_preview(self, ref: str) -> PreviewImage:
        """The model's preview image as a data: URL, read from its own folder only."""
        found = self.service.preview(ref)
        if found is None:
            return PreviewImage(data_url=None)
        return PreviewImage(data_url=_data_url(*found))

    def get_thumbnails(self, refs: list[str]) -> dict[str, str | None]:
        """Small WebP thumbnails of the models' previews as data: URLs (the grid view; made
        once, kept in the state dir), by the ref asked for; None for a model without one."""
        if len(refs) > THUMBNAILS_PER_CALL:
            raise InvalidArgument(f"at most {THUMBNAILS_PER_CALL} thumbnails per call")
        from tensorshelf.library.thumbnails import MIME

        found = self.service.thumbnails(refs)
        return {ref: _data_url(MIME, data) if data else None for ref, data in found.items()}

    def inspect(self, path: str) -> InspectResult:
        """What a file or folder is, from its header alone (needs no library)."""
        from tensorshelf.library.inspecting import inspect_path

        return inspect_path(path)

    # --- changes -----------------------------------------------------------------------
    def edit_model(self, ref: str, edit: ModelEdit) -> ModelMetadata:
        meta = self.service.edit_model(ref, edit)
        self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=[meta.id], reason="edit"))
        return meta

    def delete_models(self, refs: list[str]) -> list[RemoveResult]:
        """Remove models: our links to each first (every app), then its files."""
        if not refs:
            raise InvalidArgument("no model given")
        results = []
        for ref in refs:
            try:
                model_id = self.service.model_id(ref)
            except ShelfError:
                model_id = None
            if model_id is not None:
                self.mapping.unlink_model(model_id)
            results.append(self.service.remove_model(ref))
        removed = [r.id for r in results if r.removed]
        if removed:
            self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=removed, reason="delete"))
        return results

    def scan(self) -> ScanReport:
        report = self.service.scan()
        if report.added or report.updated or report.removed:  # paths, not ids: refetch all
            self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=[], reason="scan"))
        return report

    # --- jobs --------------------------------------------------------------------------
    def start_rebuild(self) -> JobRef:
        return JobRef(job_id=self.jobs.start_rebuild())

    def start_verify(self, refs: list[str] | None = None, full: bool = False) -> JobRef:
        return JobRef(job_id=self.jobs.start_verify(refs or None, full))

    def start_reclassify(
        self, refs: list[str] | None = None, all: bool = False, dry_run: bool = False
    ) -> JobRef:
        """Re-run detection as a job (the result is a ReclassifyReport). Unknown refs fail
        here (model_not_found), before any job starts."""
        if not refs and not all:
            raise InvalidArgument("name models to reclassify, or pass all=true")
        return JobRef(job_id=self.jobs.start_reclassify(None if all else refs, dry_run))

    def list_jobs(self) -> list[JobInfo]:
        return self.jobs.list_jobs()

    def resume_jobs(self, job_id: str | None = None) -> list[JobRef]:
        return [JobRef(job_id=j) for j in self.jobs.resume(job_id)]

    def cancel_job(self, job_id: str) -> JobInfo:
        return self.jobs.cancel(job_id)

    def pause_job(self, job_id: str) -> JobInfo:
        """Pause a running download (its partial files are kept); resume_jobs continues it."""
        return self.jobs.pause(job_id)

    # --- lifecycle ---------------------------------------------------------------------
    def close(self) -> None:
        if self._watch is not None:
            self._watch.stop()
        self.auto_sync.close()  # an import's incremental sync finishes before the CLI exits
        with self._jobs_lock:
            jobs, self._jobs = self._jobs, None
        if jobs is not None:
            jobs.close()
        self.auto_sync.close()
        self.mapping.close()
        with self._hub_lock:
            hub, self._hub = self._hub, None
            if self._probe is not None:
                self._probe.cancel()
        if hub is not None:
            hub.net.close()
            hub.close()
        self.service.close()


def _absolute(paths: list[str]) -> list[str]:
    if not paths:
        raise InvalidArgument("no paths given")
    return [str(Path(p).expanduser().absolute()) for p in paths]
