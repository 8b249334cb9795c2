"""The detection vocabulary as people type it: every subtype id with the names users and
other tools use for it (singular/plural, ComfyUI's legacy folder names `unet` and `clip`,
common abbreviations), so a filter or a search for "lora" finds the `loras`. Ids are
DESIGN.md's plus the 2026 kinds (tests/fixtures/corpus/shared/2026/VOCAB.md)."""

from __future__ import annotations

import re

SUBTYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "checkpoints": ("checkpoint", "ckpt", "ckpts"),
    "diffusion_models": ("diffusion_model", "unet", "unets", "transformer", "dit"),
    "loras": ("lora", "lycoris", "locon", "loha", "lokr"),
    "vae": ("vaes",),
    "text_encoders": ("text_encoder", "clip", "te"),
    "clip_vision": ("clipvision", "image_encoder"),
    "controlnet": ("controlnets", "control_net", "t2i_adapter", "t2i"),
    "embeddings": ("embedding", "textual_inversion", "ti"),
    "upscale_models": ("upscale_model", "upscaler", "upscalers", "esrgan"),
    "hypernetworks": ("hypernetwork",),
    "style_models": ("style_model",),
    "gligen": (),
    "photomaker": (),
    "vae_approx": ("taesd",),
    "llm": ("llms", "language_model", "chat"),
    "ipadapter": ("ip_adapter", "ipadapters", "ip_adapters"),
    "animatediff_models": ("animatediff", "motion_module", "motion_modules"),
    "facerestore_models": ("facerestore", "face_restore", "face_restorer", "gfpgan"),
    "sams": ("sam", "segment_anything"),
    "depth_models": ("depth", "depth_model"),
    "audio": ("audio_model", "speech"),
    "text_embedding": ("text_embeddings", "embedding_model", "embedding_models"),
    "mmproj": ("projector", "projectors", "vision_projector"),
}

_BY_ALIAS: dict[str, str] = {
    alias: subtype for subtype, aliases in SUBTYPE_ALIASES.items() for alias in (subtype, *aliases)
}


def _key(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def normalise_subtype(text: str) -> str | None:
    """The subtype id a user's word stands for ("LoRA" → loras, "unet" → diffusion_models),
    or None when it is not in the vocabulary."""
    return _BY_ALIAS.get(_key(text))


def subtype_terms(subtype: str | None) -> str:
    """The words a search should find a model of this subtype by (its id and aliases)."""
    if not subtype:
        return ""
    words = (subtype, *SUBTYPE_ALIASES.get(subtype, ()))
    return " ".join(w.replace("_", " ") for w in words)


# Every family id the detector gives (architectures; GGUF `general.architecture` spelling
# with `-` written `_`). A family outside these and outside the library is a typo until the
# user says otherwise.
KNOWN_FAMILIES: frozenset[str] = frozenset(
    {
        # image / video diffusion
        "sd1",
        "sd2",
        "sdxl",
        "sdxl_refiner",
        "sd3",
        "flux1",
        "flux2",
        "svd",
        "chroma",
        "hidream",
        "qwen_image",
        "lumina2",
        "auraflow",
        "pixart",
        "stable_cascade",
        "hunyuan_dit",
        "kolors",
        "wan",
        "hunyuan_video",
        "ltxv",
        "cosmos",
        # text / vision encoders
        "t5xxl",
        "t5xl",
        "t5_large",
        "t5_base",
        "umt5xxl",
        "clip_l",
        "clip_g",
        "qwen25vl",
        "chatglm3",
        "vit_h",
        "vit_l",
        "vit_bigg",
        "siglip",
        # upscalers, restorers, vision, audio
        "esrgan",
        "realesrgan",
        "compact",
        "swinir",
        "hat",
        "dat",
        "span",
        "gfpgan",
        "codeformer",
        "sam",
        "depth_anything",
        "whisper",
        # language models
        "llama",
        "mistral",
        "mixtral",
        "qwen2",
        "qwen2moe",
        "qwen3",
        "qwen3moe",
        "gemma",
        "gemma2",
        "gemma3",
        "phi2",
        "phi3",
        "gpt2",
        "gptneox",
        "falcon",
        "command_r",
        "deepseek2",
        "olmo2",
        "granite",
        "gpt_oss",
        "nomic_bert",
        "bert",
    }
)


# How families are written in free text when the id's own spelling is not ("SD 1.5",
# "Stable Diffusion XL", "SDXL 1.0", "Qwen 2.5"), compared with everything but letters and
# digits removed. Only names that mean the whole family: "Llama 3" or "Flux.1 Dev" stay
# words (the family id does not tell those versions apart).
FAMILY_ALIASES: dict[str, tuple[str, ...]] = {
    "sd1": (
        "sd15",
        "sd14",
        "sd1x",
        "sdv1",
        "sdv14",
        "sdv15",
        "stablediffusion1",
        "stablediffusion14",
        "stablediffusion15",
        "stablediffusionv15",
    ),
    "sd2": ("sd20", "sd21", "sd2x", "sdv2", "sdv21", "stablediffusion2", "stablediffusion21"),
    "sdxl": ("sdxl1", "sdxl10", "stablediffusionxl"),
    "sd3": ("sd30", "sd35", "stablediffusion3", "stablediffusion35"),
    "wan": ("wan21", "wan22"),
    "ltxv": ("ltxvideo",),
    "qwen2": ("qwen25",),
}
# an id written with separators ("Flux.1", "gemma 3", "qwen image") names it too, for the
# ids that hold a digit or "_" (a plain word like "span" is left to the word search)
_FAMILY_BY_ALIAS: dict[str, str] = {
    **{
        family.replace("_", ""): family
        for family in KNOWN_FAMILIES
        if "_" in family or any(c.isdigit() for c in family)
    },
    **{alias: family for family, aliases in FAMILY_ALIASES.items() for alias in aliases},
}
FAMILY_ALIAS_MAX_WORDS = 3  # "stable diffusion xl"
_NOT_ALNUM = re.compile(r"[\W_]+")


def family_alias(text: str) -> str | None:
    """The family id a free-text name stands for ("SD 1.5" → sd1, "Flux.1" → flux1,
    "stable diffusion xl" → sdxl), or None."""
    return _FAMILY_BY_ALIAS.get(_NOT_ALNUM.sub("", text.lower()))


def family_key(text: str) -> str:
    """A family as an id: lower case, `-` and spaces written `_`."""
    return _key(text)
