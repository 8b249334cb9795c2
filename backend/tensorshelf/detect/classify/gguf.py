"""GGUF files: LLMs (llama.cpp `general.architecture`), image models in the ComfyUI-GGUF
convention (`general.architecture` flux/sdxl/sd1/sd3/…, original tensor names), T5 text
encoders, LoRA adapters and multimodal projectors."""

from __future__ import annotations

from tensorshelf import settings
from tensorshelf.detect import names
from tensorshelf.detect.classify.diffusion import classify_diffusion
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.readers.gguf_types import GGUFArray, GGUFHeader

# ComfyUI-GGUF image architectures -> family
IMAGE_ARCHS = {
    "flux": "flux1",
    "sd1": "sd1",
    "sdxl": "sdxl",
    "sd3": "sd3",
    "aura": "auraflow",
    "hidream": "hidream",
    "cosmos": "cosmos",
    "ltxv": "ltxv",
    "hyvid": "hunyuan_video",
    "wan": "wan",
    "lumina2": "lumina2",
    "qwen_image": "qwen_image",
    "chroma": "chroma",
    "flux2": "flux2",
}
T5_ARCHS = {"t5", "t5encoder"}
T5XXL_WIDTH = 4096
UMT5_VOCAB = 256384  # UMT5-XXL (Wan's text encoder) vs T5-XXL's 32128
EMBEDDING_ARCHS = {
    "bert",
    "nomic-bert",
    "nomic-bert-moe",
    "jina-bert-v2",
    "modern-bert",
    "neo-bert",
}
UNKNOWN_ARCHS = {"", "pig"}
MISTRAL_NAME_FAMILIES = {"mistral", "mixtral"}
MISTRAL_VOCABS = {32768, 131072}
ADAPTER_TYPE = "adapter"


def _scalar(header: GGUFHeader, key: str) -> object:
    value = header.get(key)
    return None if isinstance(value, GGUFArray) else value


def _int(header: GGUFHeader, key: str) -> int | None:
    value = _scalar(header, key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(header: GGUFHeader, key: str) -> str | None:
    value = _scalar(header, key)
    return value if isinstance(value, str) else None


def _image(header: GGUFHeader, arch: str) -> Verdict:
    family = IMAGE_ARCHS[arch]
    inner = classify_diffusion(header.table)
    ev = [f"general.architecture = {arch!r} (ComfyUI-GGUF image model) → {family}"]
    variant = None
    if inner is not None:
        variant = inner.variant
        ev.extend(inner.evidence)
        if inner.family and inner.family != family:
            ev.append(f"tensor shapes say {inner.family}; general.architecture wins")
    return Verdict(
        "diffusion",
        "diffusion_models",
        family,
        settings.DETECT_CONF_DECISIVE,
        ev,
        variant=variant,
        architecture=arch,
    )


def _t5(header: GGUFHeader, arch: str) -> Verdict:
    width = _int(header, f"{arch}.embedding_length")
    vocab = _vocab(header, arch)
    umt5 = vocab == UMT5_VOCAB or header.table.first("attn_rel_b.weight", "enc.blk.1.") is not None
    family = ("umt5xxl" if umt5 else "t5xxl") if width in (None, T5XXL_WIDTH) else None
    ev = [f"general.architecture = {arch!r}, embedding_length {width}, vocabulary {vocab}"]
    if umt5:
        ev.append("a 256384-token vocabulary / relative attention bias in every block: UMT5")
    return Verdict(
        "diffusion",
        "text_encoders",
        family,
        settings.DETECT_CONF_STRONG if family else settings.DETECT_CONF_SUBTYPE_ONLY,
        ev,
        architecture=arch,
        family_from_shapes=family is not None,
    )


def _text_embedding(header: GGUFHeader, arch: str) -> Verdict:
    pooling = _int(header, f"{arch}.pooling_type")
    causal = _scalar(header, f"{arch}.attention.causal")
    return Verdict(
        "llm",
        "text_embedding",
        arch.lower().replace("-", "_"),
        settings.DETECT_CONF_DECISIVE,
        [
            f"general.architecture = {arch!r}: a text-embedding encoder"
            + (f", pooling_type {pooling}" if pooling is not None else "")
            + (", non-causal attention" if causal is False else ""),
        ],
        architecture=arch,
    )


def _vocab(header: GGUFHeader, arch: str) -> int | None:
    tokens = header.get("tokenizer.ggml.tokens")
    if isinstance(tokens, GGUFArray):
        return tokens.length
    return _int(header, f"{arch}.vocab_size") or header.table.dim("token_embd.weight", 0)


def _llm(header: GGUFHeader, arch: str) -> Verdict:
    family = arch.lower().replace("-", "_")
    ev = [f"general.architecture = {arch!r}"]
    conf = settings.DETECT_CONF_DECISIVE
    if family == "llama":
        label = " ".join(
            filter(None, (_str(header, "general.name"), _str(header, "general.basename")))
        )
        by_name = names.llm_family(label) if label else None
        experts = _int(header, "llama.expert_count")
        if by_name in MISTRAL_NAME_FAMILIES:
            family = "mixtral" if experts else "mistral"
            ev.append(
                f"general.name {label[:60]!r} names a Mistral model (Mistral GGUFs declare llama)"
            )
        elif _vocab(header, arch) in MISTRAL_VOCABS:
            family = "mistral"
            conf = settings.DETECT_CONF_STRONG
            ev.append(f"vocabulary of {_vocab(header, arch)} tokens is Mistral's")
        elif experts:
            family = "mixtral"
            ev.append(f"llama.expert_count = {experts}")
    context = _int(header, f"{arch}.context_length")
    blocks = _int(header, f"{arch}.block_count")
    tokenizer = _str(header, "tokenizer.ggml.model")
    ev.append(
        ", ".join(
            filter(
                None,
                (
                    f"{blocks} blocks" if blocks else None,
                    f"context {context}" if context else None,
                    f"tokenizer {tokenizer}" if tokenizer else None,
                ),
            )
        )
    )
    return Verdict(
        "llm", "llm", family, conf, [e for e in ev if e], architecture=arch, context_length=context
    )


def _adapter(header: GGUFHeader, arch: str) -> Verdict:
    kind = _str(header, "adapter.type") or "lora"
    rank = None
    for name, info in header.table.items():
        if name.endswith(".lora_a") and info.shape:
            rank = info.shape[0]
            break
    alpha = _scalar(header, "adapter.lora.alpha")
    return Verdict(
        "llm",
        "loras",
        arch.lower() or None,
        settings.DETECT_CONF_DECISIVE,
        [
            f"general.type = adapter, adapter.type = {kind!r}, base architecture "
            f"{arch!r}" + (f", alpha {alpha}" if alpha is not None else "")
        ],
        architecture=kind,
        lora_rank=rank,
        lora_target=arch.lower() or None,
    )


def classify_gguf(header: GGUFHeader) -> Verdict | None:
    arch = (_str(header, "general.architecture") or "").strip()
    if _str(header, "general.type") == ADAPTER_TYPE:
        return _adapter(header, arch)
    key = arch.lower()
    if key in IMAGE_ARCHS:
        return _image(header, key)
    if key in T5_ARCHS:
        return _t5(header, key)
    if key in EMBEDDING_ARCHS:
        return _text_embedding(header, arch)
    if key == "clip":
        projector = _str(header, "clip.projector_type")
        return Verdict(
            "llm",
            "mmproj",
            None,
            settings.DETECT_CONF_SUBTYPE_ONLY,  # the role is certain, its LLM is not
            [
                "general.architecture = 'clip': a multimodal projector (mmproj) for a vision LLM"
                + (f", projector {projector!r}" if projector else ""),
                "which LLM it belongs to is not in its header (its folder or name says)",
            ],
            architecture="clip",
            family_from_shapes=False,
        )
    if key in UNKNOWN_ARCHS:
        return None  # the caller falls back to the tensor names
    return _llm(header, arch)
