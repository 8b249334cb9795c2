"""Plan a sync of one app: which links to create, which are fine, which targets conflict,
which of our links to remove, and which models no rule places — reading only the index, the
registry and the targets' own entries (never a walk of the app's folders).

Each model goes by the first enabled rule (by priority) whose filters it matches; a file rule
links each of its weight files whose name matches a pattern (every shard of a sharded set),
a directory rule links the model's folder as one directory link. A link keeps the file's
original name; two models giving one name in one folder: the later (by id) gets
`name (2).ext`, and the plan says so. With `model_ids` the plan covers only those models
(the incremental sync after an import, edit, re-file or delete)."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field

from tensorshelf.io.naming import normalize_dir_name
from tensorshelf.library.models import MappableFile, MappableModel
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.config.models import ConfigProblem, MappingRule
from tensorshelf.mapping.links.make import LinkPlan, points_to
from tensorshelf.mapping.links.registry import LinkKind, LinkRow, Registry

ConflictReason = Literal["user_file", "user_folder", "foreign_link"]
LINKED_ROLES = ("weights",)
MAX_CLASH_SUFFIX = 100


class LinkAction(BaseModel):
    model_id: str
    target: str  # relative to the app's models dir
    source: str  # relative to the library root
    kind: LinkKind
    sha256: str | None = None
    note: str = ""


class Conflict(BaseModel):
    model_id: str
    target: str
    source: str
    reason: ConflictReason
    message: str
    kind: LinkKind = "relative"  # the link that would be made if resolved


class NotMapped(BaseModel):
    model_id: str
    name: str
    reason: str


class SyncPlan(BaseModel):
    app_id: str
    to_create: list[LinkAction] = Field(default_factory=list)
    already_ok: int = 0
    conflicts: list[Conflict] = Field(default_factory=list)
    to_remove: list[LinkAction] = Field(default_factory=list)
    not_mapped: list[NotMapped] = Field(default_factory=list)
    adopt: list[LinkAction] = Field(default_factory=list)  # correct links the registry lacks
    warnings: list[str] = Field(default_factory=list)
    problems: list[ConfigProblem] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.to_create or self.to_remove or self.conflicts or self.adopt)


def _lower(values: list[str] | None) -> set[str] | None:
    return None if values is None else {v.lower() for v in values}


def _among(allowed: list[str] | None, value: str | None) -> bool:
    wanted = _lower(allowed)
    return wanted is None or (value is not None and value.lower() in wanted)


def rule_matches(rule: MappingRule, model: MappableModel) -> bool:
    f = rule.filters
    if not (
        _among(f.model_type, model.model_type)
        and _among(f.subtype, model.subtype)
        and _among(f.family, model.family)
        and _among(f.model_format, model.model_format)
        and _among(f.format, model.format)
    ):
        return False
    tags = {t.lower() for t in model.tags}
    excluded = _lower(f.exclude_tags)
    if excluded and tags & excluded:
        return False  # exclusion always wins
    wanted = _lower(f.tags_any)
    if wanted is not None and not tags & wanted:
        return False
    if f.min_size is not None and model.size_bytes < f.min_size:
        return False
    return f.max_size is None or model.size_bytes <= f.max_size


def _render(subdir: str, model: MappableModel) -> PurePosixPath:
    if "{" not in subdir:
        return PurePosixPath(subdir)
    if model.repo_id and "/" in model.repo_id:
        publisher, repo = model.repo_id.split("/", 1)
    else:
        publisher, repo = (model.family or "local"), PurePosixPath(model.path).name
    return PurePosixPath(
        subdir.replace("{publisher}", normalize_dir_name(publisher)).replace(
            "{repo}", normalize_dir_name(repo)
        )
    )


def _files(rule: MappingRule, model: MappableModel) -> list[MappableFile]:
    patterns = [p.lower() for p in rule.patterns]
    return [
        f
        for f in model.files
        if f.role in LINKED_ROLES
        and any(fnmatch.fnmatchcase(PurePosixPath(f.path).name.lower(), p) for p in patterns)
    ]


def _with_suffix(target: PurePosixPath, n: int) -> PurePosixPath:
    name = target.name
    for compound in (".safetensors.index.json",):
        if name.endswith(compound):
            stem, ext = name[: -len(compound)], compound
            break
    else:
        stem, ext = os.path.splitext(name)
    return target.with_name(f"{stem} ({n}){ext}")


class Planner:
    def __init__(
        self,
        app: AppInstall,
        rules: list[tuple[MappingRule, str]],
        registry: Registry,
        library_root: Path,
        link_plan: LinkPlan,
    ) -> None:
        self.app, self.registry, self.library_root = app, registry, library_root
        self.rules = [rule for rule, _source in rules if rule.enabled]
        self.models_dir = Path(app.models_dir)
        self.link_plan = link_plan
        self.taken: dict[str, str] = {}  # target → the source claiming it, within this plan
        self._rows: dict[str, LinkRow] | None = None  # the app's whole registry (full sync)

    def _row_at(self, target: str) -> LinkRow | None:
        if self._rows is not None:
            return self._rows.get(target)
        return self.registry.at(self.app.id, target)

    def plan(self, models: list[MappableModel], model_ids: list[str] | None) -> SyncPlan:
        plan = SyncPlan(app_id=self.app.id)
        if self.link_plan.reason:
            plan.warnings.append(self.link_plan.reason)
        if self.link_plan.kind == "absolute":
            plan.warnings.append(
                "the app and the library are on different filesystems: absolute links are "
                "used, which break if the library's drive is mounted elsewhere"
            )
        wanted: set[str] = set()
        if model_ids is None:  # a full sync reads the app's registry once
            self._rows = {r.target: r for r in self.registry.for_app(self.app.id)}
        for model in sorted(models, key=lambda m: m.id):
            for action in self._desired(model, plan):
                wanted.add(action.target)
                self._classify(action, plan)
        rows = (
            list(self._rows.values())
            if self._rows is not None
            else self.registry.for_models(self.app.id, model_ids or [])
        )
        for row in rows:
            if row.target not in wanted:
                self._obsolete(row, plan)
        return plan

    # --- what the model should look like in the app ------------------------------------
    def _desired(self, model: MappableModel, plan: SyncPlan) -> list[LinkAction]:
        rule = next((r for r in self.rules if rule_matches(r, model)), None)
        if rule is None:
            what = model.subtype or model.model_type
            plan.not_mapped.append(
                NotMapped(
                    model_id=model.id,
                    name=model.name,
                    reason=f"no enabled rule of this app places {what} models",
                )
            )
            return []
        kind = self.link_plan.kind
        if kind is None:
            plan.not_mapped.append(
                NotMapped(model_id=model.id, name=model.name, reason=self.link_plan.reason)
            )
            return []
        folder = _render(rule.target_subdir, model)
        if rule.target_kind == "directory":
            name = PurePosixPath(model.path).name
            pairs = [(folder / name, model.path, model.sha256)]
        else:
            files = _files(rule, model)
            if not files:
                plan.not_mapped.append(
                    NotMapped(
                        model_id=model.id,
                        name=model.name,
                        reason=f"rule {rule.name!r} matches, but no file matches its patterns "
                        f"({', '.join(rule.patterns)})",
                    )
                )
                return []
            pairs = [
                (folder / PurePosixPath(f.path).name, f"{model.path}/{f.path}", f.sha256)
                for f in files
            ]
        actions = []
        for target, source, sha256 in pairs:
            final, note = self._free_name(target, model.id, source)
            actions.append(
                LinkAction(
                    model_id=model.id,
                    target=final.as_posix(),
                    source=source,
                    kind=kind,
                    sha256=sha256,
                    note=note,
                )
            )
        return actions

    def _free_name(
        self, target: PurePosixPath, model_id: str, source: str
    ) -> tuple[PurePosixPath, str]:
        """`target`, or `name (2).ext`, … when another file (of another model, or another
        file of this one) already has that name in this folder."""
        candidate = target
        for n in range(2, MAX_CLASH_SUFFIX):
            claimed = self.taken.get(candidate.as_posix())
            row = self._row_at(candidate.as_posix())
            if claimed in (None, source) and (row is None or row.model_id == model_id):
                self.taken[candidate.as_posix()] = source
                note = (
                    ""
                    if candidate == target
                    else (f"named {candidate.name}: another model already uses {target.name} here")
                )
                return candidate, note
            candidate = _with_suffix(target, n)
        return target, "no free name"

    # --- what is there now ----------------------------------------------------------------
    def _classify(self, action: LinkAction, plan: SyncPlan) -> None:
        link = self.models_dir / action.target
        source = self.library_root / action.source
        if not os.path.lexists(link):
            plan.to_create.append(action)
            return
        row = self._row_at(action.target)
        if row is not None and points_to(link, self.library_root / row.source, row.kind):
            if row.source == action.source and row.kind == action.kind:
                plan.already_ok += 1
            else:  # ours, but to where the model was: replace it
                plan.to_remove.append(_action_of(row, "re-pointed: the model moved"))
                plan.to_create.append(action)
            return
        if points_to(link, source, action.kind):  # exactly our link, not registered: adopt
            plan.already_ok += 1
            plan.adopt.append(action)
            return
        if link.is_symlink():
            reason: ConflictReason = "foreign_link"
            message = f"{link} is a link Tensorshelf did not make; it is left alone"
        elif link.is_dir():
            reason, message = "user_folder", f"{link} is a folder of yours; it is left alone"
        else:
            reason, message = "user_file", f"{link} is a file of yours; it is left alone"
        plan.conflicts.append(
            Conflict(
                model_id=action.model_id,
                target=action.target,
                source=action.source,
                reason=reason,
                message=message,
                kind=action.kind,
            )
        )

    def _obsolete(self, row: LinkRow, plan: SyncPlan) -> None:
        link = self.models_dir / row.target
        if not os.path.lexists(link):
            plan.to_remove.append(_action_of(row, "already gone: only its record goes"))
        elif points_to(link, self.library_root / row.source, row.kind):
            plan.to_remove.append(_action_of(row, "no longer mapped here"))
        else:
            plan.to_remove.append(
                _action_of(row, "replaced by something else: only its record goes, it is kept")
            )


def _action_of(row: LinkRow, note: str) -> LinkAction:
    return LinkAction(
        model_id=row.model_id,
        target=row.target,
        source=row.source,
        kind=row.kind,
        sha256=row.sha256,
        note=note,
    )
