"""LLM-shaped text encoders of image and video models — files a chat LLM classifier would
wrongly claim: ComfyUI's Qwen2.5-VL-7B (Qwen-Image), Gemma-2-2B (Lumina 2) and ChatGLM3-6B
(Kolors). What separates each from the chat model of the same architecture is in the file:
the vision tower without an LM head (Qwen2.5-VL), the tokenizer bytes tensor `spiece_model`
(ComfyUI's Gemma 2), and for ChatGLM3 nothing certain (the output layer is usually dropped
from the encoder file: the likelier answer below 0.7, the other named).

Sources read: ComfyUI `comfy/text_encoders/{qwen_image,lumina2,llama}.py`, Kolors' ChatGLM3
loader, transformers `Qwen2_5_VLForConditionalGeneration`."""

from __future__ import annotations

from tensorshelf import settings
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

QWEN25VL_VOCAB = 152064
CHATGLM3_VOCAB = 65024


def _encoder(family: str, evidence: list[str], confidence: float) -> Verdict:
    return Verdict("diffusion", "text_encoders", family, confidence, evidence, architecture=family)


def _qwen25vl(table: TensorTable) -> Verdict | None:
    for p in ("model.", "model.language_model.", ""):
        embed = p + "embed_tokens.weight"
        if embed not in table or table.first(".self_attn.q_proj.bias", p + "layers.") is None:
            continue
        if not (table.has_prefix("visual.blocks.") or table.has_prefix("model.visual.blocks.")):
            return None
        if "lm_head.weight" in table:
            return None  # the chat model itself
        vocab = table.dim(embed, 0)
        return _encoder(
            "qwen25vl",
            [
                "Qwen2-style decoder (q/k/v biases) + a vision tower (visual.blocks), no "
                "lm_head: the text encoder file of Qwen-Image, not a chat model",
                f"vocabulary {vocab}",
            ],
            settings.DETECT_CONF_DECISIVE
            if vocab == QWEN25VL_VOCAB
            else settings.DETECT_CONF_STRONG,
        )
    return None


def _gemma2(table: TensorTable) -> Verdict | None:
    if "spiece_model" not in table:
        return None
    if table.first(".pre_feedforward_layernorm.weight", "model.layers.") is None:
        return None
    if "lm_head.weight" in table:
        return None
    return _encoder(
        "gemma2",
        [
            "Gemma 2 decoder table (pre/post feed-forward norms) with the tokenizer bytes "
            "(spiece_model) and no lm_head: ComfyUI's Gemma-2 text encoder (Lumina 2)"
        ],
        settings.DETECT_CONF_DECISIVE,
    )


def chatglm3(table: TensorTable) -> Verdict | None:
    embed = "transformer.embedding.word_embeddings.weight"
    qkv = table.first(".self_attention.query_key_value.weight", "transformer.encoder.layers.")
    if embed not in table or qkv is None:
        return None
    vocab = table.dim(embed, 0)
    head = "transformer.output_layer.weight" in table
    ev = [
        "GLM blocks (transformer.encoder.layers.N.self_attention.query_key_value), "
        f"vocabulary {vocab}" + (" = ChatGLM3" if vocab == CHATGLM3_VOCAB else "")
    ]
    if head:
        ev.append("an output layer: the chat model (Kolors' text encoder is the same table)")
        return Verdict(
            "llm", "llm", "chatglm3", settings.DETECT_CONF_AMBIGUOUS, ev, architecture="chatglm"
        )
    ev.append(
        "no output layer: used as a text encoder (Kolors) — the chat model's shards look alike"
    )
    return _encoder("chatglm3", ev, settings.DETECT_CONF_AMBIGUOUS)


def classify_llm_encoder(table: TensorTable) -> Verdict | None:
    return _qwen25vl(table) or _gemma2(table) or chatglm3(table)
