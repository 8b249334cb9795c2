"""MappingService: registered apps, their mapping configs, and syncing library models into
them (full or for some models), over the library's index and `registry.db`."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument, ShelfError
from tensorshelf.io.types import CancelToken
from tensorshelf.library.models import MappableModel
from tensorshelf.library.service import LibraryService
from tensorshelf.mapping.apps import extra_paths
from tensorshelf.mapping.apps.detect import detect_app
from tensorshelf.mapping.apps.models import AppCandidate, AppInstall, AppKind, LinkMethod
from tensorshelf.mapping.apps.store import AppsStore
from tensorshelf.mapping.config import edits
from tensorshelf.mapping.config.edits import AppRules, RuleEdit
from tensorshelf.mapping.config.load import applicable, merged_rules
from tensorshelf.mapping.config.overrides import (
    read_overrides,
)
from tensorshelf.mapping.links.make import (
    LinkPlan,
    link_plan,
    remove_if_ours,
)
from tensorshelf.mapping.links.registry import LinkRow, Registry
from tensorshelf.mapping.model_choices import ModelChoices
from tensorshelf.mapping.places import Places
from tensorshelf.mapping.relocation import Relocation
from tensorshelf.mapping.sync.apply import Resolution, SyncResult, apply_plan
from tensorshelf.mapping.sync.plan import Planner, SyncPlan

log = logging.getLogger(__name__)


class RemovedApp(BaseModel):
    app: AppInstall
    links_removed: int
    links_kept: int  # recorded links that were no longer ours on disk (left alone)


class MappingService(Relocation, ModelChoices):
    def __init__(self, library: LibraryService) -> None:
        home = library.locations.home
        self.library = library
        self.apps = AppsStore(home / settings.APPS_FILE)
        self.registry = Registry(home / settings.REGISTRY_DB)
        self.config_dir = home / settings.MAPPING_DIR
        self.views_dir = home / settings.VIEWS_DIR
        self._link_plans: dict[str, LinkPlan] = {}
        self._local_lock = threading.RLock()
        self.places = Places(home / settings.LIBRARY_PLACES_FILE)
        self.moved_from: str | None = self._moved_from()  # offer `relocate` when set

    @contextlib.contextmanager
    def writing(self, doing: str) -> Iterator[None]:
        """The library's writer lock — except on a read-only library, whose files can still
        be linked from apps (nothing in the library is written): then this process only."""
        if self.library.read_only:
            with self._local_lock:
                yield
        else:
            with self.library.writer.hold(doing):
                yield

    # --- apps ---------------------------------------------------------------------------
    def detect(self, path: str, kind: AppKind | None = None) -> AppCandidate:
        return detect_app(path, kind)

    def add_app(
        self,
        path: str,
        kind: AppKind | None = None,
        name: str | None = None,
        method: LinkMethod = "links",
    ) -> AppInstall:
        candidate = detect_app(path, kind)
        if method == "links":
            Path(candidate.models_dir).mkdir(parents=True, exist_ok=True)
            return self.apps.add(candidate, name, method)
        if candidate.kind != "comfyui":
            raise InvalidArgument(
                f"the extra-paths method is for ComfyUI; register {candidate.root} with links",
                path=candidate.root,
            )
        if candidate.flavour == "desktop":
            raise InvalidArgument(
                f"{candidate.root} is a ComfyUI Desktop folder: Desktop keeps ComfyUI's code "
                "inside the app and rewrites its own path config, so Tensorshelf cannot add "
                "a group there; register it with links",
                path=candidate.root,
            )
        app = self.apps.add(
            candidate, name, method, links_dir=lambda app_id: str(self.views_dir / app_id)
        )
        try:
            self.write_extra_paths(app)
        except (ShelfError, OSError):
            self.apps.remove(app.id)  # not registered: nothing half-done stays
            raise
        return app

    def _folders(self, app: AppInstall) -> list[str]:
        """Every top-level folder the app's rules can link into (enabled or not)."""
        configs, _problems = applicable(app, self.config_dir)
        folders: dict[str, None] = {}
        for rule, _source in merged_rules(configs):
            top = rule.target_subdir.strip("/").split("/", 1)[0]
            if top and "{" not in top:
                folders[top] = None
        return list(folders)

    def write_extra_paths(self, app: AppInstall) -> None:
        """The view tree's folders, and the app's YAML group naming each of them."""
        view = Path(app.models_dir)
        folders = self._folders(app)
        for folder in folders:
            (view / folder).mkdir(parents=True, exist_ok=True)
        extra_paths.write_group(app.root, view, folders, app.id)

    def extra_paths_problem(self, app: AppInstall) -> str | None:
        """What is wrong with the app's YAML group (None: it names the view as it should)."""
        path = extra_paths.yaml_path(app.root)
        have = extra_paths.group_text(app.root)
        if have is None:
            return f"{path} has no Tensorshelf group: ComfyUI does not see the linked models"
        want = extra_paths.render_group(Path(app.models_dir), self._folders(app), app.id)
        if have.replace("\r\n", "\n") != want:
            return f"the Tensorshelf group in {path} is out of date"
        return None

    def list_apps(self) -> list[AppInstall]:
        return self.apps.list()

    def linked_model_ids(self, ref: str) -> list[str]:
        """The models linked into an app (id or name; AppNotFound for neither)."""
        return self.registry.model_ids(self.apps.get(ref).id)

    def remove_app(self, ref: str) -> RemovedApp:
        """Remove the links we made in the app (only those still exactly ours), then the
        app. Nothing else in its folders is touched."""
        app = self.apps.get(ref)
        with self.writing(f"removing the app {app.id}"):
            return self._remove_app(app)

    def _remove_app(self, app: AppInstall) -> RemovedApp:
        removed = kept = 0
        for row in self.registry.for_app(app.id):
            if self._remove_link(app, row):
                removed += 1
            else:
                kept += 1
        self.registry.remove_app(app.id)
        if app.method == "extra-paths":
            extra_paths.remove_group(app.root)
            self._prune_view(Path(app.models_dir))
        self.apps.remove(app.id)
        edits.forget_app(app, self.config_dir)
        return RemovedApp(app=app, links_removed=removed, links_kept=kept)

    def _prune_view(self, view: Path) -> None:
        """Remove the app's view tree's empty folders (anything left in it stays)."""
        if view.parent != self.views_dir:
            return
        for current, _dirs, _files in sorted(os.walk(view), key=lambda e: -len(e[0])):
            with contextlib.suppress(OSError):  # not empty: something of someone's is in it
                os.rmdir(current)

    # --- rules --------------------------------------------------------------------------
    def rules(self, ref: str) -> AppRules:
        return edits.app_rules(self.apps.get(ref), self.config_dir)

    def edit_rule(self, ref: str, name: str, edit: RuleEdit) -> AppRules:
        """Change one rule for one app (saved as its own user config; nothing is linked
        until the next sync, whose plan shows the effect)."""
        return edits.edit_rule(self.apps.get(ref), self.config_dir, name, edit)

    def reset_rule(self, ref: str, name: str) -> AppRules:
        return edits.reset_rule(self.apps.get(ref), self.config_dir, name)

    # --- sync ---------------------------------------------------------------------------
    def _apps(self, refs: list[str] | None) -> list[AppInstall]:
        return [self.apps.get(r) for r in refs] if refs else self.apps.list()

    def _link_plan(self, app: AppInstall) -> LinkPlan:
        if app.id not in self._link_plans:
            self._link_plans[app.id] = link_plan(Path(app.models_dir), self.library.root)
        return self._link_plans[app.id]

    def plan(
        self,
        app_refs: list[str] | None = None,
        model_ids: list[str] | None = None,
        models: list[MappableModel] | None = None,
    ) -> list[SyncPlan]:
        """Each app's plan (nothing is changed); `models`: the library's mappable models when
        the caller has read them already (doctor)."""
        if models is None:
            models = self.library.mappable_models(model_ids)
        root = self.library.root
        overrides = {m.id: read_overrides(root / m.path) for m in models}  # once, not per app
        plans = []
        for app in self._apps(app_refs):
            configs, problems = applicable(app, self.config_dir)
            planner = Planner(
                app,
                merged_rules(configs),
                self.registry,
                self.library.root,
                self._link_plan(app),
                overrides,
            )
            plan = planner.plan(models, model_ids)
            plan.problems = problems
            plans.append(plan)
        return plans

    def sync(
        self,
        app_refs: list[str] | None = None,
        model_ids: list[str] | None = None,
        resolutions: dict[str, Resolution] | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> list[SyncResult]:
        """Apply each app's plan; `resolutions` maps a conflict's target (as the plan names
        it, or "<app id>:<target>") to skip / rename / replace. `progress(done, total)`
        counts links removed and made; `cancel` stops between links."""
        apps = {a.id: a for a in self._apps(app_refs)}
        with self.writing("syncing apps"):  # one writer: links and registry too
            return self._sync(apps, app_refs, model_ids, resolutions, progress, cancel)

    def _sync(
        self,
        apps: dict[str, AppInstall],
        app_refs: list[str] | None,
        model_ids: list[str] | None,
        resolutions: dict[str, Resolution] | None,
        progress: Callable[[int, int], None] | None,
        cancel: CancelToken | None,
    ) -> list[SyncResult]:
        results = []
        plans = self.plan(app_refs, model_ids)
        total = sum(
            len(p.to_create)
            + len(p.to_remove)
            + sum(
                1
                for c in p.conflicts
                if _resolutions_for(p.app_id, resolutions, set(apps)).get(c.target, "skip")
                != "skip"
            )
            for p in plans
        )
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        if progress is not None:
            progress(0, total)
        for plan in plans:
            if cancel is not None and cancel.cancelled:
                break
            mine = _resolutions_for(plan.app_id, resolutions, set(apps))
            app = apps[plan.app_id]
            results.append(
                apply_plan(
                    plan,
                    app,
                    self.registry,
                    self.library.root,
                    mine,
                    step,
                    cancel,
                    self.library.pause,
                )
            )
            if app.method == "extra-paths":
                self.write_extra_paths(app)  # rewritten only if it changed
        return results

    def unlink_model(self, model_id: str) -> int:
        """Before a model's files go: remove our links to it in every app (cascade)."""
        with self.writing(f"unlinking {model_id}"):
            return self._unlink_model(model_id)

    def _unlink_model(self, model_id: str) -> int:
        removed = 0
        apps = {a.id: a for a in self.apps.list()}
        for row in self.registry.for_model(model_id):
            app = apps.get(row.app_id)
            if app is not None:
                outcome = self._remove_link(app, row)
                if outcome is None:
                    continue  # could not look: the row stays for doctor
                removed += outcome
            self.registry.remove(row.app_id, row.target)
        return removed

    def _remove_link(self, app: AppInstall, row: LinkRow) -> bool | None:
        """Unlink a recorded link if it is still exactly ours: True removed, False not ours
        (left alone), None when it could not be checked or removed."""
        link = Path(app.models_dir) / row.target
        try:
            return remove_if_ours(link, self.library.root / row.source, row.kind)
        except OSError as exc:
            log.warning("could not remove %s: %s", link, exc)
            return None

    def close(self) -> None:
        self.registry.close()


def _resolutions_for(
    app_id: str, resolutions: dict[str, Resolution] | None, app_ids: set[str]
) -> dict[str, Resolution]:
    """The resolutions meant for one app: keys "<target>" or "<app id>:<target>" (a target
    may hold a ":" itself; only a registered app's id counts as a prefix)."""
    mine: dict[str, Resolution] = {}
    for key, how in (resolutions or {}).items():
        prefix, colon, rest = key.partition(":")
        if colon and prefix == app_id:
            mine[rest] = how
        elif not (colon and prefix in app_ids):
            mine[key] = how
    return mine
