"""The planner on real folders: one name per folder (a second model — or a second file of
one model — gets `name (2).ext`), a second plan after applying is empty, an incremental plan
covers only its models, and a deleted model's links are planned for removal."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.library.models import MappableFile, MappableModel
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.config.models import MappingRule, RuleFilters
from tensorshelf.mapping.links.make import LinkPlan
from tensorshelf.mapping.links.registry import Registry
from tensorshelf.mapping.sync.apply import apply_plan
from tensorshelf.mapping.sync.plan import Planner


def _model(library: Path, model_id: str, *files: str) -> MappableModel:
    path = f"llm/x/{model_id}"
    for name in files:
        (library / path / name).parent.mkdir(parents=True, exist_ok=True)
        (library / path / name).write_bytes(model_id.encode())
    return MappableModel(
        id=model_id,
        path=path,
        name=model_id,
        model_type="llm",
        subtype="llm",
        family="x",
        model_format="sharded-set",
        format="safetensors",
        tags=[],
        size_bytes=1,
        sha256=None,
        repo_id=None,
        files=[MappableFile(path=f, role="weights", sha256=None) for f in files],
    )


def _planner(tmp_path: Path, registry: Registry) -> tuple[Planner, AppInstall]:
    app = AppInstall(
        id="a",
        name="a",
        kind="folder",
        root=str(tmp_path / "app"),
        models_dir=str(tmp_path / "app"),
    )
    (tmp_path / "app").mkdir(exist_ok=True)
    rule = MappingRule(name="llm", target_subdir="llm", filters=RuleFilters(model_type=["llm"]))
    return Planner(app, [(rule, "test")], registry, tmp_path / "lib", LinkPlan("relative")), app


def test_one_name_per_folder_and_a_second_plan_is_empty(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    registry = Registry(tmp_path / "registry.db")
    models = [
        _model(
            library, "m1", "model-00001-of-00002.safetensors", "b/model-00001-of-00002.safetensors"
        ),
        _model(library, "m2", "model-00001-of-00002.safetensors"),
    ]
    planner, app = _planner(tmp_path, registry)
    plan = planner.plan(models, None)
    targets = sorted(a.target for a in plan.to_create)
    assert targets == [
        "llm/model-00001-of-00002 (2).safetensors",
        "llm/model-00001-of-00002 (3).safetensors",
        "llm/model-00001-of-00002.safetensors",
    ]
    result = apply_plan(plan, app, registry, library)
    assert result.created == 3 and result.errors == []
    again, _app = _planner(tmp_path, registry)
    second = again.plan(models, None)
    assert second.to_create == [] and second.to_remove == [] and second.already_ok == 3
    one, _app = _planner(tmp_path, registry)
    assert one.plan([models[1]], ["m2"]).already_ok == 1  # incremental: just m2
    gone, _app = _planner(tmp_path, registry)
    removal = gone.plan([], ["m2"])  # m2 was deleted: its link goes
    assert [a.model_id for a in removal.to_remove] == ["m2"]
    registry.close()


def test_apply_counts_each_link_and_a_cancel_stops_between_links(tmp_path: Path) -> None:
    from tensorshelf.io.types import CancelToken

    library = tmp_path / "lib"
    registry = Registry(tmp_path / "registry.db")
    models = [_model(library, f"m{i}", f"w{i}.safetensors") for i in range(5)]
    planner, app = _planner(tmp_path, registry)
    plan = planner.plan(models, None)
    cancel = CancelToken()
    steps: list[int] = []

    def step() -> None:
        steps.append(1)
        if len(steps) == 2:
            cancel.cancel()

    result = apply_plan(plan, app, registry, library, None, step, cancel)
    assert result.created == 2 and len(steps) == 2, "stopped after the link it was making"
    assert len(registry.for_app("a")) == 2, "what was made is recorded"
    rest, _app = _planner(tmp_path, registry)
    again = rest.plan(models, None)
    assert len(again.to_create) == 3 and again.already_ok == 2, "the next sync goes on"
    registry.close()


def test_lm_studio_puts_a_projector_beside_its_llm(tmp_path: Path) -> None:
    """An mmproj GGUF from the same repo as its LLM quant lands in the same
    <publisher>/<repo> folder of LM Studio (the shipped rule), so LM Studio pairs them."""
    import dataclasses

    from tensorshelf.mapping.config.load import applicable, merged_rules

    library = tmp_path / "lib"
    registry = Registry(tmp_path / "registry.db")
    app = AppInstall(
        id="lms",
        name="LM Studio",
        kind="lmstudio",
        root=str(tmp_path / "lms"),
        models_dir=str(tmp_path / "lms" / "models"),
    )
    (tmp_path / "lms" / "models").mkdir(parents=True)
    configs, problems = applicable(app, tmp_path / "user")
    assert not problems
    rules = merged_rules(configs)

    def gguf(model_id: str, subtype: str, name: str) -> MappableModel:
        model = _model(library, model_id, name)
        return dataclasses.replace(
            model,
            subtype=subtype,
            format="gguf",
            model_format="single-file",
            repo_id="bartowski/Qwen2-VL-7B-Instruct-GGUF",
        )

    models = [
        gguf("q", "llm", "Qwen2-VL-7B-Instruct-Q4_K_M.gguf"),
        gguf("p", "mmproj", "mmproj-Qwen2-VL-7B-Instruct-f16.gguf"),
    ]
    plan = Planner(app, rules, registry, library, LinkPlan("relative")).plan(models, None)
    folders = {a.model_id: a.target.rsplit("/", 1)[0] for a in plan.to_create}
    assert folders == {
        "q": "bartowski/Qwen2-VL-7B-Instruct-GGUF",
        "p": "bartowski/Qwen2-VL-7B-Instruct-GGUF",
    }
    registry.close()
