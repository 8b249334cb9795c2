"""The detector's output: one vocabulary for `inspect --json` and metadata.json (DESIGN.md
"Detection vocabulary")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

DETECTOR_VERSION = 3  # 3: the 2026 kinds, calibrated confidences

FileFormat = Literal["safetensors", "gguf", "pickle", "onnx", "diffusers", "transformers"]
ModelType = Literal["diffusion", "llm", "other"]
SecurityTier = Literal["safe", "unknown", "pickle"]


class ForeignMetadata(BaseModel):
    """What other tools (Civitai, Stability Matrix, LoRA Manager) and embedded
    `modelspec.*` / `ss_*` keys said about a file."""

    title: str | None = None
    description: str | None = None
    # the base model in the family vocabulary (sd1, sd2, sdxl, sdxl_refiner, sd3, flux1), or
    # None when the tools named none or one outside it; base_model_raw is what they wrote
    # ("SDXL 1.0", "Pony", "sd_v1", "stable-diffusion-xl-v1-base/lora" …)
    base_model: str | None = None
    base_model_raw: str | None = None
    trigger_words: list[str] = Field(default_factory=list)
    preview_image: str | None = (
        None  # a companion file name, or a data: URI from modelspec.thumbnail
    )
    source: list[str] = Field(default_factory=list)  # which sidecars / keys contributed


class PickleScan(BaseModel):
    """The globals a pickle file's streams import, found by walking the opcodes (nothing
    unpickled): "dangerous" if any would run code (os.system, builtins.eval …),
    "unknown_globals" if any is not a known checkpoint global or the walk was cut short
    (truncated), "clean" only when every stream was walked and every global is known."""

    verdict: Literal["clean", "unknown_globals", "dangerous"]
    globals: list[str] = Field(default_factory=list)  # sorted "module.name", capped
    dangerous: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    streams_scanned: int = 0
    truncated: bool = False


class Detection(BaseModel):
    format: FileFormat | None = None
    model_type: ModelType = "other"
    subtype: str | None = None
    family: str | None = None
    precision: str | None = None
    variant: str | None = None
    architecture: str | None = None  # e.g. GGUF general.architecture, config.json model_type
    parameter_count: int | None = None
    quantization: str | None = None
    context_length: int | None = None
    lora_rank: int | None = None
    lora_target: str | None = None  # family of the base model a LoRA adapts
    security_tier: SecurityTier = "unknown"
    confidence: float = 0.0
    evidence: list[str] = Field(default_factory=list)
    foreign: ForeignMetadata = Field(default_factory=ForeignMetadata)
    pickle_scan: PickleScan | None = None  # pickle files only (detect/pickle_globals.py)
    header_bytes_read: int = 0
    detector_version: int = DETECTOR_VERSION
    # {path: format} of every file whose whole header this detection parsed (not part of the
    # vocabulary, never serialised): the import planner skips these instead of re-reading.
    _headers_read: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def headers_read(self) -> dict[str, str]:
        return dict(self._headers_read)
