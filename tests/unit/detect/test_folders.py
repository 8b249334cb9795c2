"""Folders and sets: diffusers pipelines and components, transformers models, PEFT adapters,
`*.index.json` with or without its shards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.detect import detect_path
from tensorshelf.errors import InvalidModelFile
from tests.fixtures.detect_files import get_case, make_model_file


def test_diffusers_pipeline(tmp_path: Path) -> None:
    folder = make_model_file("sd15_diffusers_folder", tmp_path)
    det = detect_path(folder)
    assert (det.format, det.subtype, det.family, det.precision) == (
        "diffusers",
        "checkpoints",
        "sd1",
        "fp16",
    )
    assert det.architecture == "StableDiffusionPipeline"
    assert det.security_tier == "safe"
    # unet + vae + text encoder parameters (~860M + 84M + 123M)
    assert det.parameter_count is not None and 1.0e9 < det.parameter_count < 1.1e9
    assert det.header_bytes_read < 2 * 1024 * 1024


def test_diffusers_pipeline_with_pickle_weights_is_pickle_tier(tmp_path: Path) -> None:
    folder = make_model_file("sd15_diffusers_folder", tmp_path)
    (folder / "vae" / "diffusion_pytorch_model.safetensors").unlink()
    make_model_file(
        {
            **get_case("sd1_vae_ft_mse_fp32"),
            "file_kind": "torch_zip",
            "file_name": "diffusion_pytorch_model.bin",
        },
        folder / "vae",
    )
    det = detect_path(folder)
    assert det.security_tier == "pickle" and det.family == "sd1"


def test_sdxl_refiner_pipeline_from_unet_config(tmp_path: Path) -> None:
    folder = tmp_path / "refiner"
    (folder / "unet").mkdir(parents=True)
    (folder / "model_index.json").write_text(
        json.dumps(
            {
                "_class_name": "StableDiffusionXLImg2ImgPipeline",
                "text_encoder": [None, None],
                "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
                "unet": ["diffusers", "UNet2DConditionModel"],
            }
        )
    )
    (folder / "unet" / "config.json").write_text(
        json.dumps(
            {"_class_name": "UNet2DConditionModel", "cross_attention_dim": 1280, "in_channels": 4}
        )
    )
    det = detect_path(folder)
    assert (det.format, det.family) == ("diffusers", "sdxl_refiner")


def test_flux_pipeline_variant_from_transformer_config(tmp_path: Path) -> None:
    folder = tmp_path / "FLUX.1-schnell"
    (folder / "transformer").mkdir(parents=True)
    (folder / "model_index.json").write_text(
        json.dumps(
            {"_class_name": "FluxPipeline", "transformer": ["diffusers", "FluxTransformer2DModel"]}
        )
    )
    (folder / "transformer" / "config.json").write_text(
        json.dumps({"_class_name": "FluxTransformer2DModel", "guidance_embeds": False})
    )
    det = detect_path(folder)
    assert (det.family, det.variant) == ("flux1", "schnell")


def test_diffusers_component_folder(tmp_path: Path) -> None:
    folder = tmp_path / "vae"
    make_model_file("sd15_vae_diffusers", folder)
    (folder / "config.json").write_text(
        json.dumps({"_class_name": "AutoencoderKL", "latent_channels": 4})
    )
    det = detect_path(folder)
    assert (det.format, det.subtype, det.family) == ("diffusers", "vae", "sd1")


def test_transformers_folder(tmp_path: Path) -> None:
    det = detect_path(make_model_file("qwen25_05b_transformers_folder", tmp_path))
    assert (det.format, det.model_type, det.family, det.context_length) == (
        "transformers",
        "llm",
        "qwen2",
        32768,
    )
    assert det.parameter_count is not None and 4.9e8 < det.parameter_count < 5.0e8


def test_config_json_names_the_architecture_of_a_shard(tmp_path: Path) -> None:
    case = get_case("mistral_7b_v03_shard1")
    shard = make_model_file(case, tmp_path)
    # a llama-shaped shard whose embedding says Mistral; config.json agrees and adds context
    (tmp_path / "config.json").write_text(
        json.dumps({"model_type": "mistral", "max_position_embeddings": 32768})
    )
    det = detect_path(shard)
    assert det.family == "mistral" and det.context_length == 32768


def test_index_json_without_shards_uses_names_only(tmp_path: Path) -> None:
    case = get_case("qwen25_3b_index_json")
    make_model_file(case, tmp_path)
    for shard in tmp_path.glob("*.safetensors"):
        shard.unlink()
    det = detect_path(tmp_path / "model.safetensors.index.json")
    assert (det.model_type, det.family) == ("llm", "qwen2")  # q/k/v biases, by name
    assert det.precision is None and det.parameter_count is None
    assert any("0 shard header(s) read" in e for e in det.evidence)


def test_index_json_refuses_paths_outside_its_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.safetensors"
    shutil.copy(make_model_file("clip_l_fp16", tmp_path / "elsewhere"), secret)
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"text_model.final_layer_norm.weight": "../secret.safetensors"}})
    )
    det = detect_path(folder / "model.safetensors.index.json")
    assert det.header_bytes_read < 1024 and det.family is None


@pytest.mark.parametrize("content", ["{", "[]", '{"weight_map": [1]}', '{"weight_map": {"a": 1}}'])
def test_bad_index_json_is_invalid(tmp_path: Path, content: str) -> None:
    p = tmp_path / "model.safetensors.index.json"
    p.write_text(content)
    with pytest.raises(InvalidModelFile, match="model.safetensors.index.json"):
        detect_path(p)


def test_peft_adapter_folder(tmp_path: Path) -> None:
    folder = tmp_path / "my-adapter"
    make_model_file("peft_llama3_lora_r16", folder)
    det = detect_path(folder)
    assert (det.model_type, det.subtype, det.family, det.lora_rank, det.lora_target) == (
        "llm",
        "loras",
        "llama",
        16,
        "llama",
    )
    (folder / "adapter_config.json").unlink()
    (folder / "adapter_config.json").write_text("{}")
    det = detect_path(folder)
    assert det.family is None and det.confidence <= settings.DETECT_CONF_SUBTYPE_ONLY


def test_plain_folder_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(InvalidModelFile, match="not a model folder"):
        detect_path(tmp_path)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidModelFile, match="no such file"):
        detect_path(tmp_path / "nope.safetensors")


def test_folder_with_weights_but_no_known_config(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    make_model_file("clip_l_fp16", folder)
    (folder / "config.json").write_text(json.dumps({"something": "else"}))
    det = detect_path(folder)
    assert (det.subtype, det.family) == ("text_encoders", "clip_l")
    assert "folder without a known config" in det.evidence[0]
