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
import functools
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from tensorshelf.io.naming import normalize_dir_name
from tensorshelf.library.models import MappableFile, MappableModel
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.config.models import ConfigProblem, MappingRule
from tensorshelf.mapping.config.overrides import Overrides, read_overrides
from tensorshelf.mapping.links.make import LinkPlan, points_to
from tensorshelf.mapping.links.registry import LinkKind, LinkRow, Registry

ConflictReason = Literal["user_file", "user_folder", "foreign_link"]
LINKED_ROLES = ("weights",)
MAX_CLASH_SUFFIX = 10_000  # "name (N).ext" tried up to this N


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


class Matcher:
    """A rule's filters, lower-cased once (a full sync tests every model against them)."""

    def __init__(self, rule: MappingRule) -> None:
        f = rule.filters
        self.rule = rule
        self.fields = [
            (attr, wanted)
            for attr, wanted in (
                ("model_type", _lower(f.model_type)),
                ("subtype", _lower(f.subtype)),
                ("family", _lower(f.family)),
                ("model_format", _lower(f.model_format)),
                ("format", _lower(f.format)),
            )
            if wanted is not None
        ]
        self.excluded = _lower(f.exclude_tags)
        self.wanted_tags = _lower(f.tags_any)
        self.min_size, self.max_size = f.min_size, f.max_size

    def __call__(self, model: MappableModel) -> bool:
        for attr, wanted in self.fields:
            value = getattr(model, attr)
            if value is None or value.lower() not in wanted:
                return False
        if self.excluded or self.wanted_tags is not None:
            tags = {t.lower() for t in model.tags}
            if self.excluded and tags & self.excluded:
                return False  # exclusion always wins
            if self.wanted_tags is not None and not tags & self.wanted_tags:
                return False
        if self.min_size is not None and model.size_bytes < self.min_size:
            return False
        return self.max_size is None or model.size_bytes <= self.max_size


def rule_matches(rule: MappingRule, model: MappableModel) -> bool:
    return Matcher(rule)(model)


def _render(subdir: str, model: MappableModel) -> str:
    """The rule's target folder for this model ("/"-separated, relative to models_dir)."""
    if "{" not in subdir:
        return subdir.strip("/")
    if model.repo_id and "/" in model.repo_id:
        publisher, repo = model.repo_id.split("/", 1)
    else:
        publisher, repo = (model.family or "local"), _basename(model.path)
    return (
        subdir.replace("{publisher}", _dir_name(publisher))
        .replace("{repo}", _dir_name(repo))
        .strip("/")
    )


@functools.lru_cache(maxsize=65_536)
def _dir_name(text: str) -> str:
    return normalize_dir_name(text)


def _basename(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


def _parent(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else ""


def _files(rule: MappingRule, model: MappableModel) -> list[MappableFile]:
    patterns = [p.lower() for p in rule.patterns]
    return [
        f
        for f in model.files
        if f.role in LINKED_ROLES
        and any(fnmatch.fnmatchcase(_basename(f.path).lower(), p) for p in patterns)
    ]


def _with_suffix(target: str, n: int) -> str:
    folder, name = _parent(target), _basename(target)
    for compound in (".safetensors.index.json",):
        if name.endswith(compound):
            stem, ext = name[: -len(compound)], compound
            break
    else:
        stem, ext = os.path.splitext(name)
    renamed = f"{stem} ({n}){ext}"
    return f"{folder}/{renamed}" if folder else renamed


class Planner:
    def __init__(
        self,
        app: AppInstall,
        rules: list[tuple[MappingRule, str]],
        registry: Registry,
        library_root: Path,
        link_plan: LinkPlan,
        overrides: dict[str, Overrides | str | None] | None = None,
    ) -> None:
        """`overrides`: each model's overrides.json as read once for every app's plan (by
        model id); a model missing from it is read here."""
        self.app, self.registry = app, registry
        self.library_root = os.fspath(library_root)
        self.overrides = overrides if overrides is not None else {}
        self.rules = [rule for rule, _source in rules if rule.enabled]
        self.matchers = [Matcher(rule) for rule in self.rules]
        self.models_dir = os.fspath(app.models_dir)
        self.link_plan = link_plan
        self.taken: dict[str, str] = {}  # target → the source claiming it, within this plan
        self._next_suffix: dict[str, int] = {}  # target → where the "(N)" search goes on
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
        overrides = (
            self.overrides[model.id]
            if model.id in self.overrides
            else read_overrides(Path(self.library_root, model.path))
        )
        if isinstance(overrides, str):
            plan.warnings.append(f"{model.name}: {overrides}; it is not linked anywhere")
            _not_mapped(plan, model, overrides)
            return []
        choice = overrides.for_app(self.app) if overrides is not None else None
        if choice is not None and choice.exclude:
            _not_mapped(plan, model, "its overrides.json keeps it out of this app")
            return []
        rule = next((m.rule for m in self.matchers if m(model)), None)
        if rule is None:
            what = model.subtype or model.model_type
            _not_mapped(plan, model, f"no enabled rule of this app places {what} models")
            return []
        kind = self.link_plan.kind
        if kind is None:
            _not_mapped(plan, model, self.link_plan.reason)
            return []
        folder = _render(rule.target_subdir, model)
        prefix = f"{folder}/" if folder else ""
        if rule.target_kind == "directory":
            pairs = [(prefix + _basename(model.path), model.path, model.sha256)]
        else:
            files = _files(rule, model)
            if not files:
                _not_mapped(
                    plan,
                    model,
                    f"rule {rule.name!r} matches, but no file matches its patterns "
                    f"({', '.join(rule.patterns)})",
                )
                return []
            pairs = [
                (prefix + _basename(f.path), f"{model.path}/{f.path}", f.sha256) for f in files
            ]
            if choice is not None and choice.target_name and len(pairs) == 1:
                _name, source, sha256 = pairs[0]
                pairs = [(prefix + choice.target_name, source, sha256)]
        actions = []
        for target, source, sha256 in pairs:
            free = self._free_name(target, model.id, source)
            if free is None:
                _not_mapped(
                    plan,
                    model,
                    f"{MAX_CLASH_SUFFIX} files are named {_basename(target)} in "
                    f"{_parent(target) or '.'}: no free name",
                )
                return []
            final, note = free
            actions.append(
                LinkAction(
                    model_id=model.id,
                    target=final,
                    source=source,
                    kind=kind,
                    sha256=sha256,
                    note=note,
                )
            )
        return actions

    def _free_name(self, target: str, model_id: str, source: str) -> tuple[str, str] | None:
        """`target`, or `name (2).ext`, … when another file (of another model, or another
        file of this one) already has that name in this folder; None when none is free."""
        candidate = target
        start = self._next_suffix.get(target, 2)
        for n in range(start, MAX_CLASH_SUFFIX):
            claimed = self.taken.get(candidate)
            row = self._row_at(candidate)
            if claimed in (None, source) and (row is None or row.model_id == model_id):
                self.taken[candidate] = source
                if candidate == target:
                    return candidate, ""
                self._next_suffix[target] = n
                return candidate, (
                    f"named {_basename(candidate)}: another model already uses "
                    f"{_basename(target)} here"
                )
            candidate = _with_suffix(target, n)
        return None

    # --- what is there now ----------------------------------------------------------------
    def _classify(self, action: LinkAction, plan: SyncPlan) -> None:
        link = os.path.join(self.models_dir, action.target)
        source = os.path.join(self.library_root, action.source)
        if not os.path.lexists(link):
            plan.to_create.append(action)
            return
        row = self._row_at(action.target)
        if row is not None and points_to(
            link, os.path.join(self.library_root, row.source), row.kind
        ):
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
        if os.path.islink(link):
            reason: ConflictReason = "foreign_link"
            message = f"{link} is a link Tensorshelf did not make; it is left alone"
        elif os.path.isdir(link):
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
        link = os.path.join(self.models_dir, row.target)
        if not os.path.lexists(link):
            plan.to_remove.append(_action_of(row, "already gone: only its record goes"))
        elif points_to(link, os.path.join(self.library_root, row.source), row.kind):
            plan.to_remove.append(_action_of(row, "no longer mapped here"))
        else:
            plan.to_remove.append(
                _action_of(row, "replaced by something else: only its record goes, it is kept")
            )


def _not_mapped(plan: SyncPlan, model: MappableModel, reason: str) -> None:
    plan.not_mapped.append(NotMapped(model_id=model.id, name=model.name, reason=reason))


def _action_of(row: LinkRow, note: str) -> LinkAction:
    return LinkAction(
        model_id=row.model_id,
        target=row.target,
        source=row.source,
        kind=row.kind,
        sha256=row.sha256,
        note=note,
    )
