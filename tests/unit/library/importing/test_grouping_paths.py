"""Grouping dropped paths into logical models (no weights are read here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorshelf.library.importing.grouping import group_paths
from tensorshelf.library.importing.shards import missing_indices, parse_shard_name, siblings
from tests.fixtures.import_files import (
    make_diffusers_folder,
    make_sharded_set,
    make_transformers_folder,
    write_gguf,
    write_safetensors,
)


def _units(paths: list[Path], library: Path | None = None):
    return group_paths([str(p) for p in paths], library)


def test_single_file_with_companions_travels_together(tmp_path: Path) -> None:
    weight = write_safetensors(tmp_path / "Cool LoRA.safetensors")
    for suffix in (
        ".png",
        ".preview.png",
        ".civitai.info",
        ".cm-info.json",
        ".metadata.json",
        ".yaml",
        ".json",
    ):
        (tmp_path / f"Cool LoRA{suffix}").write_text("x")
    (tmp_path / "Other.png").write_text("x")  # a different stem: not a companion
    result = _units([weight])
    (unit,) = result.units
    assert unit.model_format == "single-file" and unit.name == "Cool LoRA"
    assert unit.rel_files[0] == "Cool LoRA.safetensors"
    assert set(unit.rel_files[1:]) == {
        f"Cool LoRA{s}"
        for s in (
            ".png",
            ".preview.png",
            ".civitai.info",
            ".cm-info.json",
            ".metadata.json",
            ".yaml",
            ".json",
        )
    }
    assert result.rejected == [] and result.unknown == []


def test_companion_dropped_with_its_weight_is_not_rejected(tmp_path: Path) -> None:
    weight = write_safetensors(tmp_path / "a.safetensors")
    preview = tmp_path / "a.png"
    preview.write_bytes(b"\x89PNG")
    result = _units([weight, preview])
    assert len(result.units) == 1 and result.unknown == [] and result.rejected == []


@pytest.mark.parametrize("given", [[1], [2], [1, 2, 3], [3, 1]])
def test_shards_passed_in_any_subset_form_one_unit(tmp_path: Path, given: list[int]) -> None:
    shards = make_sharded_set(tmp_path, "model", 3)
    result = _units([shards[i - 1] for i in given])
    (unit,) = result.units
    assert unit.model_format == "sharded-set" and unit.name == "model"
    assert unit.rel_files == [s.name for s in shards] + ["model.safetensors.index.json"]
    assert unit.weights == [s.name for s in shards]
    assert unit.warnings == []


def test_index_json_alone_pulls_in_its_shards(tmp_path: Path) -> None:
    shards = make_sharded_set(tmp_path, "model", 2)
    (unit,) = _units([tmp_path / "model.safetensors.index.json"]).units
    assert unit.rel_files == [s.name for s in shards] + ["model.safetensors.index.json"]


def test_missing_shards_warn_but_still_group(tmp_path: Path) -> None:
    shards = make_sharded_set(tmp_path, "big", 5, index=False)
    shards[2].unlink()
    shards[4].unlink()
    (unit,) = _units([shards[0]]).units
    assert len(unit.weights) == 3
    assert any("2 of 5 shards missing" in w and "3, 5" in w for w in unit.warnings)


def test_gguf_part_files_group(tmp_path: Path) -> None:
    write_gguf(tmp_path / "llama.gguf.part1")
    (tmp_path / "llama.gguf.part2").write_bytes(b"rest of the bytes")
    (unit,) = _units([tmp_path / "llama.gguf.part2"]).units
    assert unit.rel_files == ["llama.gguf.part1", "llama.gguf.part2"]
    assert unit.name == "llama"


def test_underscore_pattern_needs_two_files(tmp_path: Path) -> None:
    single = write_safetensors(tmp_path / "model_00001.safetensors")
    (unit,) = _units([single]).units
    assert unit.model_format == "single-file"
    write_safetensors(tmp_path / "model_00002.safetensors", seed=2)
    (unit,) = _units([single]).units
    assert unit.model_format == "sharded-set" and len(unit.weights) == 2


def test_diffusers_folder_is_one_unit_with_relative_paths(tmp_path: Path) -> None:
    folder = tmp_path / "sd15 pipeline"
    rels = make_diffusers_folder(folder)
    (unit,) = _units([folder]).units
    assert unit.model_format == "diffusers-folder" and unit.name == "sd15 pipeline"
    assert sorted(unit.rel_files) == rels
    assert unit.rel_files[0] == "unet/diffusion_pytorch_model.safetensors"  # largest weight
    assert "unet/diffusion_pytorch_model.fp16.safetensors" in unit.weights


def test_transformers_folder_is_one_bundle(tmp_path: Path) -> None:
    folder = tmp_path / "qwen"
    rels = make_transformers_folder(folder)
    (unit,) = _units([folder]).units
    assert unit.model_format == "bundle" and sorted(unit.rel_files) == rels


def test_plain_folder_with_three_models_gives_three_units(tmp_path: Path) -> None:
    top = tmp_path / "downloads"
    write_safetensors(top / "a.safetensors", seed=1)
    write_gguf(top / "sub" / "b.gguf", seed=2)
    make_sharded_set(top / "sub" / "deeper", "c", 2, seed=3)
    make_diffusers_folder(top / "pipe")  # a fourth: the folder counts as one
    (top / "README.md").write_text("hello")
    (top / ".hidden.safetensors").write_text("skipped")
    result = _units([top])
    names = sorted(u.name for u in result.units)
    assert names == ["a", "b", "c", "pipe"]
    assert [p.name for p in result.unknown] == ["README.md"]


def test_same_model_reached_twice_is_one_unit(tmp_path: Path) -> None:
    shards = make_sharded_set(tmp_path / "d", "m", 2)
    result = _units([shards[0], tmp_path / "d", shards[1], shards[0]])
    assert len(result.units) == 1


def test_missing_and_library_paths_are_rejected(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    inside = write_safetensors(library / "x" / "y" / "z" / "m.safetensors")
    result = _units([tmp_path / "nope.safetensors", inside, library], library)
    reasons = {Path(r.details["path"]).name: r.message for r in result.rejected}
    assert "no such file" in reasons["nope.safetensors"]
    assert "inside the library" in reasons["m.safetensors"]
    assert "inside the library" in reasons["lib"]
    assert result.units == []


def test_backslash_in_a_file_name_is_an_error_not_a_subdir(tmp_path: Path) -> None:
    weight = write_safetensors(tmp_path / "evil\\..\\name.safetensors")
    (unit,) = _units([weight]).units
    assert unit.error is not None and "evil" in unit.error


def test_hostile_index_json_names_never_enter_the_unit(tmp_path: Path) -> None:
    shards = make_sharded_set(tmp_path / "d", "m", 2)
    index = tmp_path / "d" / "m.safetensors.index.json"
    index.write_text(
        '{"weight_map": {"a": "m-00001-of-00002.safetensors", '
        '"b": "../../etc/passwd", "c": "m-00002-of-00002.safetensors"}}'
    )
    (unit,) = _units([index]).units
    assert all(".." not in r for r in unit.rel_files)
    assert unit.weights == [s.name for s in shards]
    assert any("../../etc/passwd" in w for w in unit.warnings)


def test_parse_shard_names() -> None:
    s = parse_shard_name("model-00002-of-00005.safetensors")
    assert s is not None and (s.base, s.index, s.total, s.ext) == ("model", 2, 5, "safetensors")
    assert s.index_json_name == "model.safetensors.index.json"
    assert parse_shard_name("model-00006-of-00005.safetensors") is None
    assert parse_shard_name("model.safetensors") is None
    part = parse_shard_name("x.gguf.part3of4")
    assert part is not None and (part.index, part.total, part.carries_header) == (3, 4, False)
    found = siblings(
        Path("."),
        s,
        [
            "model-00001-of-00005.safetensors",
            "model-00002-of-00005.safetensors",
            "model-00004-of-00005.safetensors",
            "other-00003-of-00005.safetensors",
        ],
    )
    assert missing_indices(s, found) == [3, 5]
