"""Classification rules that the corpus does not pin by itself: precedence of shapes over
metadata over names, ambiguity handling, GGUF fallbacks, variants and quantisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tensorshelf import settings
from tensorshelf.detect import detect_path
from tests.fixtures.detect_files import get_case, make_model_file


def st_case(
    tensors: dict[str, Any],
    name: str = "model.safetensors",
    metadata: dict[str, Any] | None = None,
    kind: str = "safetensors",
) -> dict[str, Any]:
    return {
        "case": "adhoc",
        "file_kind": kind,
        "file_name": name,
        "label": {},
        "metadata": metadata or {},
        "tensors": tensors,
    }


def kv(t: str, v: Any) -> dict[str, Any]:
    return {"type": t, "value": v}


def test_lora_shapes_beat_embedded_metadata(tmp_path: Path) -> None:
    case = get_case("lora_sd15_kohya_r32")
    case["metadata"]["ss_base_model_version"] = "sdxl_base_v1-0"
    det = detect_path(make_model_file(case, tmp_path))
    assert det.family == det.lora_target == "sd1"
    assert det.confidence == settings.DETECT_CONF_STRONG
    assert any("disagrees" in e for e in det.evidence)


def test_lora_without_shape_evidence_uses_embedded_metadata(tmp_path: Path) -> None:
    # a LoCon trained only on ResNet 3x3 convolutions: no attention layer tells the base
    tensors = {}
    for i in range(4):
        n = f"lora_unet_down_blocks_1_resnets_{i}_conv1"
        tensors[n + ".alpha"] = ["F16", []]
        tensors[n + ".lora_down.weight"] = ["F16", [8, 640, 3, 3]]
        tensors[n + ".lora_up.weight"] = ["F16", [640, 8, 1, 1]]
    det = detect_path(make_model_file(st_case(tensors, "conv_only.safetensors"), tmp_path / "a"))
    assert (det.subtype, det.family, det.architecture, det.lora_rank) == ("loras", None, "locon", 8)
    assert det.confidence == settings.DETECT_CONF_SUBTYPE_ONLY
    det = detect_path(
        make_model_file(
            st_case(tensors, "conv_only.safetensors", {"ss_base_model_version": "sd_v1"}),
            tmp_path / "b",
        )
    )
    assert det.family == "sd1" and det.confidence == settings.DETECT_CONF_METADATA


def test_llama_mistral_ambiguity_needs_more_than_shapes(tmp_path: Path) -> None:
    mistral = get_case("mistral_7b_v03_shard1")["tensors"]
    no_embed = {k: v for k, v in mistral.items() if "embed_tokens" not in k}
    det = detect_path(
        make_model_file(st_case(no_embed, "model-00002-of-00003.safetensors"), tmp_path / "a")
    )
    assert det.family == "llama" and det.confidence == settings.DETECT_CONF_AMBIGUOUS
    det = detect_path(
        make_model_file(st_case(no_embed, "mistral-7b-part2.safetensors"), tmp_path / "b")
    )
    assert det.family == "mistral" and det.confidence == settings.DETECT_CONF_NAME


def test_name_cannot_override_decisive_header(tmp_path: Path) -> None:
    case = get_case("flux1_dev_bf16")
    case["file_name"] = "sdxl_lora_v2.safetensors"
    det = detect_path(make_model_file(case, tmp_path))
    assert (det.subtype, det.family) == ("diffusion_models", "flux1")
    assert det.confidence == settings.DETECT_CONF_DECISIVE


def test_flux_fill_variant_and_fp8_scaled(tmp_path: Path) -> None:
    flux = get_case("flux1_dev_bf16")["tensors"]
    t = {k: (["F8_E4M3", v[1]] if len(v[1]) == 2 else v) for k, v in flux.items()}
    t["img_in.weight"] = ["BF16", [3072, 384]]
    t["scaled_fp8"] = ["F8_E4M3", [0]]
    det = detect_path(make_model_file(st_case(t, "f.safetensors"), tmp_path))
    assert (det.family, det.variant, det.precision, det.quantization) == (
        "flux1",
        "fill",
        "fp8",
        "fp8_scaled",
    )


def test_video_vae_has_no_family(tmp_path: Path) -> None:
    t = {
        "decoder.conv_in.weight": ["BF16", [384, 16, 3, 3, 3]],
        "decoder.up.0.block.0.conv1.weight": ["BF16", [96, 96, 3, 3, 3]],
        "encoder.down.0.block.0.conv1.weight": ["BF16", [96, 96, 3, 3, 3]],
    }
    det = detect_path(make_model_file(st_case(t, "wan_vae.safetensors"), tmp_path))
    assert (det.subtype, det.family) == ("vae", None)


def test_sd2_checkpoint_notes_the_v_prediction_limit(tmp_path: Path) -> None:
    det = detect_path(make_model_file("sd21_768_ema_pruned", tmp_path))
    assert any("v-prediction" in e for e in det.evidence)


def _gguf(
    tmp_path: Path, metadata: dict[str, Any], tensors: dict[str, Any], name: str = "m.gguf"
) -> Path:
    return make_model_file(st_case(tensors, name, metadata, kind="gguf"), tmp_path)


def test_gguf_without_architecture_is_classified_by_tensor_names(tmp_path: Path) -> None:
    flux = get_case("flux1_dev_q4_k_s_gguf")["tensors"]
    det = detect_path(_gguf(tmp_path, {}, flux))
    assert (det.format, det.subtype, det.family, det.variant) == (
        "gguf",
        "diffusion_models",
        "flux1",
        "dev",
    )
    assert det.precision == "q4_k"  # no general.file_type: the dominant tensor type
    assert any("no usable general.architecture" in e for e in det.evidence)


def test_gguf_llama_with_experts_is_mixtral(tmp_path: Path) -> None:
    md = {
        "general.architecture": kv("STRING", "llama"),
        "general.name": kv("STRING", "model"),
        "llama.expert_count": kv("UINT32", 8),
        "llama.context_length": kv("UINT32", 32768),
    }
    det = detect_path(_gguf(tmp_path, md, {"token_embd.weight": ["F16", [64, 100]]}))
    assert (det.family, det.context_length, det.precision) == ("mixtral", 32768, "fp16")


def test_gguf_lora_adapter(tmp_path: Path) -> None:
    md = {
        "general.architecture": kv("STRING", "llama"),
        "general.type": kv("STRING", "adapter"),
        "adapter.type": kv("STRING", "lora"),
        "adapter.lora.alpha": kv("FLOAT32", 16.0),
    }
    t = {
        "blk.0.attn_q.weight.lora_a": ["F32", [4096, 16]],
        "blk.0.attn_q.weight.lora_b": ["F32", [16, 4096]],
    }
    det = detect_path(_gguf(tmp_path, md, t))
    assert (det.model_type, det.subtype, det.family, det.lora_rank) == ("llm", "loras", "llama", 16)


def test_gguf_unknown_architecture_keeps_its_name(tmp_path: Path) -> None:
    md = {"general.architecture": kv("STRING", "mamba"), "general.file_type": kv("UINT32", 1)}
    det = detect_path(_gguf(tmp_path, md, {"token_embd.weight": ["F16", [64, 100]]}))
    assert (det.model_type, det.family, det.precision, det.quantization) == (
        "llm",
        "mamba",
        "fp16",
        None,
    )


def test_onnx_is_recognised_but_not_classified(tmp_path: Path) -> None:
    p = tmp_path / "model.onnx"
    p.write_bytes(b"\x08\x07\x12\x07pytorch" + b"\0" * 64)
    det = detect_path(p)
    assert (det.format, det.family, det.security_tier) == ("onnx", None, "safe")
    assert det.confidence <= settings.DETECT_CONF_NAME


def test_parameter_count_and_rank(tmp_path: Path) -> None:
    det = detect_path(make_model_file("lora_flux_peft_r16", tmp_path))
    assert det.lora_rank == 16 and det.lora_target == "flux1"
    det = detect_path(make_model_file("clip_l_fp16", tmp_path))
    assert det.parameter_count == 123_060_480 and det.lora_rank is None


def test_multimodal_llm_is_not_a_clip_vision_encoder(tmp_path: Path) -> None:
    vit = {f"vision_tower.{k}": v for k, v in get_case("clip_vision_vit_h_fp32")["tensors"].items()}
    llm = {
        f"language_model.{k}": v for k, v in get_case("mistral_7b_v03_shard1")["tensors"].items()
    }
    det = detect_path(make_model_file(st_case({**vit, **llm}, "llava.safetensors"), tmp_path))
    assert (det.model_type, det.subtype, det.family) == ("llm", "llm", "mistral")


def test_cohere_is_not_gemma(tmp_path: Path) -> None:
    t = {
        "model.embed_tokens.weight": ["F16", [256000, 64]],
        "model.layers.0.input_layernorm.weight": ["F16", [64]],
        "model.layers.0.self_attn.q_proj.weight": ["F16", [64, 64]],
        "model.layers.0.mlp.gate_proj.weight": ["F16", [128, 64]],
    }
    assert detect_path(make_model_file(st_case(t), tmp_path / "c")).family == "command_r"
    t["model.layers.0.post_attention_layernorm.weight"] = ["F16", [64]]
    assert detect_path(make_model_file(st_case(t), tmp_path / "g")).family == "gemma"


def test_single_vector_diffusers_embedding(tmp_path: Path) -> None:
    det = detect_path(
        make_model_file(
            st_case({"<cat-toy>": ["F32", [768]]}, "learned_embeds.safetensors"), tmp_path
        )
    )
    assert (det.subtype, det.family) == ("embeddings", "sd1")
    assert det.confidence == settings.DETECT_CONF_AMBIGUOUS


def test_xlabs_flux_lora(tmp_path: Path) -> None:
    t = {}
    for i in range(19):
        for proj in ("proj_lora1", "qkv_lora1", "proj_lora2", "qkv_lora2"):
            t[f"double_blocks.{i}.processor.{proj}.down.weight"] = ["BF16", [16, 3072]]
            t[f"double_blocks.{i}.processor.{proj}.up.weight"] = ["BF16", [3072, 16]]
    det = detect_path(make_model_file(st_case(t, "lora.safetensors"), tmp_path))
    assert (det.subtype, det.family, det.lora_rank) == ("loras", "flux1", 16)


def test_later_gguf_split_is_classified_from_the_first(tmp_path: Path) -> None:
    case = get_case("mistral_7b_v03_q4_k_m")
    names = list(case["tensors"])
    first = {
        **case,
        "file_name": "mistral-00001-of-00002.gguf",
        "tensors": {n: case["tensors"][n] for n in names[:100]},
    }
    second = {
        **case,
        "file_name": "mistral-00002-of-00002.gguf",
        "metadata": {},
        "tensors": {n: case["tensors"][n] for n in names[100:]},
    }
    make_model_file(first, tmp_path)
    det = detect_path(make_model_file(second, tmp_path))
    assert (det.family, det.precision) == ("mistral", "q4_k_m")
    assert "mistral-00001-of-00002.gguf" in det.evidence[0]
