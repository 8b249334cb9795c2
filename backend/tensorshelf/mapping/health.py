"""Doctor: what is wrong between the library, the registry and the apps — and, with `fix`,
repair what is ours to repair.

Findings: `broken_links` (ours, the source is gone), `missing_links` (recorded, the link is
gone), `unregistered_links` (links into this library the registry does not know),
`foreign_links` (someone else's link where a model should go: reported only), `shadowed`
(two models giving one name in one folder), `ghost_apps` (the app's folder is gone),
`phantom_models` (a model whose files are missing), `offline_roots` (the library is not
mounted: nothing is changed), `app_configs` (an extra-paths app's YAML group is missing or
stale: rewritten), `sandbox` (Flatpak / Snap / a container: which folders it must be
allowed to use — reported only). Fixing re-points a broken link by SHA-256 to wherever that
model (or an identical copy) now is, removes dead links we own, recreates missing ones and
re-adopts unregistered ones. A user's file or a link we did not make is never touched."""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePosixPath
from typing import ClassVar

from pydantic import BaseModel, Field

from tensorshelf.io.sandbox import Sandbox, access_advice
from tensorshelf.library.layout import library_exists
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.links.make import create, make_folders, points_to, remove_if_ours
from tensorshelf.mapping.links.registry import LinkKind, LinkRow
from tensorshelf.mapping.service import MappingService
from tensorshelf.mapping.sync.plan import SyncPlan

log = logging.getLogger(__name__)


class Finding(BaseModel):
    app_id: str | None = None
    path: str  # the link (absolute), the app root, or the model's library path
    detail: str
    model_id: str | None = None
    fixed: bool = False


class Findings(BaseModel):
    broken_links: list[Finding] = Field(default_factory=list)
    missing_links: list[Finding] = Field(default_factory=list)
    unregistered_links: list[Finding] = Field(default_factory=list)
    foreign_links: list[Finding] = Field(default_factory=list)
    shadowed: list[Finding] = Field(default_factory=list)
    ghost_apps: list[Finding] = Field(default_factory=list)
    phantom_models: list[Finding] = Field(default_factory=list)
    offline_roots: list[Finding] = Field(default_factory=list)
    app_configs: list[Finding] = Field(default_factory=list)  # extra-paths YAML groups
    sandbox: list[Finding] = Field(default_factory=list)  # folders a sandbox must be allowed

    INFORMATIONAL: ClassVar[tuple[str, ...]] = ("foreign_links", "sandbox")

    def problems(self) -> int:
        """Findings that still need something (fixed ones and informational ones do not)."""
        return sum(
            1
            for name, items in self
            if name not in self.INFORMATIONAL
            for item in items
            if not item.fixed
        )


class Doctor:
    def __init__(self, mapping: MappingService, sandbox: Sandbox | None = None) -> None:
        self.mapping = mapping
        self.sandbox = sandbox
        self.root = mapping.library.root
        self._dirs: dict[str, str] = {}  # model dir → id
        self._sha: dict[str, str] = {}  # library path of a file → its SHA-256

    def run(self, fix: bool = False) -> Findings:
        if not fix:
            return self._run(False)
        with self.mapping.writing("repairing links"):
            return self._run(True)

    def _run(self, fix: bool) -> Findings:
        found = Findings()
        if not library_exists(self.root):
            found.offline_roots.append(
                Finding(path=str(self.root), detail="the library is not mounted: nothing checked")
            )
            return found
        if self.sandbox is not None:
            self._sandbox(self.sandbox, found)
        models = self.mapping.library.mappable_models()
        by_sha: dict[str, str] = {}  # sha256 → library path of a file that is there now
        root = os.fspath(self.root)  # strings below: these loops run once per file and link
        for model in models:
            missing = []
            for f in model.files:
                present = os.path.isfile(os.path.join(root, model.path, f.path))
                if f.role == "weights" and not present:
                    missing.append(f.path)
                elif present and f.sha256:
                    by_sha.setdefault(f.sha256, f"{model.path}/{f.path}")
                    self._sha[f"{model.path}/{f.path}"] = f.sha256
            if missing:
                found.phantom_models.append(
                    Finding(
                        path=model.path,
                        model_id=model.id,
                        detail=f"files missing: {', '.join(missing)}",
                    )
                )
        self._dirs = {m.path: m.id for m in models}
        plans = {p.app_id: p for p in self.mapping.plan(models=models)}  # every app, one pass
        for app in self.mapping.list_apps():
            if not Path(app.root).is_dir():
                found.ghost_apps.append(
                    Finding(app_id=app.id, path=app.root, detail="the app's folder is gone")
                )
                continue
            if app.method == "extra-paths":
                self._app_config(app, found, fix)
            rows = self.mapping.registry.for_app(app.id)
            for row in rows:
                if not self._made_before_move(app, row, found, fix):
                    self._check_row(app.id, Path(app.models_dir), row, by_sha, found, fix)
            self._unregistered(app.id, Path(app.models_dir), {r.target for r in rows}, found, fix)
            self._from_plan(plans[app.id], Path(app.models_dir), found)
        if fix and self.mapping.moved_from and all(f.fixed for f in found.broken_links):
            self.mapping.dismiss_move()  # every link made for the old place is re-pointed
        return found

    def _sandbox(self, sandbox: Sandbox, found: Findings) -> None:
        inside = f"Tensorshelf runs inside {sandbox.kind} ({sandbox.evidence})"
        found.sandbox.append(
            Finding(
                path=str(self.root),
                detail=f"{inside}: it needs read/write access to the library; "
                + access_advice(sandbox, str(self.root), write=True),
            )
        )
        for app in self.mapping.list_apps():
            found.sandbox.append(
                Finding(
                    app_id=app.id,
                    path=app.models_dir,
                    detail=f"{inside}: it needs read/write access to {app.name}'s folder, and "
                    f"{app.name} read access to the library; "
                    + access_advice(sandbox, app.models_dir, write=True),
                )
            )

    def _app_config(self, app: AppInstall, found: Findings, fix: bool) -> None:
        problem = self.mapping.extra_paths_problem(app)
        if problem is None:
            return
        finding = Finding(app_id=app.id, path=app.root, detail=problem)
        found.app_configs.append(finding)
        if fix:
            self.mapping.write_extra_paths(app)
            finding.fixed = True

    def _made_before_move(self, app: AppInstall, row: LinkRow, found: Findings, fix: bool) -> bool:
        """A link made for the library's old place (it moved since): a broken link that
        relocating re-points. True when that is what this row is."""
        old = self.mapping.moved_from
        if old is None or not self.mapping.made_for(app, row, old, str(self.root)):
            return False
        link = Path(app.models_dir) / row.target
        finding = Finding(
            app_id=app.id,
            path=str(link),
            model_id=row.model_id,
            detail=f"made when the library was at {old}; relocating re-points it",
        )
        found.broken_links.append(finding)
        if fix:
            finding.fixed = self.mapping.repoint(app, row, old, str(self.root)) == 1
        return True

    def _check_row(
        self,
        app_id: str,
        models_dir: Path,
        row: LinkRow,
        by_sha: dict[str, str],
        found: Findings,
        fix: bool,
    ) -> None:
        link = os.path.join(models_dir, row.target)
        source = os.path.join(self.root, row.source)
        registry = self.mapping.registry
        if not os.path.lexists(link):
            finding = Finding(
                app_id=app_id,
                path=str(link),
                model_id=row.model_id,
                detail=f"recorded, but the link is gone (to {row.source})",
            )
            found.missing_links.append(finding)
            if fix:
                finding.fixed = self._recreate(models_dir, row, Path(source), finding)
            return
        if not points_to(link, source, row.kind):
            return  # replaced by something of the user's: not ours any more (sync forgets it)
        if os.path.exists(source):
            return
        new = by_sha.get(row.sha256 or "")
        finding = Finding(
            app_id=app_id,
            path=str(link),
            model_id=row.model_id,
            detail=f"its source {row.source} is gone"
            + (f"; the same file is now at {new}" if new else ""),
        )
        found.broken_links.append(finding)
        if not fix:
            return
        if remove_if_ours(Path(link), Path(source), row.kind):
            registry.remove(app_id, row.target)
            if new is not None:
                create(self.root / new, link, row.kind)
                registry.add(LinkRow(app_id, row.target, new, row.model_id, row.sha256, row.kind))
            finding.fixed = True

    def _recreate(self, models_dir: Path, row: LinkRow, source: Path, finding: Finding) -> bool:
        """Make a recorded link again (its folder too, if that went); a model that is gone
        takes its record with it."""
        if not os.path.exists(source):
            self.mapping.registry.remove(row.app_id, row.target)
            return True
        try:
            folder = PurePosixPath(row.target).parent
            if folder.parts:
                make_folders(models_dir, Path(*folder.parts))
            create(source, models_dir / row.target, row.kind)
        except OSError as exc:
            finding.detail += f"; cannot recreate it: {exc.strerror or exc}"
            return False
        return True

    def _unregistered(
        self, app_id: str, models_dir: Path, known: set[str], found: Findings, fix: bool
    ) -> None:
        real_root = os.path.realpath(self.root)
        base = os.fspath(models_dir)
        cut = len(base.rstrip(os.sep)) + 1
        for current, dirs, files in os.walk(base):  # never follows links into folders
            for name in [*files, *dirs]:
                path_text = os.path.join(current, name)
                target = path_text[cut:].replace(os.sep, "/")
                if target in known or not os.path.islink(path_text):
                    continue
                path = Path(path_text)
                resolved = os.path.realpath(path)
                if not resolved.startswith(real_root + os.sep):
                    continue  # a link of the user's to somewhere else: none of our business
                finding = Finding(
                    app_id=app_id,
                    path=str(path),
                    detail=f"links into the library ({resolved}), not recorded",
                )
                found.unregistered_links.append(finding)
                if fix:
                    source = Path(resolved).relative_to(real_root).as_posix()
                    model_id = self._model_of(source)
                    if model_id is not None:
                        kind: LinkKind = (
                            "absolute" if os.readlink(path).startswith("/") else "relative"
                        )
                        self.mapping.registry.add(
                            LinkRow(app_id, target, source, model_id, self._sha.get(source), kind)
                        )
                        finding.fixed = True

    def _model_of(self, source: str) -> str | None:
        """The model whose dir holds `source` (a file or the dir itself)."""
        parts = source.split("/")
        for n in range(len(parts), 0, -1):
            model_id = self._dirs.get("/".join(parts[:n]))
            if model_id is not None:
                return model_id
        return None

    def _from_plan(self, plan: SyncPlan, models_dir: Path, found: Findings) -> None:
        for conflict in plan.conflicts:
            if conflict.reason == "foreign_link":
                found.foreign_links.append(
                    Finding(
                        app_id=plan.app_id,
                        path=str(models_dir / conflict.target),
                        model_id=conflict.model_id,
                        detail=conflict.message,
                    )
                )
        for action in [*plan.to_create, *plan.adopt]:
            if action.note.startswith("named "):
                found.shadowed.append(
                    Finding(
                        app_id=plan.app_id,
                        path=str(models_dir / action.target),
                        model_id=action.model_id,
                        detail=action.note,
                    )
                )
