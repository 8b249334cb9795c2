"""Low-rank adapters: kohya (`lora_unet_*`/`lora_te*_*` + `.alpha`), diffusers/PEFT
(`lora_A`/`lora_B`, old attention-processor `to_k_lora.down`), LyCORIS (LoHa `hada_*`,
LoKr `lokr_*`, LoCon, full `diff`, OFT) — for image models and for LLMs.

The rank comes from the factor shapes; the base model ("target") from the shapes of the
adapted layers: the in-width of a cross-attention key projection (attn2.to_k) is the text
context width of the UNet it adapts, exactly as for the UNet itself. A LoRA of the text
encoder(s) only is told by which encoders it adapts (kohya `lora_te_` one CLIP, `lora_te1_`/
`lora_te2_`/`lora_te3_` CLIP-L/CLIP-G/T5; diffusers `text_encoder`/`_2`/`_3`) and their widths.
CLIP's layer names look like a language model's (`layers_N_self_attn_q_proj`): a text-encoder
adapter is never an LLM adapter.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tensorshelf import settings
from tensorshelf.detect import names
from tensorshelf.detect.classify.diffusion import CONTEXT_WIDTH_FAMILY, FLUX_HIDDEN
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

# name suffix -> (algorithm, part)
SUFFIXES: list[tuple[str, str, str]] = [
    (".lora_down.weight", "lora", "down"),
    (".lora_up.weight", "lora", "up"),
    (".lora_mid.weight", "lora", "mid"),
    (".lora_A.weight", "lora", "down"),
    (".lora_B.weight", "lora", "up"),
    (".lora_A.default.weight", "lora", "down"),
    (".lora_B.default.weight", "lora", "up"),
    ("_lora.down.weight", "lora", "down"),
    ("_lora.up.weight", "lora", "up"),
    (".lora.down.weight", "lora", "down"),
    (".lora.up.weight", "lora", "up"),
    (".lora_linear_layer.down.weight", "lora", "down"),
    (".lora_linear_layer.up.weight", "lora", "up"),
    ("_lora1.down.weight", "lora", "down"),
    ("_lora1.up.weight", "lora", "up"),  # XLabs Flux
    ("_lora2.down.weight", "lora", "down"),
    ("_lora2.up.weight", "lora", "up"),
    (".hada_w1_a", "loha", "w1_a"),
    (".hada_w1_b", "loha", "w1_b"),
    (".hada_w2_a", "loha", "w2_a"),
    (".hada_w2_b", "loha", "w2_b"),
    (".hada_t1", "loha", "t1"),
    (".hada_t2", "loha", "t2"),
    (".lokr_w1", "lokr", "w1"),
    (".lokr_w1_a", "lokr", "w1_a"),
    (".lokr_w1_b", "lokr", "w1_b"),
    (".lokr_w2", "lokr", "w2"),
    (".lokr_w2_a", "lokr", "w2_a"),
    (".lokr_w2_b", "lokr", "w2_b"),
    (".lokr_t2", "lokr", "t2"),
    (".oft_blocks", "oft", "blocks"),
    (".oft_diag", "oft", "blocks"),
    (".diff", "full", "diff"),
    (".diff_b", "full", "diff_b"),
]
AUX_SUFFIXES = (".alpha", ".dora_scale", ".scale", ".w_norm", ".b_norm")
MIN_LORA_SHARE = 0.5
SD3_HIDDEN = {1536, 2432}
TE_WIDTH_FAMILY = {768: "sd1", 1024: "sd2"}
BIGG_WIDTH = 1280
_LLM_MODULE = re.compile(r"layers_\d+_(self_attn_(q|k|v|o)_proj|mlp_(gate|up|down)_proj)")
_UNET_MARKERS = (
    "lora_unet_",
    "unet_",
    "down_blocks_",
    "input_blocks_",
    "transformer_blocks_",
    "double_blocks_",
    "single_blocks_",
    "joint_blocks_",
)
# image-model text encoders: kohya's prefixes, diffusers' component names, transformers' CLIP
_TE_MARKERS = ("\nlora_te", "\ntext_encoder_", "text_model_encoder_layers_")
# normalised module-name prefixes of the text encoders an image LoRA can adapt, by role
_TE_SINGLE = ("lora_te_", "text_encoder_text_model_")  # SD1/SD2: the one CLIP (kohya, diffusers)
_TE_FIRST = "lora_te1_"  # kohya, models with several encoders: CLIP-L
_TE_CLIP_G = ("lora_te2_text_model_", "text_encoder_2_text_model_")  # SDXL / SD3 second CLIP
_TE_T5 = ("lora_te3_", "text_encoder_3_", "text_encoder_2_encoder_")  # Flux / SD3 T5 encoder
_TE_WIDTH_LAYERS = (
    "mlp_fc1",
    "self_attn_q_proj",
    "self_attn_k_proj",
    "self_attn_v_proj",
    "self_attn_out_proj",
)
CLIP_L_WIDTH = 768
QWEN_IMAGE_MARKS = ("_img_mod_", "_txt_mod_", "_img_mlp_", "_txt_mlp_")
CLIP_L_ONLY_ALTERNATIVES = ("flux1", "sdxl", "sd3", "sd1")  # first = the usual answer
CLIP_LG_ALTERNATIVES = ("sdxl", "sd3")
METADATA_KEYS = ("modelspec.architecture", "ss_base_model_version", "ss_sd_model_name")


class _Module:
    """One adapted layer: its factor tensors by part ('down', 'up', 'w1_a' …)."""

    __slots__ = ("algo", "parts")

    def __init__(self, algo: str = "lora") -> None:
        self.parts: dict[str, str] = {}  # part -> tensor name
        self.algo = algo


# suffixes by their last dotted component: one dict lookup, then a few endswith() checks
_BY_LAST: dict[str, list[tuple[str, str, str]]] = {}
for _suffix, _algo_name, _part in SUFFIXES:
    _BY_LAST.setdefault(_suffix.rsplit(".", 1)[-1], []).append((_suffix, _algo_name, _part))
# a table can be an adapter only if some name holds one of these (C-speed substring tests
# over all names at once; ".diff\n" / ".diff_b\n" end a name)
_ADAPTER_MARKS = ("lora", "hada_", "lokr_", "oft_", ".diff\n", ".diff_b\n")


def _norm(module: str) -> str:
    m = module.replace(".", "_")
    return m.replace("_processor_", "_").removesuffix("_lora")


def _in_width(table: TensorTable, mod: _Module) -> int | None:
    p = mod.parts
    if "down" in p:
        return table.dim(p["down"], 1)
    if "w1_b" in p:
        return table.dim(p["w1_b"], 1)
    if mod.algo == "lokr":
        a = table.dim(p["w1"], 1) if "w1" in p else table.dim(p.get("w1_b", ""), 1)
        b = table.dim(p["w2"], 1) if "w2" in p else table.dim(p.get("w2_b", ""), 1)
        return a * b if a and b else None
    if "diff" in p:
        return table.dim(p["diff"], 1)
    return None


def _rank(table: TensorTable, mod: _Module) -> int | None:
    p = mod.parts
    if "down" in p:
        return table.dim(p["down"], 0)
    if "w1_b" in p:
        return table.dim(p["w1_b"], 0)
    if "w2_a" in p:
        return table.dim(p["w2_a"], 1)
    if "w1_a" in p:
        return table.dim(p["w1_a"], 1)
    return None


def _modules(table: TensorTable) -> tuple[dict[str, _Module], int]:
    modules: dict[str, _Module] = {}
    aux = 0
    by_last = _BY_LAST.get
    for n in table:  # _split() inlined: this loop runs over every name of an adapter
        for suffix, algo, part in by_last(n[n.rfind(".") + 1 :], ()):
            if n.endswith(suffix):
                module = n[: -len(suffix)]
                mod = modules.get(module)
                if mod is None:
                    mod = modules[module] = _Module(algo=algo)
                mod.parts[part] = n
                break
        else:
            aux += n.endswith(AUX_SUFFIXES)
    return modules, aux


def _wide_kernel(shape: tuple[int, ...] | None) -> bool:
    """A 'down' factor that is a k x k convolution (k > 1): LoCon."""
    return shape is not None and len(shape) == 4 and shape[-1] > 1


def _algo_and_rank(table: TensorTable, modules: dict[str, _Module]) -> tuple[str, int | None]:
    """The most common algorithm (lora → locon if a 'down' factor is a k x k convolution,
    dora if there are dora_scale tensors) and the most common rank, in one pass over the
    modules (ties go to the first seen, as with Counter.most_common)."""
    shape_of = table.shape
    algos: dict[str, int] = {}
    ranks: dict[int, int] = {}
    wide = False
    no_down_wide = None  # _kernel of a module without 'down' looks up the tensor named ""
    for m in modules.values():
        algos[m.algo] = algos.get(m.algo, 0) + 1
        down = m.parts.get("down")
        if down is not None:
            shape = shape_of(down)
            rank = shape[0] if shape else None
            wide = wide or _wide_kernel(shape)
        else:
            rank = _rank(table, m)
            if no_down_wide is None:
                no_down_wide = _wide_kernel(shape_of(""))
            wide = wide or no_down_wide
        if rank:
            ranks[rank] = ranks.get(rank, 0) + 1
    algo = max(algos, key=algos.__getitem__)
    if algo == "lora" and wide:
        algo = "locon"
    if table.first(".dora_scale") is not None:
        algo = "dora"
    return algo, (max(ranks, key=ranks.__getitem__) if ranks else None)


def _metadata_family(metadata: dict[str, str]) -> tuple[str | None, str | None]:
    for key in METADATA_KEYS:
        value = metadata.get(key)
        if value:
            fam = names.image_family(value)
            if fam:
                return fam, f"{key} = {value[:60]!r} → {fam}"
    return None, None


class _Target(NamedTuple):
    family: str | None
    why: str
    confidence: float = settings.DETECT_CONF_DECISIVE
    alternatives: tuple[str, ...] = ()  # families these layers cannot tell apart


def _te_width(
    table: TensorTable, normed: dict[str, _Module], prefixes: tuple[str, ...]
) -> tuple[int | None, str | None]:
    """(hidden width, the tensor that shows it) of the text encoder under `prefixes`: the
    in-width of an attention projection or of the first MLP layer."""
    for k, m in normed.items():
        if k.startswith(prefixes) and k.endswith(_TE_WIDTH_LAYERS):
            width = _in_width(table, m)
            if width:
                return width, m.parts.get("down") or next(iter(m.parts.values()))
    return None, None


def _text_encoder_target(
    table: TensorTable, normed: dict[str, _Module], joined: str
) -> _Target | None:
    """The base of a LoRA whose image-model layers say nothing: from the text encoders it
    adapts (which ones, and their widths)."""

    def has(prefixes: tuple[str, ...]) -> bool:
        return any("\n" + p in joined for p in prefixes)

    strong, ambiguous = settings.DETECT_CONF_STRONG, settings.DETECT_CONF_AMBIGUOUS
    if has(_TE_T5):
        if has(_TE_CLIP_G):
            return _Target("sd3", "adapts CLIP-L, CLIP-G and a T5 text encoder → sd3", strong)
        return _Target("flux1", "adapts a T5 text encoder beside CLIP-L, no CLIP-G → flux1", strong)
    if has(_TE_CLIP_G):
        width, name = _te_width(table, normed, _TE_CLIP_G)
        if width in (None, BIGG_WIDTH):
            shown = f" ({name} in-width {width})" if name else ""
            return _Target(
                "sdxl",
                "adapts a second CLIP text encoder (OpenCLIP bigG)"
                f"{shown} → sdxl; SD3 pairs the same two CLIPs",
                strong,
                CLIP_LG_ALTERNATIVES,
            )
    width, name = _te_width(table, normed, _TE_SINGLE)
    if width is not None:
        if width == BIGG_WIDTH:
            return _Target(
                "sdxl",
                f"text-encoder width {width} (OpenCLIP bigG) → sdxl",
                ambiguous,
                CLIP_LG_ALTERNATIVES,
            )
        fam = TE_WIDTH_FAMILY.get(width)
        if fam is None:
            return None
        why = f"text-encoder-only LoRA, {name} in-width {width} (CLIP width) → {fam}"
        if width == CLIP_L_WIDTH and not has(("lora_te_",)):
            # diffusers' `text_encoder` is CLIP-L in SD1, SDXL, SD3 and Flux alike
            return _Target(
                fam,
                why + "; SDXL, SD3 and Flux name their CLIP-L the same",
                ambiguous,
                ("sd1", "flux1", "sdxl", "sd3"),
            )
        return _Target(
            fam,
            why + (" (kohya lora_te_: a single-CLIP model)" if has(("lora_te_",)) else ""),
            strong,
        )
    width, name = _te_width(table, normed, (_TE_FIRST,))
    if width == CLIP_L_WIDTH:
        return _Target(
            CLIP_L_ONLY_ALTERNATIVES[0],
            f"adapts only the first text encoder (lora_te1_, CLIP-L: {name} in-width "
            f"{width}) → usually flux1; SDXL/SD3 LoRAs of CLIP-L alone look the same",
            ambiguous,
            CLIP_L_ONLY_ALTERNATIVES,
        )
    return None


def _target(table: TensorTable, normed: dict[str, _Module], joined: str) -> _Target:
    flux_blocks = "double_blocks_" in joined or "single_blocks_" in joined
    if (
        not flux_blocks
        and "transformer_blocks_" in joined
        and any(mark in joined for mark in QWEN_IMAGE_MARKS)
        and "single_transformer_blocks_" not in joined
    ):
        return _Target(
            "qwen_image",
            "adapts transformer_blocks.N.img_mod/txt_mod/img_mlp/txt_mlp (Qwen-Image; a "
            "diffusers Flux LoRA has single_transformer_blocks and no img_mod)",
        )
    if (
        "blocks_" in joined
        and "cross_attn_" in joined
        and "self_attn_" in joined
        and ("ffn_" in joined)
    ):
        return _Target("wan", "adapts blocks.N.self_attn/cross_attn/ffn (Wan)")
    if (
        "double_blocks_" in joined
        or "single_blocks_" in joined
        or "single_transformer_blocks_" in joined
    ):
        return _Target("flux1", "adapts Flux double/single stream blocks")
    if "joint_blocks_" in joined:
        return _Target("sd3", "adapts MMDiT joint_blocks (SD3)")
    for k, m in normed.items():
        if k.endswith("attn2_to_k"):
            width = _in_width(table, m)
            fam = CONTEXT_WIDTH_FAMILY.get(width or -1)
            if fam:
                first = m.parts.get("down") or next(iter(m.parts.values()))
                return _Target(
                    fam, f"{first} in-width {width} = cross-attention context width → {fam}"
                )
    for k, m in normed.items():
        if "transformer_blocks_" in k and k.endswith(("attn_to_q", "attn_add_q_proj")):
            width = _in_width(table, m)
            if width == FLUX_HIDDEN and "single_transformer_blocks_" in joined:
                return _Target("flux1", f"joint-attention layers of width {width} → flux1")
            if width == FLUX_HIDDEN:
                return _Target(
                    "flux1",
                    f"joint-attention layers of width {width}, no single blocks: Flux or "
                    "Qwen-Image (flux1 assumed)",
                    settings.DETECT_CONF_AMBIGUOUS,
                )
            if width in SD3_HIDDEN:
                return _Target("sd3", f"joint-attention layers of width {width} → sd3")
    return _text_encoder_target(table, normed, joined) or _Target(
        None, "the adapted layers do not name a known base model", settings.DETECT_CONF_SUBTYPE_ONLY
    )


def classify_lora(table: TensorTable, metadata: dict[str, str]) -> Verdict | None:
    if not table.contains_any(_ADAPTER_MARKS):
        return None
    modules, aux = _modules(table)
    if not modules or (sum(len(m.parts) for m in modules.values()) + aux) < MIN_LORA_SHARE * len(
        table
    ):
        return None
    algo, rank = _algo_and_rank(table, modules)
    ev = [f"{len(modules)} adapted modules ({algo})" + (f", rank {rank}" if rank else "")]
    normed = {_norm(k): m for k, m in modules.items()}
    joined = "\n" + "\n".join(normed)
    llm = _LLM_MODULE.search(joined) is not None and not any(
        mk in joined for mk in _UNET_MARKERS + _TE_MARKERS
    )
    if llm:
        ev.append("adapts transformer LM layers (self_attn/mlp projections)")
        return Verdict(
            "llm",
            "loras",
            None,
            settings.DETECT_CONF_SUBTYPE_ONLY,
            ev,
            architecture=algo,
            lora_rank=rank,
            family_from_shapes=False,
        )
    family, why, conf, alternatives = _target(table, normed, joined)
    ev.append(why)
    from_shapes = family is not None and not alternatives
    meta_family, meta_why = _metadata_family(metadata)
    if meta_family and meta_why:
        if family is None:
            family, conf = meta_family, settings.DETECT_CONF_METADATA
            ev.append(meta_why)
        elif meta_family in alternatives:  # the layers allow it: the metadata settles it
            agrees = meta_family == family
            conf = (
                max(conf, settings.DETECT_CONF_METADATA)
                if agrees
                else settings.DETECT_CONF_METADATA
            )
            family, from_shapes = meta_family, True
            ev.append(
                meta_why
                + (" (agrees)" if agrees else " (the layers allow it; the metadata settles it)")
            )
        elif meta_family != family:
            ev.append(f"embedded metadata disagrees ({meta_why}); the shapes win")
            conf = min(conf, settings.DETECT_CONF_STRONG)
        else:
            ev.append(meta_why)
    return Verdict(
        "diffusion",
        "loras",
        family,
        conf,
        ev,
        architecture=algo,
        lora_rank=rank,
        lora_target=family,
        family_from_shapes=from_shapes,
        alternatives=() if from_shapes else alternatives,
    )
