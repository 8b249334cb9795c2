"""Names of planned models: generic stems give way to something meaningful, and the plan
follows the order of the inputs."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.detect.models import Detection, ForeignMetadata
from tensorshelf.library.importing.display_name import choose_display_name, is_generic
from tensorshelf.library.importing.planning import plan_import
from tests.fixtures.import_files import make_sharded_set, write_safetensors


def test_generic_stems_are_recognised_and_real_names_are_not() -> None:
    assert is_generic("model") and is_generic("diffusion_pytorch_model") and is_generic("UNet")
    assert not is_generic("juggernautXL_v9") and not is_generic("model-x")


def test_a_specific_stem_always_wins(tmp_path: Path) -> None:
    det = Detection(family="sdxl", foreign=ForeignMetadata(title="Some Title"))
    assert (
        choose_display_name("cinematic_light_v1", tmp_path / "x.safetensors", det)
        == "cinematic_light_v1"
    )


def test_generic_stem_takes_the_embedded_title_then_the_folder_then_the_family(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "Downloads" / "Meta-Llama-3-8B-Instruct" / "model.safetensors"
    titled = Detection(family="llama", foreign=ForeignMetadata(title="Llama 3 8B"))
    assert choose_display_name("model", repo, titled) == "Llama 3 8B"
    assert (
        choose_display_name("model", repo, Detection(family="llama")) == "Meta-Llama-3-8B-Instruct"
    )
    hf_cache = (
        tmp_path / "models--Qwen--Qwen2-7B" / "snapshots" / ("a" * 40) / "model.safetensors"
    )  # the revision and snapshots dirs are skipped
    assert (
        choose_display_name("model", hf_cache, Detection(family="qwen2"))
        == "models--Qwen--Qwen2-7B"
    )


def test_generic_stem_in_a_container_folder_falls_back_to_family(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(Path, "home", staticmethod(lambda: tmp_path))
    path = tmp_path / "Downloads" / "model.safetensors"
    assert choose_display_name("model", path, Detection(family="flux1")) == "flux1-model"
    assert choose_display_name("model", path, None) == "model"


def test_a_sharded_set_in_a_repo_folder_is_named_after_the_folder(tmp_path: Path) -> None:
    shards = make_sharded_set(tmp_path / "Qwen2-7B-Instruct", base="model", n=2)
    (item,) = plan_import([str(s) for s in shards]).items
    assert item.name == "Qwen2-7B-Instruct"


def test_plan_items_follow_the_order_of_the_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    a = write_safetensors(folder / "aaa.safetensors", seed=1)
    z = write_safetensors(tmp_path / "zzz.safetensors", seed=2)
    b = write_safetensors(tmp_path / "bbb.safetensors", seed=3)
    plan = plan_import([str(z), str(folder), str(b)])
    assert [Path(i.paths[0]).name for i in plan.items] == [z.name, a.name, b.name]
