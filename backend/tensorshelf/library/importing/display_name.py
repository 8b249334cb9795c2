"""The display name of a model about to be imported.

A file's own stem is the user's choice and wins — unless it is one of the generic names
that tools write (`model.safetensors`, `diffusion_pytorch_model`, `unet`, `adapter_model` …),
which would make a library full of "model" directories. Then the first of these that is
itself meaningful names the model: the title embedded in or beside the file, the folder
it came from, and finally the detected family joined to the stem."""

from __future__ import annotations

import re
from pathlib import Path

from tensorshelf.detect.models import Detection

# Stems (lower-case, separators folded to "_") that say nothing about the model.
GENERIC_STEMS = frozenset(
    {
        "model",
        "models",
        "pytorch_model",
        "diffusion_pytorch_model",
        "adapter_model",
        "model_fp16",
        "model_fp32",
        "model_bf16",
        "flax_model",
        "tf_model",
        "consolidated",
        "ggml_model",
        "unet",
        "vae",
        "text_encoder",
        "text_encoder_2",
        "transformer",
        "weights",
        "checkpoint",
        "last",
        "final",
        "output",
        "lora",
        "embedding",
        "diffusion_model",
    }
)
# Folder names that hold models rather than name one (downloads, app model dirs …).
CONTAINER_DIRS = frozenset(
    {
        "downloads",
        "download",
        "desktop",
        "tmp",
        "temp",
        "models",
        "model",
        "checkpoints",
        "loras",
        "lora",
        "vae",
        "unet",
        "embeddings",
        "controlnet",
        "upscale_models",
        "text_encoders",
        "clip",
        "clip_vision",
        "diffusion_models",
        "llm",
        "llms",
        "gguf",
        "snapshots",
        "blobs",
        "weights",
        "stable-diffusion",
        "lycoris",
        "mnt",
        "media",
        "home",
        "root",
        "srv",
        "data",
        "volumes",
        "users",
    }
)
PARENT_LEVELS = 3  # a repo folder sits right above its files (or above snapshots/<rev>/)
_FOLD = re.compile(r"[\s\-.]+")


def _folded(text: str) -> str:
    return _FOLD.sub("_", text.strip().lower())


def is_generic(stem: str) -> bool:
    return _folded(stem) in GENERIC_STEMS


def _meaningful_parent(path: Path) -> str | None:
    """The nearest folder (at most PARENT_LEVELS up, never the home dir or above) whose
    name is not a generic container."""
    home = Path.home()
    for parent in list(path.parents)[:PARENT_LEVELS]:
        name = parent.name
        if not name or parent == home:
            return None
        folded = _folded(name)
        if folded in CONTAINER_DIRS or folded in GENERIC_STEMS:
            continue
        if re.fullmatch(r"[0-9a-f]{40}", name):  # a Hugging Face cache snapshot revision
            continue
        return name
    return None


def choose_display_name(stem: str, primary: Path, detection: Detection | None) -> str:
    """`stem` unless it is generic; see the module docstring for the fallbacks."""
    if stem and not is_generic(stem):
        return stem
    if detection is not None and detection.foreign.title and detection.foreign.title.strip():
        return detection.foreign.title.strip()
    parent = _meaningful_parent(primary)
    if parent:
        return parent
    if detection is not None and detection.family:
        return f"{detection.family}-{stem or 'model'}"
    return stem or "model"
