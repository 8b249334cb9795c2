"""Run the classifiers over a tensor table, then let weak evidence (embedded metadata,
sidecars, the file name) settle only what the shapes could not."""

from __future__ import annotations

from tensorshelf import settings
from tensorshelf.detect import names
from tensorshelf.detect.classify.adapters import classify_adapter
from tensorshelf.detect.classify.auxiliary import (
    classify_clip_vision,
    classify_embedding,
    classify_text_encoder,
    classify_upscaler,
    classify_vae,
)
from tensorshelf.detect.classify.diffusion import classify_controlnet, classify_diffusion
from tensorshelf.detect.classify.llm import classify_llm
from tensorshelf.detect.classify.llm_encoders import classify_llm_encoder
from tensorshelf.detect.classify.lora import classify_lora
from tensorshelf.detect.classify.restoration import classify_restoration
from tensorshelf.detect.classify.verdict import Verdict, unknown
from tensorshelf.detect.classify.video_vae import classify_video_vae
from tensorshelf.detect.tensors import TensorTable

IMAGE_SUBTYPES = {"checkpoints", "diffusion_models", "loras", "vae", "controlnet", "embeddings"}
EMBEDDED_FAMILY_KEYS = ("modelspec.architecture", "ss_base_model_version")
SUBTYPE_MODEL_TYPE = {"upscale_models": "other", "llm": "llm"}


def classify_table(table: TensorTable, metadata: dict[str, str] | None = None) -> Verdict:
    """The first classifier that recognises the table wins; order matters (a LoRA's keys
    name UNet layers, a ControlNet has UNet blocks, a checkpoint contains a VAE)."""
    md = metadata or {}
    if not len(table):
        return unknown(["the header lists no tensors"])
    verdict = (
        classify_lora(table, md)
        or classify_embedding(table)
        or classify_adapter(table)
        or classify_controlnet(table)
        or classify_diffusion(table)
        or classify_video_vae(table)
        or classify_vae(table)
        or classify_restoration(table)  # before the LLM: SAM / Whisper decoders are not LLMs
        or classify_llm_encoder(table)  # LLM-shaped text encoders (Qwen2.5-VL, Gemma 2, GLM)
        or classify_text_encoder(table)
        or classify_clip_vision(table)
        or classify_upscaler(table)
        or classify_llm(table)
    )
    if verdict is None:
        sample = ", ".join(list(table)[:3])
        return unknown([f"{len(table)} tensors with no known layout (e.g. {sample})"])
    return verdict


def _family_from(text: str, verdict: Verdict) -> str | None:
    if verdict.model_type == "llm":
        return names.llm_family(text)
    if verdict.subtype == "text_encoders":
        return names.text_encoder_family(text)
    if verdict.subtype in IMAGE_SUBTYPES:
        return names.image_family(text)
    return None


def _apply(verdict: Verdict, family: str, confidence: float, why: str) -> bool:
    if verdict.alternatives and family not in verdict.alternatives:
        return False
    if family == verdict.family:
        verdict.note(f"{why} (agrees)")
        return True
    verdict.family = family
    verdict.confidence = (
        min(verdict.confidence, confidence) if verdict.family_from_shapes else confidence
    )
    if verdict.subtype == "loras":
        verdict.lora_target = family
    verdict.note(f"{why} → {family} (the shapes do not decide this)")
    return True


def refine(
    verdict: Verdict,
    metadata: dict[str, str] | None,
    file_name: str,
    sidecar_base_model: str | None = None,
) -> Verdict:
    """Settle an undecided family from embedded metadata, then sidecars, then the name."""
    if verdict.family_from_shapes or verdict.subtype is None:
        return verdict
    for key in EMBEDDED_FAMILY_KEYS:
        value = (metadata or {}).get(key)
        family = _family_from(value, verdict) if value else None
        if (
            family
            and value
            and _apply(
                verdict, family, settings.DETECT_CONF_METADATA, f"embedded {key} = {value[:60]!r}"
            )
        ):
            return verdict
    if sidecar_base_model:
        family = _family_from(sidecar_base_model, verdict)
        if family and _apply(
            verdict,
            family,
            settings.DETECT_CONF_NAME,
            f"sidecar base model {sidecar_base_model[:40]!r}",
        ):
            return verdict
    family = _family_from(file_name, verdict)
    if family:
        _apply(
            verdict,
            family,
            settings.DETECT_CONF_NAME,
            f"file name tokens {names.tokenize(file_name)[:8]}",
        )
    return verdict


def from_name_only(file_name: str, why: str) -> Verdict:
    """When the header could not be read structurally (e.g. an opaque pickle): the name is
    the only evidence; it never yields more than settings.DETECT_CONF_NAME."""
    subtype = names.subtype_hint(file_name)
    if subtype is None:
        return unknown([why])
    model_type = SUBTYPE_MODEL_TYPE.get(subtype, "diffusion")
    verdict = Verdict(
        model_type,
        subtype,
        None,
        settings.DETECT_CONF_NAME,
        [
            why,
            (f"file name tokens {names.tokenize(file_name)[:8]} suggest {subtype} (weak evidence)"),
        ],
        family_from_shapes=False,
    )
    family = _family_from(file_name, verdict)
    if family:
        verdict.family = family
        verdict.note(f"file name suggests family {family} (weak evidence)")
    return verdict
