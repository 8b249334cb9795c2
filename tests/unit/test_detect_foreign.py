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
    assert meta.base_model == "stable-diffusion-xl-v1-base/lora"
    # the most frequent ss_tag_frequency tag of the one dataset folder; not '1girl', 'solo' …
    assert meta.trigger_words == ["cinematic"]
    assert meta.source == ["modelspec", "ss_metadata"]


def test_civitai_info_wins_and_trigger_words_merge(lora: Path) -> None:
    stem = lora.name.removesuffix(".safetensors")
    (lora.parent / f"{stem}.civitai.info").write_text(json.dumps({
        "id": 1, "name": "v1.0", "baseModel": "SDXL 1.0", "description": "<p>version</p>",
        "trainedWords": ["cinelight, moody"], "model": {"name": "Cinematic Light"},
        "images": [{"url": "https://example.invalid/1.png"}]}))
    (lora.parent / f"{stem}.cm-info.json").write_text(json.dumps({
        "ModelName": "SM name", "BaseModel": "Pony", "TrainedWords": ["smword"],
        "ModelDescription": "sm description"}))
    (lora.parent / f"{stem}.preview.png").write_bytes(b"\x89PNG")
    meta = read_foreign_metadata(lora)
    assert meta.title == "Cinematic Light"
    assert meta.base_model == "SDXL 1.0"
    assert meta.description == "<p>version</p>"
    assert meta.trigger_words == ["cinelight", "moody", "smword"]  # no ss tags once named
    assert meta.preview_image == f"{stem}.preview.png"
    assert meta.source[:3] == [".civitai.info", ".cm-info.json", "preview_file"]


def test_lora_manager_sidecar(tmp_path: Path) -> None:
    weight = make_model_file("lora_sd15_kohya_r32", tmp_path)
    (tmp_path / "add_detail.png").write_bytes(b"\x89PNG")
    (tmp_path / "add_detail.metadata.json").write_text(json.dumps({
        "file_name": "add_detail", "model_name": "Detail Tweaker", "base_model": "SD 1.5",
        "preview_url": str(tmp_path / "add_detail.png"),
        "civitai": {"trainedWords": ["detailed"]}, "modelDescription": "adds detail"}))
    meta = read_foreign_metadata(weight)
    assert (meta.title, meta.base_model, meta.description) == ("Detail Tweaker", "SD 1.5",
                                                               "adds detail")
    assert meta.trigger_words[0] == "detailed"
    assert meta.preview_image == "add_detail.png"


def test_stability_matrix_user_title(tmp_path: Path) -> None:
    weight = make_model_file("embedding_sd1_8vec", tmp_path)
    (tmp_path / "bad_prompt_v2.cm-info.json").write_text(json.dumps({
        "ModelName": "Bad Prompt", "UserTitle": "my negative", "BaseModel": "SD 1.5",
        "TrainedWords": None}))
    meta = read_foreign_metadata(weight)
    assert meta.title == "my negative" and meta.base_model == "SD 1.5"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\udcff", '{"baseModel": 5}'])
def test_malformed_sidecar_is_ignored_with_a_warning(
        lora: Path, content: str, caplog: pytest.LogCaptureFixture) -> None:
    sidecar = lora.parent / (lora.name.removesuffix(".safetensors") + ".civitai.info")
    sidecar.write_bytes(content.encode("utf-8", errors="surrogateescape"))
    with caplog.at_level(logging.WARNING):
        meta = read_foreign_metadata(lora)
        det = detect_path(lora)
    assert det.family == "sdxl"
    assert meta.base_model == "stable-diffusion-xl-v1-base/lora"  # embedded keys still read
    if content != '{"baseModel": 5}':
        assert any("civitai.info" in r.getMessage() for r in caplog.records)


def test_modelspec_thumbnail_data_uri_is_the_preview(tmp_path: Path) -> None:
    case = get_case("embedding_sd1_8vec")
    case["metadata"] = {"modelspec.title": "neg", "modelspec.thumbnail": "data:image/png;base64,AAAA"}
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
    assert det.family == "sdxl" and det.foreign.base_model == "SDXL 1.0"
    assert det.confidence == settings.DETECT_CONF_NAME
    assert any("sidecar base model" in e for e in det.evidence)


def test_sidecar_never_overrides_decisive_shapes(tmp_path: Path) -> None:
    weight = make_model_file("lora_flux_peft_r16", tmp_path)
    (tmp_path / "pytorch_lora_weights.civitai.info").write_text(json.dumps({"baseModel": "SD 1.5"}))
    det = detect_path(weight)
    assert det.family == "flux1" and det.foreign.base_model == "SD 1.5"
    assert det.confidence == settings.DETECT_CONF_DECISIVE
