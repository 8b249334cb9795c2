"""File names and free-text base-model strings as *weak* evidence.

Names are tokenised (separators, camelCase and letter/digit boundaries) and matched as whole
token sequences, never as substrings: "dolphin" does not contain the token "phi", and
"sd" must be its own token. Used only when the header is silent, and it lowers confidence.
"""

from __future__ import annotations

import re

MODEL_SUFFIXES = (
    ".safetensors.index.json",
    ".bin.index.json",
    ".index.json",
    ".safetensors",
    ".gguf",
    ".ckpt",
    ".pt",
    ".pth",
    ".bin",
    ".onnx",
    ".sft",
    ".json",
)

_PART_SUFFIX = re.compile(r"\.part\d{1,4}(?:of\d{1,4})?$", re.IGNORECASE)
_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_ALNUM = re.compile(r"[a-z]+|[0-9]+")

# token sequences -> image-model family (first match wins, longest patterns first)
IMAGE_FAMILY_PATTERNS: list[tuple[tuple[str, ...], str]] = [
    (("sdxl", "refiner"), "sdxl_refiner"),
    (("sd", "xl", "refiner"), "sdxl_refiner"),
    (("xl", "refiner"), "sdxl_refiner"),
    (("sd", "v", "1"), "sd1"),
    (("sd", "v", "2"), "sd2"),
    (("sd", "v", "3"), "sd3"),
    (("sd", "1"), "sd1"),
    (("sd", "15"), "sd1"),
    (("sd", "14"), "sd1"),
    (("sd", "2"), "sd2"),
    (("sd", "21"), "sd2"),
    (("sd", "20"), "sd2"),
    (("sd", "3"), "sd3"),
    (("sd", "35"), "sd3"),
    (("sd", "xl"), "sdxl"),
    (("sdxl",), "sdxl"),
    (("xl",), "sdxl"),
    (("pony",), "sdxl"),
    (("illustrious",), "sdxl"),
    (("noobai",), "sdxl"),
    (("noob",), "sdxl"),
    (("flux",), "flux1"),
    (("schnell",), "flux1"),
]
# Base-model names (Civitai, sidecars) that hold a family's token but are another architecture
NOT_IN_FAMILY_PATTERNS: list[tuple[str, ...]] = [
    ("pony", "v", "7"),  # Pony V7 is AuraFlow-based, not SDXL
    ("flux", "2"),  # Flux.2 is not Flux.1
]
TEXT_ENCODER_PATTERNS: list[tuple[tuple[str, ...], str]] = [
    (("t5", "xxl"), "t5xxl"),
    (("t5xxl",), "t5xxl"),
    (("umt5",), "umt5xxl"),
    (("clip", "l"), "clip_l"),
    (("clip", "g"), "clip_g"),
]
LLM_FAMILY_PATTERNS: list[tuple[tuple[str, ...], str]] = [
    (("mixtral",), "mixtral"),
    (("mistral",), "mistral"),
    (("ministral",), "mistral"),
    (("codestral",), "mistral"),
    (("devstral",), "mistral"),
    (("magistral",), "mistral"),
    (("qwen", "3"), "qwen3"),
    (("qwen", "2"), "qwen2"),
    (("qwen", "1"), "qwen2"),
    (("qwen",), "qwen2"),
    (("gemma", "3"), "gemma3"),
    (("gemma", "2"), "gemma2"),
    (("gemma",), "gemma"),
    (("phi", "4"), "phi3"),
    (("phi", "3"), "phi3"),
    (("phi", "2"), "phi2"),
    (("llama",), "llama"),
    (("tinyllama",), "llama"),
    (("codellama",), "llama"),
    (("deepseek",), "deepseek2"),
]
SUBTYPE_PATTERNS: list[tuple[tuple[str, ...], str]] = [
    (("lora",), "loras"),
    (("locon",), "loras"),
    (("lycoris",), "loras"),
    (("loha",), "loras"),
    (("lokr",), "loras"),
    (("vae",), "vae"),
    (("controlnet",), "controlnet"),
    (("control",), "controlnet"),
    (("embedding",), "embeddings"),
    (("esrgan",), "upscale_models"),
    (("realesrgan",), "upscale_models"),
    (("upscale",), "upscale_models"),
    (("upscaler",), "upscale_models"),
    (("4", "x"), "upscale_models"),
    (("2", "x"), "upscale_models"),
    (("clip", "vision"), "clip_vision"),
]


def strip_suffix(name: str) -> str:
    """'x.safetensors' -> 'x'; also for a piece of a byte-split file ('x.safetensors.part1')."""
    if ".part" in name.lower():
        name = _PART_SUFFIX.sub("", name)
    lower = name.lower()
    for suffix in MODEL_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def tokenize(text: str) -> list[str]:
    """'Juggernaut_XL-v9+RDPhoto2.safetensors' -> ['juggernaut', 'xl', 'v', '9', 'rd',
    'photo', '2']. The original alphanumeric runs are split at camelCase and letter/digit
    boundaries; everything is lower case."""
    out: list[str] = []
    for part in _SPLIT.split(strip_suffix(text)):
        for piece in _CAMEL.split(part):
            out.extend(_ALNUM.findall(piece.lower()))
    return _merge_stable_diffusion(out)


def _merge_stable_diffusion(tokens: list[str]) -> list[str]:
    """'stable diffusion' -> 'sd' so modelspec/Civitai strings match the same patterns."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "stable" and i + 1 < len(tokens) and tokens[i + 1] == "diffusion":
            out.append("sd")
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def _find(tokens: list[str], pattern: tuple[str, ...]) -> bool:
    n = len(pattern)
    return any(tuple(tokens[i : i + n]) == pattern for i in range(len(tokens) - n + 1))


def match(tokens: list[str], patterns: list[tuple[tuple[str, ...], str]]) -> str | None:
    for pattern, value in patterns:
        if _find(tokens, pattern):
            return value
    return None


def image_family(text: str) -> str | None:
    tokens = tokenize(text)
    if any(_find(tokens, p) for p in NOT_IN_FAMILY_PATTERNS):
        return None
    family = match(tokens, IMAGE_FAMILY_PATTERNS)
    if family == "sdxl" and "refiner" in tokens:  # stable-diffusion-xl-v1-refiner
        return "sdxl_refiner"
    return family


def base_model_family(text: str) -> str | None:
    """A free-text base-model name as written by other tools — Civitai's "SDXL 1.0", "SD 1.5",
    "Pony", "Illustrious", "Flux.1 D", "SD 3.5"; kohya's "sd_v1", "sdxl_base_v1-0"; modelspec's
    "stable-diffusion-xl-v1-base/lora" — in the family vocabulary (sd1, sd2, sdxl,
    sdxl_refiner, sd3, flux1), or None for anything else ("Other", "Hunyuan Video", "Pony V7")."""
    return image_family(text)


def llm_family(text: str) -> str | None:
    return match(tokenize(text), LLM_FAMILY_PATTERNS)


def text_encoder_family(text: str) -> str | None:
    return match(tokenize(text), TEXT_ENCODER_PATTERNS)


def subtype_hint(text: str) -> str | None:
    return match(tokenize(text), SUBTYPE_PATTERNS)
