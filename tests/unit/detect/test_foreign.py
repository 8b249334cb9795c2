"""Foreign metadata: Civitai Helper, Stability Matrix and LoRA Manager sidecars, same-stem
previews and embedded modelspec/kohya keys; malformed sidecars never break detection."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.detect import detect_path, read_foreign_metadata
from tests.fixtures.detect_files import get_case, make_model_file


@pytest.fixture()
def lora(tmp_path: Path) -> Path:
    return make_model_file("lora_sdxl_kohya_r16_te", tmp_path)


def test_embedded_modelspec_and_kohya_keys(lora: Path) -> None:
    meta = read_foreign_metadata(lora)
    assert meta.title == "cinematic_light_v1"  # modelspec.title
    assert meta.base_model == "sdxl"  # the family vocabulary; what the file said is kept
    assert meta.base_model_raw == "stable-diffusion-xl-v1-base/lora"
    # the most frequent ss_tag_frequency tag of the one dataset folder; not '1girl', 'solo' …
    assert meta.trigger_words == ["cinematic"]
    assert meta.source == ["modelspec", "ss_metadata"]


def test_civitai_info_wins_and_trigger_words_merge(lora: Path) -> None:
    stem = lora.name.removesuffix(".safetensors")
    (lora.parent / f"{stem}.civitai.info").write_text(
        json.dumps(
            {
                "id": 1,
                "name": "v1.0",
                "baseModel": "SDXL 1.0",
                "description": "<p>version</p>",
                "trainedWords": ["cinelight, moody"],
                "model": {"name": "Cinematic Light"},
                "images": [{"url": "https://example.invalid/1.png"}],
            }
        )
    )
    (lora.parent / f"{stem}.cm-info.json").write_text(
        json.dumps(
            {
                "ModelName": "SM name",
                "BaseModel": "Pony",
                "TrainedWords": ["smword"],
                "ModelDescription": "sm description",
            }
        )
    )
    (lora.parent / f"{stem}.preview.png").write_bytes(b"\x89PNG")
    meta = read_foreign_metadata(lora)
    assert meta.title == "Cinematic Light"
    assert (meta.base_model, meta.base_model_raw) == ("sdxl", "SDXL 1.0")
    assert meta.description == "<p>version</p>"
    assert meta.trigger_words == ["cinelight", "moody", "smword"]  # no ss tags once named
    assert meta.preview_image == f"{stem}.preview.png"
    assert meta.source[:3] == [".civitai.info", ".cm-info.json", "preview_file"]


def test_lora_manager_sidecar(tmp_path: Path) -> None:
    weight = make_model_file("lora_sd15_kohya_r32", tmp_path)
    (tmp_path / "add_detail.png").write_bytes(b"\x89PNG")
    (tmp_path / "add_detail.metadata.json").write_text(
        json.dumps(
            {
                "file_name": "add_detail",
                "model_name": "Detail Tweaker",
                "base_model": "SD 1.5",
                "preview_url": str(tmp_path / "add_detail.png"),
                "civitai": {"trainedWords": ["detailed"]},
                "modelDescription": "adds detail",
            }
        )
    )
    meta = read_foreign_metadata(weight)
    assert (meta.title, meta.base_model, meta.description) == (
        "Detail Tweaker",
        "sd1",
        "adds detail",
    )
    assert meta.base_model_raw == "SD 1.5"
    assert meta.trigger_words[0] == "detailed"
    assert meta.preview_image == "add_detail.png"


def test_stability_matrix_user_title(tmp_path: Path) -> None:
    weight = make_model_file("embedding_sd1_8vec", tmp_path)
    (tmp_path / "bad_prompt_v2.cm-info.json").write_text(
        json.dumps(
            {
                "ModelName": "Bad Prompt",
                "UserTitle": "my negative",
                "BaseModel": "SD 1.5",
                "TrainedWords": None,
            }
        )
    )
    meta = read_foreign_metadata(weight)
    assert meta.title == "my negative" and meta.base_model == "sd1"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\udcff", '{"baseModel": 5}'])
def test_malformed_sidecar_is_ignored_with_a_warning(
    lora: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    sidecar = lora.parent / (lora.name.removesuffix(".safetensors") + ".civitai.info")
    sidecar.write_bytes(content.encode("utf-8", errors="surrogateescape"))
    with caplog.at_level(logging.WARNING):
        meta = read_foreign_metadata(lora)
        det = detect_path(lora)
    assert det.family == "sdxl"
    assert meta.base_model_raw == "stable-diffusion-xl-v1-base/lora"  # embedded keys still read
    if content != '{"baseModel": 5}':
        assert any("civitai.info" in r.getMessage() for r in caplog.records)


def test_modelspec_thumbnail_data_uri_is_the_preview(tmp_path: Path) -> None:
    case = get_case("embedding_sd1_8vec")
    case["metadata"] = {
        "modelspec.title": "neg",
        "modelspec.thumbnail": "data:image/png;base64,AAAA",
    }
    weight = make_model_file(case, tmp_path)
    meta = read_foreign_metadata(weight)
    assert meta.preview_image == "data:image/png;base64,AAAA"


def test_sidecar_base_model_settles_an_ambiguous_vae(tmp_path: Path) -> None:
    case = get_case("sd1_vae_ft_mse_fp32")
    case["file_name"] = "my_vae.safetensors"
    weight = make_model_file(case, tmp_path)
    assert detect_path(weight).family == "sd1"  # the layout default
    (tmp_path / "my_vae.civitai.info").write_text(json.dumps({"baseModel": "SDXL 1.0"}))
    det = detect_path(weight)
    assert det.family == "sdxl" and det.foreign.base_model == "sdxl"
    assert det.foreign.base_model_raw == "SDXL 1.0"
    assert det.confidence == settings.DETECT_CONF_NAME
    assert any("sidecar base model" in e for e in det.evidence)


def test_sidecar_never_overrides_decisive_shapes(tmp_path: Path) -> None:
    weight = make_model_file("lora_flux_peft_r16", tmp_path)
    (tmp_path / "pytorch_lora_weights.civitai.info").write_text(json.dumps({"baseModel": "SD 1.5"}))
    det = detect_path(weight)
    assert det.family == "flux1" and det.foreign.base_model == "sd1"
    assert det.confidence == settings.DETECT_CONF_DECISIVE


@pytest.mark.parametrize(
    ("raw", "family"),
    [
        ("SDXL 1.0", "sdxl"),
        ("SD 1.5", "sd1"),
        ("SD 2.1", "sd2"),
        ("SD 3.5", "sd3"),
        ("Pony", "sdxl"),
        ("Illustrious", "sdxl"),
        ("NoobAI", "sdxl"),
        ("Flux.1 D", "flux1"),
        ("Flux.1 S", "flux1"),
        ("sd_v1", "sd1"),
        ("sdxl_base_v1-0", "sdxl"),
        ("stable-diffusion-xl-v1-base/lora", "sdxl"),
        ("stable-diffusion-xl-v1-refiner", "sdxl_refiner"),
        ("Other", None),
        ("Hunyuan Video", None),
        ("Pony V7", None),
        ("Flux.2 D", None),
    ],
)
def test_sidecar_base_model_is_normalised_and_the_raw_string_kept(
    tmp_path: Path, raw: str, family: str | None
) -> None:
    weight = make_model_file("embedding_sd1_8vec", tmp_path)
    (tmp_path / "bad_prompt_v2.civitai.info").write_text(json.dumps({"baseModel": raw}))
    meta = read_foreign_metadata(weight)
    assert (meta.base_model, meta.base_model_raw) == (family, raw)


def test_a_later_source_with_a_known_base_wins_over_an_unknown_one(lora: Path) -> None:
    stem = lora.name.removesuffix(".safetensors")
    (lora.parent / f"{stem}.civitai.info").write_text(json.dumps({"baseModel": "Other"}))
    meta = read_foreign_metadata(lora)  # modelspec.architecture names sdxl
    assert (meta.base_model, meta.base_model_raw) == ("sdxl", "stable-diffusion-xl-v1-base/lora")


def test_gguf_general_name_is_the_title(tmp_path: Path) -> None:
    case = get_case("llama3_8b_instruct_q4_k_m")
    case["file_name"] = "model.gguf"
    weight = make_model_file(case, tmp_path)
    det = detect_path(weight)
    assert det.foreign.title == case["metadata"]["general.name"]["value"]
    assert "gguf_metadata" in det.foreign.source
    assert read_foreign_metadata(weight) == det.foreign
