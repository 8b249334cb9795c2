"""ShelfApi's app and sync methods (a mixin, so they stay on the one API object the UI's
types are generated from): registered apps, their rules, one model's place in each app, the
sync plan and job, doctor, relocation — thin adapters over MappingService and Doctor."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from tensorshelf.api.models import AddedApp, AppStatus
from tensorshelf.jobs.events import EventBus
from tensorshelf.jobs.models import EVENT_LIBRARY_CHANGED, JobRef, LibraryChanged
from tensorshelf.mapping.apps.models import AppCandidate, AppInstall, AppKind, LinkMethod
from tensorshelf.mapping.auto_sync import AutoSync
from tensorshelf.mapping.config.edits import AppRules, RuleEdit
from tensorshelf.mapping.config.overrides import ModelLinks
from tensorshelf.mapping.health import Doctor, Findings
from tensorshelf.mapping.relocation import Relocated
from tensorshelf.mapping.service import MappingService, RemovedApp
from tensorshelf.mapping.sync.apply import Resolution
from tensorshelf.mapping.sync.plan import SyncPlan

if TYPE_CHECKING:
    from tensorshelf.jobs.runner import JobRunner


class MappingMethods:
    bus: EventBus
    mapping: MappingService
    auto_sync: AutoSync

    @property
    @abstractmethod
    def jobs(self) -> JobRunner: ...

    @abstractmethod
    def get_status(self) -> AppStatus: ...

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
