"""Language models in transformers naming (safetensors / pickle): the architecture from the
layer structure (fused projections, extra norms, biases, experts) and, for the llama-shaped
ones, from the dimensions (vocabulary, hidden and MLP sizes)."""

from __future__ import annotations

import re

from tensorshelf import settings
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

GEMMA_VOCABS = {256000, 256128}
GEMMA3_VOCABS = {262144, 262208}
MISTRAL_VOCABS = {32768, 131072}
LLAMA2_VOCAB = 32000
LLAMA_VOCABS = {32000, 128256, 128000}  # Llama 1/2, Llama 3.x
MISTRAL_7B_DIMS = (4096, 14336)  # hidden, intermediate of Mistral 7B (Llama 3 8B shares them)
LLAMA_MISTRAL = ("llama", "mistral")
OTHER_LAYOUTS: list[tuple[str, str, str]] = [
    ("gpt_neox.layers.0.attention.query_key_value.weight", "gptneox", "GPT-NeoX fused QKV"),
    ("transformer.h.0.self_attention.query_key_value.weight", "falcon", "Falcon/BLOOM fused QKV"),
    ("transformer.h.0.attn.c_attn.weight", "gpt2", "GPT-2 c_attn"),
    ("h.0.attn.c_attn.weight", "gpt2", "GPT-2 c_attn"),
    ("blk.0.attn_q.weight", "", "llama.cpp tensor names"),
]


_ENCODER_PREFIX = re.compile(r"vision|visual|text_model|encoder|image")
_DECODER_LAYER = re.compile(r"\n([^\n]*?)layers\.\d+\.(?:self_attn|mlp|block_sparse_moe)\.")


def _layer_prefix(table: TensorTable) -> str | None:
    """Prefix of the decoder layers ('model.', 'language_model.model.' …), skipping the
    encoder towers of multimodal files."""
    if not table.contains_any(("layers.",)):  # what every match holds: skip the regex scan
        return None
    for m in table.scan(_DECODER_LAYER):
        if not _ENCODER_PREFIX.search(m.group(1)):
            return m.group(1)
    return None


def has_decoder_layers(table: TensorTable) -> bool:
    return _layer_prefix(table) is not None


def _any_layer(table: TensorTable, p: str, suffix: str) -> bool:
    return table.first(suffix, p + "layers.") is not None


def _structure(table: TensorTable, p: str) -> tuple[str | None, str]:
    def has(suffix: str) -> bool:
        return _any_layer(table, p, suffix)

    if has(".mlp.router.weight"):
        return "gpt_oss", "attention sinks / mlp.router experts"
    if has(".self_attn.kv_a_proj_with_mqa.weight"):
        return "deepseek2", "multi-head latent attention (kv_a_proj_with_mqa)"
    if has(".block_sparse_moe.gate.weight") or table.first(".block_sparse_moe.experts.0.w1.weight"):
        return "mixtral", "block_sparse_moe experts"
    if has(".self_attn.qkv_proj.weight") and has(".mlp.gate_up_proj.weight"):
        return "phi3", "fused qkv_proj and gate_up_proj"
    if has(".self_attn.dense.weight") and has(".mlp.fc1.weight"):
        return "phi2", "self_attn.dense + mlp.fc1/fc2"
    pre_ff = has(".pre_feedforward_layernorm.weight")
    q_norm = has(".self_attn.q_norm.weight")
    if (
        has(".post_feedforward_layernorm.weight")
        and not pre_ff
        and not has(".input_layernorm.weight")
    ):
        return "olmo2", "only post-attention / post-feed-forward norms (no pre-norms)"
    if pre_ff and q_norm:
        return "gemma3", "pre/post feed-forward norms and q/k norms"
    if pre_ff:
        return "gemma2", "pre_feedforward_layernorm + post_feedforward_layernorm"
    experts = has(".mlp.experts.0.gate_proj.weight") or table.first(".mlp.gate.weight") is not None
    norm_key = table.first(".self_attn.q_norm.weight", p + "layers.") if q_norm else None
    q_key = table.first(".self_attn.q_proj.weight", p + "layers.")
    post = table.first(".post_attention_layernorm.weight", p + "layers.")
    widths = {table.dim(k, 0) for k in (q_key, post) if k}
    if norm_key and table.dim(norm_key, 0) in widths:
        return "olmo2", "full-width q/k norms (OLMo 2; Qwen 3 normalises per head)"
    if q_norm:
        return ("qwen3moe" if experts else "qwen3"), "q_norm/k_norm in attention" + (
            " with experts" if experts else ""
        )
    if has(".mlp.shared_expert.gate_proj.weight"):
        return "qwen2moe", "shared_expert MoE"
    if has(".self_attn.q_proj.bias"):
        return "qwen2", "biases on q/k/v projections, no q/k norms"
    return None, ""


def _dims(table: TensorTable, p: str) -> tuple[int | None, int | None, int | None]:
    vocab = table.dim(p + "embed_tokens.weight", 0)
    hidden = table.dim(p + "embed_tokens.weight", 1)
    inter = None
    gate = table.first(".mlp.gate_proj.weight", p + "layers.")
    if gate:
        inter = table.dim(gate, 0)
        hidden = hidden or table.dim(gate, 1)
    return vocab, hidden, inter


def _llama_like(table: TensorTable, p: str) -> tuple[str, float, str]:
    vocab, hidden, inter = _dims(table, p)
    dims = f"vocab {vocab or '?'}, hidden {hidden or '?'}, MLP {inter or '?'}"
    if vocab in GEMMA_VOCABS and not table.first(".post_attention_layernorm.weight", p):
        return (
            "command_r",
            settings.DETECT_CONF_STRONG,
            (f"{dims}, parallel attention/MLP (no post_attention_layernorm): Cohere"),
        )
    if vocab in GEMMA_VOCABS:
        return (
            "gemma",
            settings.DETECT_CONF_STRONG,
            (f"llama-style layers with {dims}: Gemma vocabulary"),
        )
    if vocab in GEMMA3_VOCABS:
        return "gemma3", settings.DETECT_CONF_STRONG, f"{dims}: Gemma 3 vocabulary"
    if vocab in MISTRAL_VOCABS:
        return (
            "mistral",
            settings.DETECT_CONF_STRONG,
            (f"llama-style layers with {dims}: Mistral vocabulary"),
        )
    if vocab == LLAMA2_VOCAB and (hidden, inter) == MISTRAL_7B_DIMS:
        return "mistral", settings.DETECT_CONF_STRONG, f"{dims}: Mistral 7B v0.1/v0.2 shape"
    if vocab is None and (hidden, inter) == MISTRAL_7B_DIMS:
        return (
            "llama",
            settings.DETECT_CONF_AMBIGUOUS,
            f"{dims}: llama-style; Mistral 7B has the same layer shapes (no embedding here)",
        )
    if vocab in LLAMA_VOCABS:
        return "llama", settings.DETECT_CONF_STRONG, f"llama-style layers with {dims}"
    return (
        "llama",
        settings.DETECT_CONF_AMBIGUOUS,
        f"llama-style layers with {dims}: not a known Llama vocabulary — many families "
        "(or a pruned Qwen/Mistral table) share this layout",
    )


# structures that sit beside biased q/k/v decoders in files that are not LLMs
NOT_LLM_MARKS: tuple[tuple[str, str], ...] = (
    ("\nmask_decoder.", "a mask decoder (Segment Anything)"),
    (".encoder_attn.", "decoder cross-attention on an audio/encoder stream (Whisper, T5-like)"),
    ("encoder.conv1.weight\n", "a convolutional mel front end (speech)"),
    ("\nprompt_encoder.", "a prompt encoder (Segment Anything)"),
)


MLP_SUFFIXES = (
    ".mlp.down_proj.weight",
    ".mlp.gate_proj.weight",
    ".mlp.up_proj.weight",
    ".mlp.gate_up_proj.weight",
    ".mlp.fc2.weight",
    ".mlp.router.weight",
    ".mlp.gate.weight",
    ".block_sparse_moe.gate.weight",
    ".mlp.experts.0.down_proj.weight",
    ".mlp.shared_expert.down_proj.weight",
)


def _not_llm(table: TensorTable) -> str | None:
    for mark, what in NOT_LLM_MARKS:
        if table.contains_any((mark,)):
            return what
    return None


def _complete_blocks(table: TensorTable, p: str) -> bool:
    """A decoder block of an LLM: attention projections, an MLP and the norms around them."""
    attention = (
        _any_layer(table, p, ".self_attn.q_proj.weight")
        or _any_layer(table, p, ".self_attn.qkv_proj.weight")
        or _any_layer(table, p, ".self_attn.kv_a_proj_with_mqa.weight")
    )
    mlp = any(_any_layer(table, p, suffix) for suffix in MLP_SUFFIXES)
    norm = _any_layer(table, p, ".input_layernorm.weight") or _any_layer(
        table, p, ".post_attention_layernorm.weight"
    )  # OLMo 2 has only post-norms
    return attention and mlp and norm


def classify_llm(table: TensorTable) -> Verdict | None:
    p = _layer_prefix(table)
    if p is not None:
        refused = _not_llm(table)
        if refused is not None or not _complete_blocks(table, p):
            return None  # not an LLM's layout: another classifier, or unknown
    if p is None:
        for key, family, what in OTHER_LAYOUTS:
            if key in table:
                return Verdict(
                    "llm",
                    "llm",
                    family or None,
                    settings.DETECT_CONF_STRONG if family else settings.DETECT_CONF_SUBTYPE_ONLY,
                    [f"{what} ({key})"],
                    architecture=family or None,
                    family_from_shapes=bool(family),
                )
        return None
    layers = table.count_blocks(p + "layers.")
    found, why = _structure(table, p)
    ev = [f"decoder layers under '{p}layers.' ({layers} in this file)"]
    conf = settings.DETECT_CONF_DECISIVE
    if found is None:
        family, conf, why = _llama_like(table, p)
    else:
        family = found
    ev.append(why + f" → {family}")
    if p + "embed_tokens.weight" not in table and "lm_head.weight" not in table:
        conf = min(conf, settings.DETECT_CONF_SHARD)
        ev.append("no embedding or LM head in this file (a middle shard of a set?)")
    ambiguous = conf <= settings.DETECT_CONF_AMBIGUOUS
    return Verdict(
        "llm",
        "llm",
        family,
        conf,
        ev,
        architecture=family,
        family_from_shapes=not ambiguous,
        alternatives=LLAMA_MISTRAL if ambiguous else (),
    )
