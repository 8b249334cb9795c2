"""LoRAs that adapt only the text encoder(s) of an image model: kohya `lora_te*_` and diffusers
`text_encoder*` naming. CLIP's `layers_N_self_attn_q_proj` names look like a language model's,
but these are image-model LoRAs; the base comes from which encoders are adapted and their
widths, and is only as confident as those allow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tensorshelf import settings
from tensorshelf.detect import Detection, detect_path
from tests.fixtures.detect_files import get_case, make_model_file

RANK = 16
T5_WIDTH, T5_FF = 4096, 10240


def _case(
    tensors: dict[str, Any], name: str, metadata: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "case": "adhoc",
        "file_kind": "safetensors",
        "file_name": name,
        "label": {},
        "metadata": metadata or {},
        "tensors": tensors,
    }


def _clip_l(prefix: str) -> dict[str, Any]:
    """The kohya SD1 text-encoder LoRA of the corpus, under another module prefix."""
    t = get_case("lora_sd15_kohya_te_only_r16")["tensors"]
    return {prefix + k.removeprefix("lora_te_"): v for k, v in t.items()}


def _clip_g(prefix: str) -> dict[str, Any]:
    t = get_case("lora_sdxl_kohya_te_only_r8")["tensors"]
    return {
        prefix + k.removeprefix("lora_te2_"): v for k, v in t.items() if k.startswith("lora_te2_")
    }


def _t5_kohya(prefix: str = "lora_te3_", blocks: int = 24) -> dict[str, Any]:
    """sd-scripts' T5 LoRA modules (T5Attention q/k/v/o, T5DenseGatedActDense wi_0/wi_1/wo)."""
    out: dict[str, Any] = {}
    for i in range(blocks):
        mods = {
            f"encoder_block_{i}_layer_0_SelfAttention_{p}": (T5_WIDTH, T5_WIDTH) for p in "qkvo"
        }
        mods.update(
            {
                f"encoder_block_{i}_layer_1_DenseReluDense_wi_0": (T5_FF, T5_WIDTH),
                f"encoder_block_{i}_layer_1_DenseReluDense_wi_1": (T5_FF, T5_WIDTH),
                f"encoder_block_{i}_layer_1_DenseReluDense_wo": (T5_WIDTH, T5_FF),
            }
        )
        for m, (o, inp) in mods.items():
            out[f"{prefix}{m}.alpha"] = ["BF16", []]
            out[f"{prefix}{m}.lora_down.weight"] = ["BF16", [RANK, inp]]
            out[f"{prefix}{m}.lora_up.weight"] = ["BF16", [o, RANK]]
    return out


def _peft_te(component: str, kohya: dict[str, Any]) -> dict[str, Any]:
    """diffusers' `save_lora_weights` naming (PEFT lora_A/lora_B) for a text-encoder table in
    kohya naming (`<prefix>text_model_encoder_layers_0_mlp_fc1.lora_down.weight`)."""
    out: dict[str, Any] = {}
    for k, v in kohya.items():
        module, _, part = k.partition(".")
        if part == "alpha":
            continue
        rest = module.split("text_model_", 1)[1]  # encoder_layers_0_mlp_fc1
        _, _, layer, block, proj = rest.split("_", 4)
        name = f"{component}.text_model.encoder.layers.{layer}.{block}.{proj}"
        out[f"{name}.{'lora_A' if part == 'lora_down.weight' else 'lora_B'}.weight"] = v
    return out


def _detect(
    tmp_path: Path,
    tensors: dict[str, Any],
    name: str = "te_lora.safetensors",
    metadata: dict[str, str] | None = None,
) -> Detection:
    return detect_path(make_model_file(_case(tensors, name, metadata), tmp_path))


def test_kohya_sd3_all_three_encoders(tmp_path: Path) -> None:
    det = _detect(tmp_path, {**_clip_l("lora_te1_"), **_clip_g("lora_te2_"), **_t5_kohya()})
    assert (det.model_type, det.subtype, det.family) == ("diffusion", "loras", "sd3")
    assert det.confidence == settings.DETECT_CONF_STRONG


def test_kohya_flux_clip_l_and_t5(tmp_path: Path) -> None:
    det = _detect(tmp_path, {**_clip_l("lora_te1_"), **_t5_kohya()})
    assert (det.model_type, det.subtype, det.family, det.lora_target) == (
        "diffusion",
        "loras",
        "flux1",
        "flux1",
    )


def test_kohya_lora_te_attention_only_takes_the_width_from_q_proj(tmp_path: Path) -> None:
    t = {k: v for k, v in _clip_l("lora_te_").items() if "self_attn" in k}
    det = _detect(tmp_path, t)
    assert (det.model_type, det.family) == ("diffusion", "sd1")
    assert any("q_proj" in e or "k_proj" in e for e in det.evidence)


def test_diffusers_text_encoder_only_is_an_ambiguous_sd1_lora(tmp_path: Path) -> None:
    det = _detect(
        tmp_path, _peft_te("text_encoder", _clip_l("lora_te_")), "pytorch_lora_weights.safetensors"
    )
    assert (det.model_type, det.subtype, det.family) == ("diffusion", "loras", "sd1")
    assert det.confidence == settings.DETECT_CONF_AMBIGUOUS


def test_diffusers_sdxl_pair_of_text_encoders(tmp_path: Path) -> None:
    t = {
        **_peft_te("text_encoder", _clip_l("lora_te_")),
        **_peft_te("text_encoder_2", _clip_g("lora_te2_")),
    }
    det = _detect(tmp_path, t, "pytorch_lora_weights.safetensors")
    assert (det.model_type, det.subtype, det.family) == ("diffusion", "loras", "sdxl")


@pytest.mark.parametrize(
    ("metadata", "family", "confidence"),
    [
        (
            {"modelspec.architecture": "stable-diffusion-xl-v1-base/lora"},
            "sdxl",
            settings.DETECT_CONF_METADATA,
        ),
        ({"ss_base_model_version": "flux1"}, "flux1", settings.DETECT_CONF_METADATA),
        # SD2 has no lora_te1_: the layers rule it out, the metadata does not override them
        ({"ss_base_model_version": "sd_v2"}, "flux1", settings.DETECT_CONF_AMBIGUOUS),
    ],
)
def test_clip_l_only_lora_is_settled_by_embedded_metadata(
    tmp_path: Path, metadata: dict[str, str], family: str, confidence: float
) -> None:
    det = _detect(tmp_path, _clip_l("lora_te1_"), metadata=metadata)
    assert (det.model_type, det.family, det.lora_target) == ("diffusion", family, family)
    assert det.confidence == confidence


def test_clip_l_only_lora_is_settled_by_the_name_at_name_confidence(tmp_path: Path) -> None:
    det = _detect(tmp_path, _clip_l("lora_te1_"), "pony_clip_fix.safetensors")
    assert (det.model_type, det.family) == ("diffusion", "sdxl")
    assert det.confidence == settings.DETECT_CONF_NAME
    det = _detect(tmp_path / "b", _clip_l("lora_te1_"), "llama_style.safetensors")
    assert (det.model_type, det.family) == ("diffusion", "flux1")  # an LLM name is no family


def test_peft_llm_lora_is_still_an_llm_lora(tmp_path: Path) -> None:
    det = detect_path(make_model_file("peft_llama3_lora_r16", tmp_path))
    assert (det.model_type, det.subtype) == ("llm", "loras")
