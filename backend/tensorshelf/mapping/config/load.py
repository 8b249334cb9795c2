"""Find, validate and merge the mapping configs that apply to one registered app.

Shipped defaults (`mapping/config/defaults/<kind>.json`) and user configs
(`<state>/mapping/*.json`) are both read; a config applies when its `app` is the app's kind,
its `version` is `*` or a PEP 440 specifier the app's version satisfies, its `variant` is
"default" or the app's, and its `app_id` (if any) is the app's. Specificity: +100 for a
version specifier, +10 for a non-default variant, +1000 for a config of that one app, +1 for
a user config over a shipped one. Rules are merged by name, the more specific config's rule
replacing the less specific one's; the result is ordered by priority. An invalid config is
reported (file, position, reason) and skipped — it never stops a sync."""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import ValidationError

from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.config.models import (
    ConfigProblem,
    LoadedConfig,
    MappingConfig,
    MappingRule,
)

log = logging.getLogger(__name__)

SHIPPED_PACKAGE = "tensorshelf.mapping.config.defaults"


def _parse(text: str, where: str) -> MappingConfig | ConfigProblem:
    try:
        return MappingConfig.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "json_invalid":
            try:
                json.loads(text)
            except json.JSONDecodeError as decode:
                at = f"line {decode.lineno}, column {decode.colno}"
        return ConfigProblem(path=where, message=f"{where}: {at}: {first['msg']}")


def shipped_configs() -> list[tuple[str, MappingConfig | ConfigProblem]]:
    out: list[tuple[str, MappingConfig | ConfigProblem]] = []
    for entry in sorted(resources.files(SHIPPED_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            where = f"shipped:{entry.name}"
            out.append((where, _parse(entry.read_text(encoding="utf-8"), where)))
    return out


def user_configs(directory: Path) -> list[tuple[str, MappingConfig | ConfigProblem]]:
    out: list[tuple[str, MappingConfig | ConfigProblem]] = []
    try:
        files = sorted(directory.glob("*.json"))
    except OSError:
        return out
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            out.append((str(path), ConfigProblem(path=str(path), message=f"{path}: {exc}")))
            continue
        out.append((str(path), _parse(text, str(path))))
    return out


def _version_applies(spec: str, version: str | None) -> bool | None:
    """True/False, or None when the spec is not a valid PEP 440 specifier."""
    if spec.strip() in ("", "*"):
        return True
    try:
        specifier = SpecifierSet(spec)
    except InvalidSpecifier:
        try:
            return version is not None and Version(spec) == Version(version)
        except InvalidVersion:
            return None
    if version is None:
        return False
    try:
        return Version(version) in specifier
    except InvalidVersion:
        return False


def applicable(app: AppInstall, user_dir: Path) -> tuple[list[LoadedConfig], list[ConfigProblem]]:
    """The configs that apply to `app`, least specific first, and the problems found."""
    found: list[LoadedConfig] = []
    problems: list[ConfigProblem] = []
    for user, entries in ((False, shipped_configs()), (True, user_configs(user_dir))):
        for where, parsed in entries:
            if isinstance(parsed, ConfigProblem):
                problems.append(parsed)
                continue
            if parsed.app.lower() != app.kind or parsed.app_id not in (None, app.id):
                continue
            if parsed.variant not in ("default", app_variant(app)):
                continue
            fits = _version_applies(parsed.version, app.version)
            if fits is None:
                problems.append(
                    ConfigProblem(
                        path=where,
                        message=f"{where}: version: {parsed.version!r} "
                        "is neither * nor a PEP 440 specifier",
                    )
                )
                continue
            if not fits:
                continue
            score = (
                (100 if parsed.version.strip() not in ("", "*") else 0)
                + (10 if parsed.variant != "default" else 0)
                + (1000 if parsed.app_id else 0)
                + (1 if user else 0)
            )
            found.append(LoadedConfig(source=where, config=parsed, specificity=score))
    for problem in problems:
        log.warning("mapping config skipped: %s", problem.message)
    return sorted(found, key=lambda c: c.specificity), problems


def app_variant(app: AppInstall) -> str:
    return app.variant


def merged_rules(configs: list[LoadedConfig]) -> list[tuple[MappingRule, str]]:
    """(rule, source) by name — a more specific config's rule replaces a less specific one's —
    ordered by priority, then name."""
    by_name: dict[str, tuple[MappingRule, str]] = {}
    for loaded in configs:  # least specific first: later ones override
        for rule in loaded.config.rules:
            by_name[rule.name] = (rule, loaded.source)
    return sorted(by_name.values(), key=lambda pair: (pair[0].priority, pair[0].name))
