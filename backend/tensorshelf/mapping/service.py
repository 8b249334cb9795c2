"""MappingService: registered apps, their mapping configs, and syncing library models into
them (full or for some models), over the library's index and `registry.db`."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument, ShelfError
from tensorshelf.io.types import CancelToken
from tensorshelf.library.changes import record_change
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
    AppLinkChoice,
    AppOverride,
    ModelLinks,
    Overrides,
    read_overrides,
    write_overrides,
)
from tensorshelf.mapping.links.make import (
    LinkPlan,
    create,
    link_plan,
    points_to,
    remove_if_ours,
    remove_if_text,
    symlink_text,
)
from tensorshelf.mapping.links.registry import LinkRow, Registry
from tensorshelf.mapping.places import Places
from tensorshelf.mapping.sync.apply import Resolution, SyncResult, apply_plan
from tensorshelf.mapping.sync.plan import Planner, SyncPlan

log = logging.getLogger(__name__)


class Relocated(BaseModel):
    apps: list[str]  # ids of the apps whose folders were re-pointed
    links_repointed: int  # absolute links re-made under the new prefix


class RemovedApp(BaseModel):
    app: AppInstall
    links_removed: int
    links_kept: int  # recorded links that were no longer ours on disk (left alone)


class MappingService:
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

    # --- one model's choices ---------------------------------------------------------------
    def model_links(self, ref: str) -> ModelLinks:
        """Where the model is linked in each app, and its overrides.json choices."""
        model_id = self.library.model_id(ref)
        overrides = read_overrides(self.library.model_dir(ref))
        rows = self.registry.for_model(model_id)
        choices = []
        for app in self.apps.list():
            choice = overrides.for_app(app) if isinstance(overrides, Overrides) else None
            choices.append(
                AppLinkChoice(
                    app_id=app.id,
                    app_name=app.name,
                    exclude=bool(choice and choice.exclude),
                    target_name=choice.target_name if choice else None,
                    links=sorted(r.target for r in rows if r.app_id == app.id),
                )
            )
        problem = overrides if isinstance(overrides, str) else None
        return ModelLinks(model_id=model_id, apps=choices, problem=problem)

    def set_link_choice(
        self, ref: str, app_ref: str, exclude: bool = False, target_name: str | None = None
    ) -> ModelLinks:
        """Keep the model out of one app, or link it there (under `target_name`): written to
        its overrides.json; the incremental sync that follows the change applies it."""
        app = self.apps.get(app_ref)
        self.library.writable("change where a model is linked")
        try:
            choice = AppOverride(exclude=exclude, target_name=target_name or None)
        except ValidationError as exc:
            raise InvalidArgument(
                f"{target_name!r}: {exc.errors()[0]['msg']}", target_name=target_name
            ) from exc
        with self.library.writer.hold(f"changing where {ref} is linked"):
            model_id = self.library.model_id(ref)
            model_dir = self.library.model_dir(ref)
            current = read_overrides(model_dir)
            if isinstance(current, str):
                raise InvalidArgument(f"{current}: fix or delete it first", path=str(model_dir))
            overrides = current or Overrides()
            kind_wide = app.kind != app.id and app.kind in overrides.apps
            if choice.exclude or choice.target_name or kind_wide:
                overrides.apps[app.id] = choice  # the app's own entry wins over its kind's
            else:
                overrides.apps.pop(app.id, None)  # the default: nothing to say
            write_overrides(model_dir, overrides)
            record_change(
                self.library.root,
                "edit",
                {model_id: model_dir.relative_to(self.library.root).as_posix()},
            )
        return self.model_links(model_id)

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

    def relocate(self, old: str, new: str) -> Relocated:
        """After a move (a drive remounted elsewhere, the library or an app moved): re-point
        the registered apps under `old` to `new`, and each of our links that was made for
        the old place — absolute ones, and relative ones whose library moved without them.
        Links that still reach their model (moved together: the Move Test) are left as they
        are, and links we did not make are never touched."""
        old_abs, new_abs = os.path.abspath(old), os.path.abspath(new)
        if not os.path.isdir(new_abs):
            raise InvalidArgument(f"{new_abs} is not a folder", path=new_abs)
        with self.writing(f"relocating {old_abs} to {new_abs}"):
            moved = self.apps.relocate(old_abs, new_abs)
            repointed = 0
            for app in self.apps.list():
                if app.method == "extra-paths" and Path(app.root).is_dir():
                    self.write_extra_paths(app)
                for row in self.registry.for_app(app.id):
                    repointed += self.repoint(app, row, old_abs, new_abs)
            self._link_plans.clear()
            self.dismiss_move()
        return Relocated(apps=[a.id for a in moved], links_repointed=repointed)

    def made_for(self, app: AppInstall, row: LinkRow, old: str, new: str) -> bool:
        """True if the recorded link is still exactly what we made before `old` moved to
        `new` (and no longer reaches its model)."""
        if row.kind == "hardlink":
            return False  # a hard link is the file itself: nothing points anywhere
        link, source = Path(app.models_dir) / row.target, self.library.root / row.source
        if points_to(link, source, row.kind):
            return False
        before = symlink_text(_before(source, old, new), _before(link, old, new), row.kind)
        try:
            return os.readlink(link) == before
        except OSError:
            return False

    def repoint(self, app: AppInstall, row: LinkRow, old: str, new: str) -> int:
        """1 if the recorded link was made for the place before the move and is re-made."""
        link, source = Path(app.models_dir) / row.target, self.library.root / row.source
        if not os.path.exists(source) or not self.made_for(app, row, old, new):
            return 0
        before = symlink_text(_before(source, old, new), _before(link, old, new), row.kind)
        try:
            if not remove_if_text(link, before):
                return 0  # changed meanwhile: left alone
            create(source, link, row.kind)
        except OSError as exc:
            log.warning("could not re-point %s: %s", link, exc)
            return 0
        return 1

    # --- where the library was ------------------------------------------------------------
    def _moved_from(self) -> str | None:
        """The library's last known path when it is not where it is now and links were made
        for the old place; otherwise the current place is recorded."""
        uuid, here = self.library.signature.uuid, str(self.library.root)
        last = self.places.last(uuid)
        if last is not None and last != here and self.registry.count() > 0:
            return last
        if not self.library.read_only:
            self.places.remember(uuid, here)
        return None

    def dismiss_move(self) -> None:
        """The library's current place is the one to remember (relocated, or not wanted)."""
        self.places.remember(self.library.signature.uuid, str(self.library.root))
        self.moved_from = None

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


def _before(path: Path, old: str, new: str) -> Path:
    """Where `path` was before `old` moved to `new`."""
    text = os.fspath(path)
    if text == new or text.startswith(new.rstrip("/") + "/"):
        return Path(old.rstrip("/") + text[len(new.rstrip("/")) :])
    return path
