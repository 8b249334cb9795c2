"""The user's changes to one app's rules (the window's Mapping view, `apps rule`): saved as
that app's own user config, `<state>/mapping/app-<id>.json` (`app_id` set, so it is the most
specific config for that app and for no other). An edited rule is stored whole — a merged
rule replaces the less specific one by name — and resetting it removes it from the file,
so the shipped default applies again. The file is written atomically."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from tensorshelf.errors import InvalidArgument
from tensorshelf.io.atomic import write_json_atomic
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.config.load import applicable, merged_rules
from tensorshelf.mapping.config.models import ConfigProblem, MappingConfig, MappingRule


class RuleView(BaseModel):
    rule: MappingRule
    source: str  # "shipped:<file>" or a user config's path
    edited: bool  # from this app's own config (the Mapping view's changes)


class AppRules(BaseModel):
    app_id: str
    rules: list[RuleView] = Field(default_factory=list)  # by priority, then name
    problems: list[ConfigProblem] = Field(default_factory=list)
    config_path: str  # where edits are saved


class RuleEdit(BaseModel):
    enabled: bool | None = None
    target_subdir: str | None = None


def app_config_path(config_dir: Path, app: AppInstall) -> Path:
    return config_dir / f"app-{app.id}.json"


def app_rules(app: AppInstall, config_dir: Path) -> AppRules:
    configs, problems = applicable(app, config_dir)
    own = str(app_config_path(config_dir, app))
    return AppRules(
        app_id=app.id,
        rules=[
            RuleView(rule=rule, source=source, edited=source == own)
            for rule, source in merged_rules(configs)
        ],
        problems=problems,
        config_path=own,
    )


def _own_config(path: Path, app: AppInstall) -> MappingConfig:
    try:
        return MappingConfig.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return MappingConfig(
            app=app.kind,
            app_id=app.id,
            description=f"Changes made to {app.name}'s rules in Tensorshelf",
        )
    except (OSError, ValidationError) as exc:
        raise InvalidArgument(
            f"{path} cannot be read ({exc}); fix or remove it before changing rules",
            path=str(path),
        ) from exc


def edit_rule(app: AppInstall, config_dir: Path, name: str, edit: RuleEdit) -> AppRules:
    """Save `edit` of the rule `name` (as the app sees it now) into the app's own config."""
    current = {v.rule.name: v.rule for v in app_rules(app, config_dir).rules}
    if name not in current:
        raise InvalidArgument(
            f"{app.id} has no rule {name!r} (rules: {', '.join(sorted(current))})", rule=name
        )
    changes = edit.model_dump(exclude_none=True)
    if "target_subdir" in changes:
        changes["target_subdir"] = changes["target_subdir"].strip().strip("/")
    try:
        rule = MappingRule.model_validate({**current[name].model_dump(), **changes})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise InvalidArgument(f"rule {name!r}: {reason}", rule=name) from exc
    path = app_config_path(config_dir, app)
    config = _own_config(path, app)
    config.rules = [r for r in config.rules if r.name != name] + [rule]
    config_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, config)
    return app_rules(app, config_dir)


def reset_rule(app: AppInstall, config_dir: Path, name: str) -> AppRules:
    """Drop the app's own version of `name` (the default applies again)."""
    path = app_config_path(config_dir, app)
    config = _own_config(path, app)
    kept = [r for r in config.rules if r.name != name]
    if len(kept) != len(config.rules):
        config.rules = kept
        if kept:
            write_json_atomic(path, config)
        else:
            path.unlink(missing_ok=True)
    return app_rules(app, config_dir)


def forget_app(app: AppInstall, config_dir: Path) -> None:
    """The app is unregistered: its own config goes with it."""
    app_config_path(config_dir, app).unlink(missing_ok=True)
