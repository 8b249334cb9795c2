"""Detector fixes end to end through the real console script: a byte-split set (`.partN`)
inspected and imported, a text-encoder-only kohya LoRA filed as an image LoRA (not an LLM
one), sidecar base models stored in the family vocabulary, and a GGUF's `general.name`
naming a model whose file name is generic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.cli_runner import make_cli
from tests.fixtures.detect_files import get_case, make_model_file

pytestmark = [pytest.mark.slow]

PIECES = 3


def _meta(library: Path, rel: str) -> dict[str, Any]:
    return json.loads((library / rel / "metadata.json").read_text("utf-8"))


def test_byte_split_set_inspects_imports_and_reclassifies(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    case = get_case("lora_sd15_kohya_te_only_r16")
    case["byte_split"] = PIECES
    first = make_model_file(case, tmp_path / "src")
    pieces = [first.with_name(f"{case['file_name']}.part{i}") for i in range(1, PIECES + 1)]
    label = case["label"]
    for piece in (pieces[0], pieces[-1]):
        det = cli.json("inspect", str(piece))["detection"]
        assert {k: det[k] for k in label} == label, det["evidence"]
        assert det["evidence"][0].startswith("byte-split file clip_tweak_v2.safetensors")

    (result,) = cli.json("import", "--no-lookup", str(pieces[1]))["results"]
    assert result["ok"] is True and result["warnings"] == [], result
    assert result["path"].startswith("diffusion/sd1/"), result["path"]
    meta = _meta(cli.library, result["path"])
    assert (meta["model_format"], meta["model_type"], meta["subtype"], meta["family"]) == (
        "sharded-set",
        "diffusion",
        "loras",
        "sd1",
    )
    assert [(f["path"], f["shard_index"], f["shard_total"]) for f in meta["files"]] == [
        (p.name, i, PIECES) for i, p in enumerate(pieces, 1)
    ]

    copy = cli.library / result["path"] / pieces[0].name
    assert cli.json("inspect", str(copy))["detection"]["family"] == "sd1"
    assert cli.json("reclassify", "--all", "--dry-run")["changed"] == []


def test_byte_split_set_with_a_broken_header_is_refused(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    case = get_case("lora_sd15_kohya_te_only_r16")
    case["byte_split"] = PIECES
    first = make_model_file(case, tmp_path / "src")
    last = first.with_name(f"{case['file_name']}.part{PIECES}")
    with open(last, "r+b") as f:  # the set is complete but 16 bytes short of its header
        f.truncate(last.stat().st_size - 16)
    doc = cli.json("import", "--no-lookup", str(first), expect=1)
    (result,) = doc["results"]
    assert result["ok"] is False and "truncated" in result["error"]["message"], result


def test_text_encoder_only_lora_is_filed_as_an_image_lora(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    src = make_model_file("lora_sdxl_kohya_te_only_r8", tmp_path / "src")
    (tmp_path / "src" / "prompt_adherence.civitai.info").write_text(
        json.dumps({"baseModel": "Pony", "model": {"name": "Prompt Adherence"}})
    )
    (result,) = cli.json("import", "--no-lookup", str(src))["results"]
    assert result["ok"] is True and result["path"].startswith("diffusion/sdxl/"), result
    meta = _meta(cli.library, result["path"])
    assert (meta["model_type"], meta["subtype"], meta["family"], meta["base_model"]) == (
        "diffusion",
        "loras",
        "sdxl",
        "sdxl",
    )
    assert meta["detection"]["foreign"]["base_model_raw"] == "Pony"
    assert meta["detection"]["lora_target"] == "sdxl"


def test_gguf_general_name_names_a_generic_model_file(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    case = get_case("phi3_mini_4k_q4_k_m")
    case["file_name"] = "model.gguf"
    case["tensors"] = {
        k: v
        for k, v in case["tensors"].items()
        if k in ("output_norm.weight", "blk.0.attn_qkv.weight")
    }
    src = make_model_file(case, tmp_path / "models")  # a container folder: no name in it
    title = case["metadata"]["general.name"]["value"]
    (result,) = cli.json("import", "--no-lookup", "--move", str(src))["results"]
    assert result["ok"] is True, result
    meta = _meta(cli.library, result["path"])
    assert meta["name"] == title and result["path"] == f"llm/phi3/{title}"
