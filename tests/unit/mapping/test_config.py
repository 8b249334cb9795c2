"""Mapping configs: shipped defaults are valid and used; a user config overrides a shipped
rule by name; version specifiers and variants select configs; `enabled` is honoured;
exclusion wins over inclusion; an invalid config is reported (file, position) and skipped."""

from __future__ import annotations

import json
from pathlib import Path

from tensorshelf.library.models import MappableModel
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.config.load import applicable, merged_rules, shipped_configs
from tensorshelf.mapping.config.models import MappingConfig, MappingRule, RuleFilters
from tensorshelf.mapping.sync.plan import rule_matches


def _app(kind: str = "comfyui", version: str | None = "0.38.1", variant: str = "default"):
    return AppInstall(
        id="c",
        name="c",
        kind=kind,
        root="/x",
        models_dir="/x/models",
        version=version,
        variant=variant,
    )  # type: ignore[arg-type]


def _model(**over: object) -> MappableModel:
    base: dict[str, object] = dict(
        id="m",
        path="diffusion/sdxl/m",
        name="m",
        model_type="diffusion",
        subtype="loras",
        family="sdxl",
        model_format="single-file",
        format="safetensors",
        tags=[],
        size_bytes=100,
        sha256=None,
        repo_id=None,
    )
    base.update(over)
    return MappableModel(**base)  # type: ignore[arg-type]


def test_every_shipped_config_is_valid() -> None:
    parsed = shipped_configs()
    assert {p.app for _w, p in parsed if isinstance(p, MappingConfig)} == {
        "comfyui",
        "a1111",
        "lmstudio",
        "folder",
    }
    assert all(isinstance(p, MappingConfig) for _w, p in parsed)


def test_a_user_config_overrides_a_rule_by_name_and_can_disable_it(tmp_path: Path) -> None:
    (tmp_path / "mine.json").write_text(
        json.dumps(
            {
                "app": "comfyui",
                "version": ">=0.30",
                "rules": [{"name": "loras", "target_subdir": "loras/mine", "enabled": False}],
            }
        )
    )
    configs, problems = applicable(_app(), tmp_path)
    assert problems == []
    rules = {r.name: (r, src) for r, src in merged_rules(configs)}
    rule, source = rules["loras"]
    assert source.endswith("mine.json") and rule.target_subdir == "loras/mine"
    assert rule.enabled is False
    # an older ComfyUI is not matched by ">=0.30": the shipped rule applies there
    old, _ = applicable(_app(version="0.2.0"), tmp_path)
    assert {r.name: r for r, _s in merged_rules(old)}["loras"].enabled is True


def test_variants_and_one_apps_config(tmp_path: Path) -> None:
    (tmp_path / "mobile.json").write_text(
        json.dumps(
            {
                "app": "comfyui",
                "variant": "mobile",
                "rules": [
                    {
                        "name": "checkpoints",
                        "target_subdir": "checkpoints",
                        "filters": {"max_size": 4000},
                    }
                ],
            }
        )
    )
    default, _ = applicable(_app(), tmp_path)
    mobile, _ = applicable(_app(variant="mobile"), tmp_path)
    assert len(mobile) == len(default) + 1
    rule = {r.name: r for r, _s in merged_rules(mobile)}["checkpoints"]
    assert rule.filters.max_size == 4000


def test_an_invalid_config_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"app": "comfyui",\n "rules": [}')
    (tmp_path / "escape.json").write_text(
        json.dumps({"app": "comfyui", "rules": [{"name": "x", "target_subdir": "../../etc"}]})
    )
    configs, problems = applicable(_app(), tmp_path)
    assert len(problems) == 2
    messages = " ".join(p.message for p in problems)
    assert "broken.json: line 2" in messages and "escape.json" in messages
    assert configs  # the shipped default still applies


def test_filters_exclusion_wins() -> None:
    rule = MappingRule(
        name="r",
        target_subdir="x",
        filters=RuleFilters(family=["sdxl", "sd1"], tags_any=["style"], exclude_tags=["nsfw"]),
    )
    assert rule_matches(rule, _model(tags=["style"]))
    assert not rule_matches(rule, _model(tags=["style", "NSFW"]))
    assert not rule_matches(rule, _model(tags=[]))
    assert not rule_matches(rule, _model(tags=["style"], family="flux1"))


def test_comfyui_defaults_file_the_2026_subtypes_into_their_folders(tmp_path: Path) -> None:
    """The new detector subtypes land where their custom nodes look (and nowhere else);
    the LLM-side ones (text embeddings, projectors) stay out of ComfyUI."""
    configs, problems = applicable(_app(), tmp_path)
    assert not problems
    rules = [rule for rule, _src in merged_rules(configs)]

    def folders(**over: object) -> list[str]:
        model = _model(**over)
        return [r.target_subdir for r in rules if r.enabled and rule_matches(r, model)]

    expected = {
        "ipadapter": "ipadapter",
        "animatediff_models": "animatediff_models",
        "facerestore_models": "facerestore_models",
        "sams": "sams",
        "depth_models": "depthanything",
    }
    for subtype, folder in expected.items():
        kind = "diffusion" if subtype in ("ipadapter", "animatediff_models") else "other"
        assert folders(subtype=subtype, model_type=kind, family=None) == [folder], subtype
    assert folders(subtype="text_embedding", model_type="llm", format="gguf") == []
    assert folders(subtype="mmproj", model_type="llm", format="gguf") == []
    assert folders(subtype="audio", model_type="other") == []
