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

from tensorshelf import settings
from tensorshelf.api.events_schema import EVENT_NETWORK_STATUS, NetworkStatus
from tensorshelf.api.models import (
    AddedApp,
    AppStatus,
    HubStatus,
    ModelDetail,
    PreviewImage,
)
from tensorshelf.api.settings_store import AppSettings, SettingsStore
from tensorshelf.errors import InvalidArgument, ShelfError
from tensorshelf.hf.models import RepoListing
from tensorshelf.jobs.events import Event, EventBus
from tensorshelf.jobs.models import (
    CHANGE_REASONS,
    EVENT_JOB_DONE,
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
    FacetCounts,
    ImportOptions,
    ImportPlan,
    InspectResult,
    ListQuery,
    ModelEdit,
    ModelPage,
    RemoveResult,
    ScanReport,
)
from tensorshelf.library.service import LibraryService
from tensorshelf.library.watch import ChangeWatch
from tensorshelf.library.writer_lock import LockWait
from tensorshelf.mapping.apps.models import AppCandidate, AppInstall, AppKind, LinkMethod
from tensorshelf.mapping.auto_sync import AutoSync
from tensorshelf.mapping.config.edits import AppRules, RuleEdit
from tensorshelf.mapping.config.overrides import ModelLinks
from tensorshelf.mapping.health import Doctor, Findings
from tensorshelf.mapping.service import MappingService, Relocated, RemovedApp
from tensorshelf.mapping.sync.apply import Resolution
from tensorshelf.mapping.sync.plan import SyncPlan
from tensorshelf.settings import Locations

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.jobs.runner import JobRunner
    from tensorshelf.network.status import HostStatus

log = logging.getLogger(__name__)

Bridge = Literal["desktop", "web", "cli"]
PathPicker = Callable[[bool], list[str]]

API_METHODS: tuple[str, ...] = (
    "get_status",
    "plan_import",
    "start_import",
    "list_models",
    "get_facets",
    "get_model",
    "get_preview",
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


class ShelfApi:
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

    def _lookup_after_import(self, event: Event) -> None:
        """A window's import done: look its models up on the Hub (the CLI does it itself)."""
        done_import = event.type == EVENT_JOB_DONE and event.payload.get("kind") == "import"
        if done_import and self.settings.get().lookup_on_import:
            threading.Thread(target=self._retry_pending, daemon=True).start()

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

    # --- Hugging Face -------------------------------------------------------------------
    @property
    def hub(self) -> HubSession:
        """The process's Hub session and network client, made on first use."""
        with self._hub_lock:
            if self._hub is None:
                from tensorshelf.hf.session import HubSession
                from tensorshelf.network.client import NetClient

                net = NetClient(offline_switch=lambda: self.settings.get().offline)
                net.board.listen(self._host_changed)
                self._hub = HubSession(self.locations.home, self.locations.cache_db, net)
            return self._hub

    def _host_changed(self, status: HostStatus) -> None:
        hub_host = self.hub.config().host if self._hub is not None else None
        self.bus.publish(
            EVENT_NETWORK_STATUS,
            NetworkStatus(
                online=status.state != "offline",
                host=status.host,
                state=status.state,
                reason=status.reason,
                since=status.since,
            ),
        )
        if status.host != hub_host or self.bridge == "cli":
            return
        if status.state == "ok":
            self._retry_pending()  # the Hub is back: what waited for it goes now
        elif status.state == "offline" and not self.settings.get().offline:
            self._probe_later()

    def _probe_later(self) -> None:
        """Once the open circuit's cool-down is over, retry the pending lookups (its first
        request is the probe that closes the circuit) — one timer, not polling."""
        with self._hub_lock:
            if self._probe is not None and self._probe.is_alive():
                return
            self._probe = threading.Timer(
                self.hub.net.breaker.cooldown_s + settings.NET_PROBE_MARGIN_S, self._retry_pending
            )
            self._probe.daemon = True
            self._probe.start()

    def _retry_pending(self) -> None:
        """Start a lookup of every pending model, unless offline or one is running."""
        from tensorshelf.network.offline import offline_reason

        if offline_reason(self.settings.get().offline) is not None or self.service.read_only:
            return
        if not self.service.pending_lookups():
            return
        if any(j.kind == "lookup" and j.status == "running" for j in self.jobs.list_jobs()):
            return
        self.jobs.start_lookup(None, quick=True)

    def start_lookup(
        self,
        refs: list[str] | None = None,
        pending: bool = False,
        updates: bool = False,
        quick: bool = False,
    ) -> JobRef:
        """Identify models on Hugging Face as a job (their import's hashes; nothing is read
        again): the named ones, or with `pending` every model still waiting for a lookup.
        The result is a LookupReport; models the Hub could not be asked about stay pending.
        With `updates`: compare matched models (the named ones, or all) with their repo's
        current listing and report `update` per model — nothing is changed. `quick`: one try
        per request (the lookup right after an import: a Hub that is down leaves the models
        pending at once)."""
        if not refs and not pending and not updates:
            raise InvalidArgument("name models to look up, or pass pending=true")
        chosen = None if (pending or (updates and not refs)) else refs
        return JobRef(job_id=self.jobs.start_lookup(chosen, updates, quick))

    def set_match(self, ref: str, repo_id: str | None = None) -> ModelMetadata:
        """The user's word: the model comes from `repo_id` (confirming a low-confidence
        match, or naming the repo), or with None it is not on the Hub. Kept as manual, never
        overwritten by a lookup. An unknown repo is refused; the repo's metadata is fetched
        when the Hub can be asked (else only the repo is recorded)."""
        from tensorshelf.hf.identify import Identification
        from tensorshelf.jobs.lookup_task import outcome_of
        from tensorshelf.network.errors import NetworkError

        outcome = None
        if repo_id is not None:
            repo_id = repo_id.strip().strip("/")
            if repo_id.count("/") != 1:
                raise InvalidArgument(f"{repo_id!r} is not a repo id (owner/name)", repo=repo_id)
            try:
                info = self.hub.api().model_info(repo_id)
            except NetworkError as exc:
                log.info("set_match: %s not fetched (%s): only the repo is recorded", repo_id, exc)
            else:
                self.hub.cache.put_info(info)
                found = Identification(
                    model_id="",
                    method="filename_exact",
                    repo_id=repo_id,
                    revision=info.sha,
                    info=info,
                )
                outcome = outcome_of(found, self.hub.config().endpoint)
        meta = self.service.record_manual_match(ref, repo_id, outcome)
        self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=[meta.id], reason="edit"))
        return meta

    def list_repo_files(self, repo_id: str, revision: str = "main") -> RepoListing:
        """A repo's files with their sizes and SHA-256 (the download dialog's list)."""
        listing = self.hub.api().tree(repo_id.strip().strip("/"), revision)
        self.hub.cache.put_listing(listing)
        return listing

    def start_download(self, repo_id: str, files: list[str], revision: str = "main") -> JobRef:
        """Download files of a repo (paths or globs: `*Q4_K_M*.gguf`, `unet/*`), verified
        against their SHA-256 and resumable, then import them as one model each."""
        import fnmatch

        from tensorshelf.jobs.download_task import check_space, download_root

        listing = self.list_repo_files(repo_id, revision)
        chosen = [
            f for f in listing.files if any(fnmatch.fnmatchcase(f.path, pat) for pat in files)
        ]
        if not chosen:
            names = ", ".join(f.path for f in listing.files[:20])
            raise InvalidArgument(
                f"no file of {listing.repo_id} matches {', '.join(files) or '(nothing named)'} "
                f"(it has: {names}{' …' if len(listing.files) > 20 else ''})",
                repo=listing.repo_id,
            )
        root = download_root(self.locations.home, listing.repo_id, revision)
        check_space(root.parent.parent, self.service.root, sum(f.size for f in chosen))
        sizes = {f.path: f.size for f in chosen}
        job = self.jobs.start_download(listing.repo_id, revision, list(sizes), sizes)
        return JobRef(job_id=job)

    def get_hub_status(self) -> HubStatus:
        """Where the Hub is, whether a token is set (never the token), offline switches and
        each host's network state."""
        from tensorshelf.network.offline import offline_reason

        config = self.hub.config()
        return HubStatus(
            endpoint=config.endpoint,
            token_source=config.token_source,
            offline_reason=offline_reason(self.settings.get().offline),
            hosts=self.hub.net.board.all(),
        )

    def set_hf_token(self, token: str | None) -> HubStatus:
        """Store the Hugging Face token for Tensorshelf (state dir, 0600); None forgets it.
        HF_TOKEN, when set, still wins."""
        from tensorshelf.hf.config import save_token

        save_token(self.locations.home, token)
        return self.get_hub_status()

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
        return JobRef(job_id=self.jobs.start_import(plan_id, options or ImportOptions(), items))

    def pick_paths(self, folder: bool = False) -> list[str]:
        if self.path_picker is None:
            raise UnsupportedHere("a native file dialog is only available in the desktop window")
        return self.path_picker(folder)

    # --- browsing ----------------------------------------------------------------------
    def list_models(self, query: ListQuery | None = None) -> ModelPage:
        return self.service.list_models(query or ListQuery())

    def get_facets(self) -> FacetCounts:
        return self.service.facets()

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
        mime, data = found
        return PreviewImage(data_url=f"data:{mime};base64,{base64.b64encode(data).decode()}")

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

    # --- apps and sync -----------------------------------------------------------------
    def list_apps(self) -> list[AppInstall]:
        return self.mapping.list_apps()

    def detect_app(self, path: str, kind: AppKind | None = None) -> AppCandidate:
        """What a folder is (kind, version, models folder) — shown before registering it."""
        return self.mapping.detect(path, kind)

    def add_app(
        self,
        path: str,
        kind: AppKind | None = None,
        name: str | None = None,
        method: LinkMethod = "links",
        sync: bool = True,
    ) -> AddedApp:
        """Register an app; with `sync` (the default) its first sync runs at once."""
        app = self.mapping.add_app(path, kind, name, method)
        results = self.mapping.sync([app.id]) if sync else []
        return AddedApp(app=app, sync=results)

    def remove_app(self, ref: str) -> RemovedApp:
        """Unregister an app, removing only the links Tensorshelf made in it."""
        return self.mapping.remove_app(ref)

    def get_model_links(self, ref: str) -> ModelLinks:
        """Where a model is linked in each app, and its per-app choices (overrides.json)."""
        return self.mapping.model_links(ref)

    def set_link_choice(
        self, ref: str, app: str, exclude: bool = False, target_name: str | None = None
    ) -> ModelLinks:
        """Keep a model out of one app, or link it there (under `target_name`, else its own
        file name); the model's links follow at once."""
        links = self.mapping.set_link_choice(ref, app, exclude, target_name)
        self.mapping.sync(None, [links.model_id])  # one model: the answer shows its links
        self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=[links.model_id], reason="edit"))
        return self.mapping.model_links(links.model_id)

    def get_rules(self, app: str) -> AppRules:
        """The app's mapping rules as they apply now (shipped default + user configs)."""
        return self.mapping.rules(app)

    def edit_rule(self, app: str, name: str, edit: RuleEdit) -> AppRules:
        """Enable/disable a rule or change its target folder, for this app only (saved as
        its user config); the next `plan_sync` shows what that changes."""
        return self.mapping.edit_rule(app, name, edit)

    def reset_rule(self, app: str, name: str) -> AppRules:
        """Undo this app's change to a rule: the default applies again."""
        return self.mapping.reset_rule(app, name)

    def plan_sync(self, apps: list[str] | None = None) -> list[SyncPlan]:
        """What a sync would do in each app (nothing is changed)."""
        return self.mapping.plan(apps or None)

    def start_sync(
        self, apps: list[str] | None = None, resolutions: dict[str, Resolution] | None = None
    ) -> JobRef:
        """Link every model into each app (or those named), as `plan_sync` showed, as a job
        (progress pushed; its result is `{results: SyncResult[]}`). `resolutions`: conflict
        target → skip | rename (ours gets the next free name) | replace (the user's file is
        moved aside to `<name>.old`, never deleted)."""
        self.auto_sync.drain()
        return JobRef(job_id=self.jobs.start_sync(apps or None, dict(resolutions or {})))

    def doctor(self, fix: bool = False) -> Findings:
        """What is wrong between the library, the link registry and the apps; with `fix`,
        repair what is ours (re-point, remove dead, recreate, re-adopt)."""
        from tensorshelf.io.sandbox import detect_sandbox

        self.auto_sync.drain()
        return Doctor(self.mapping, detect_sandbox()).run(fix)

    def relocate(self, old: str, new: str) -> Relocated:
        """Folders moved (a drive remounted elsewhere): re-point the registered apps under
        `old` to `new`, and our absolute links."""
        return self.mapping.relocate(old, new)

    def dismiss_move(self) -> AppStatus:
        """Keep the links as they are after the library moved (stop offering `relocate`)."""
        self.mapping.dismiss_move()
        return self.get_status()

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
