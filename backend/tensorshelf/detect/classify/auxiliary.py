"""The parts used around image models: VAEs, text encoders (CLIP-L/G/H, T5), CLIP vision
encoders, textual-inversion embeddings, and upscalers (ESRGAN family and a few others)."""

from __future__ import annotations

import math
import re

from tensorshelf import settings
from tensorshelf.detect.classify.diffusion import shape_text
from tensorshelf.detect.classify.llm import has_decoder_layers
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

VAE_LATENT_FAMILY = {4: "sd1", 16: "flux1", 32: "flux2"}
VAE_PREFIXES = ("", "first_stage_model.", "vae.")
VAE_ALTERNATIVES = {4: ("sd1", "sd2", "sdxl"), 16: ("flux1", "sd3")}
CLIP_TEXT_FAMILY = {768: "clip_l", 1280: "clip_g", 1024: "clip_h"}
T5_FAMILY = {4096: "t5xxl", 2048: "t5xl", 1024: "t5_large", 768: "t5_base"}
UMT5_VOCAB = 256384
T5_VOCAB = 32128
CLIP_VISION_FAMILY = {
    1280: "clip_vit_h",
    1664: "clip_vit_bigg",
    1024: "clip_vit_l",
    768: "clip_vit_b",
}
EMBEDDING_WIDTH_FAMILY = {768: "sd1", 1024: "sd2"}
SDXL_EMBEDDING_KEYS = ("clip_l", "clip_g")
RGB = 3
_OLD_ESRGAN_CONV = re.compile(r"^model\.(\d+)\.weight$")
_COMPACT_BODY = re.compile(r"^body\.(\d+)\.(weight|bias)$")
_LAYER_Q = ".self_attn.q_proj.weight"


def _prefix_before(table: TensorTable, marker: str) -> str | None:
    """What precedes `marker` in the first name (in file order) that contains it."""
    found = table.first_containing(marker)
    return None if found is None else found[0][: found[1]]


def classify_vae(table: TensorTable) -> Verdict | None:
    for p in VAE_PREFIXES:
        ldm = p + "decoder.up.0.block.0.conv1.weight" in table and table.has_prefix(
            p + "encoder.down."
        )
        diffusers = table.has_prefix(p + "decoder.up_blocks.") and table.has_prefix(
            p + "encoder.down_blocks."
        )
        if not (ldm or diffusers):
            continue
        if p and table.count_prefix(p) < len(table) // 2:
            continue
        conv_in = p + "decoder.conv_in.weight"
        shape = table.shape(conv_in)
        ev = [
            f"autoencoder encoder/decoder ({'LDM' if ldm else 'diffusers'} naming)"
            + (f" under '{p}'" if p else "")
        ]
        if shape is not None and len(shape) == 5:
            return Verdict(
                "diffusion",
                "vae",
                None,
                settings.DETECT_CONF_SUBTYPE_ONLY,
                ev + [f"{shape_text(table, conv_in)}: 3-D convolutions (a video VAE)"],
                family_from_shapes=False,
            )
        z = shape[1] if shape and len(shape) > 1 else None
        family = VAE_LATENT_FAMILY.get(z or -1)
        ev.append(f"{shape_text(table, conv_in)}: {z} latent channels")
        quant = p + "quant_conv.weight" in table
        if z == 4:
            ev.append("4-channel layout shared by the SD1.x/SD2.x and SDXL VAEs: SD1 assumed")
            conf = settings.DETECT_CONF_AMBIGUOUS
        elif z == 16:
            ev.append(
                "16-channel layout without quant_conv shared by the Flux.1 and SD3 VAEs: "
                "Flux.1 assumed"
                if not quant
                else "16-channel latent"
            )
            conf = settings.DETECT_CONF_AMBIGUOUS
        else:
            conf = settings.DETECT_CONF_STRONG if family else settings.DETECT_CONF_SUBTYPE_ONLY
        return Verdict(
            "diffusion",
            "vae",
            family,
            conf,
            ev,
            architecture="autoencoder_kl",
            family_from_shapes=False,
            alternatives=VAE_ALTERNATIVES.get(z or -1, ()),
        )
    return None


def _clip_text(table: TensorTable) -> Verdict | None:
    p = _prefix_before(table, "text_model.encoder.layers.0" + _LAYER_Q)
    if p is not None:
        q = f"{p}text_model.encoder.layers.0{_LAYER_Q}"
        width = table.dim(q, 0)
        layers = table.count_blocks(p + "text_model.encoder.layers.")
        src = f"CLIP text transformer, {layers} layers, {shape_text(table, q)}"
    else:
        p = _prefix_before(table, "transformer.resblocks.0.attn.in_proj_weight")
        if (
            p is None
            or table.has_prefix(p + "visual.")
            or p + "token_embedding.weight" not in table
        ):
            return None
        width = table.dim(p + "token_embedding.weight", 1)
        layers = table.count_blocks(p + "transformer.resblocks.")
        src = (
            f"OpenCLIP text transformer, {layers} resblocks, "
            f"{shape_text(table, p + 'token_embedding.weight')}"
        )
    family = CLIP_TEXT_FAMILY.get(width or -1)
    conf = settings.DETECT_CONF_DECISIVE if family else settings.DETECT_CONF_SUBTYPE_ONLY
    return Verdict(
        "diffusion",
        "text_encoders",
        family,
        conf,
        [src + (f" → {family}" if family else f": width {width} not a known CLIP")],
        architecture="clip_text",
        family_from_shapes=family is not None,
    )


def _t5(table: TensorTable) -> Verdict | None:
    p = _prefix_before(table, "encoder.block.0.layer.0.SelfAttention.q.weight")
    if p is None:
        return None
    q = p + "encoder.block.0.layer.0.SelfAttention.q.weight"
    d_model = table.dim(q, 1)
    blocks = table.count_blocks(p + "encoder.block.")
    vocab = table.dim(p + "shared.weight", 0) or table.dim(p + "encoder.embed_tokens.weight", 0)
    family = T5_FAMILY.get(d_model or -1)
    later = [
        n
        for n in table
        if n.startswith(p + "encoder.block.")
        and n.endswith(".layer.0.SelfAttention.q.weight")
        and not n.startswith(p + "encoder.block.0.")
    ]
    rel_later = any(
        n.replace(".q.weight", ".relative_attention_bias.weight") in table for n in later
    )
    ev = [
        f"T5 encoder, {blocks} blocks, {shape_text(table, q)}"
        + (f", vocabulary {vocab}" if vocab else "")
    ]
    conf = settings.DETECT_CONF_DECISIVE if family else settings.DETECT_CONF_SUBTYPE_ONLY
    if family == "t5xxl" and (vocab == UMT5_VOCAB or rel_later):
        family = "umt5xxl"
        ev.append("UMT5: a 256384-token vocabulary / relative attention bias in every block")
    elif family == "t5xxl" and vocab != T5_VOCAB:
        conf = settings.DETECT_CONF_AMBIGUOUS
        ev.append("no 32128-token vocabulary here: UMT5-XXL looks the same (t5xxl assumed)")
    return Verdict(
        "diffusion",
        "text_encoders",
        family,
        conf,
        ev,
        architecture="t5_encoder",
        family_from_shapes=family is not None,
    )


def classify_text_encoder(table: TensorTable) -> Verdict | None:
    if table.has_prefix("vision_model.") or table.first("visual.conv1.weight") is not None:
        return None
    if has_decoder_layers(table):
        return None
    return _clip_text(table) or _t5(table)


def classify_clip_vision(table: TensorTable) -> Verdict | None:
    if has_decoder_layers(table):  # a vision tower inside a multimodal LLM (LLaVA, Gemma 3 …)
        return None
    p = _prefix_before(table, "vision_model.encoder.layers.0" + _LAYER_Q)
    if p is not None:
        q = f"{p}vision_model.encoder.layers.0{_LAYER_Q}"
        width = table.dim(q, 0)
        layers = table.count_blocks(p + "vision_model.encoder.layers.")
        patch = table.dim(p + "vision_model.embeddings.patch_embedding.weight", -1)
        siglip = (
            table.has_prefix(p + "vision_model.head.")
            and p + "vision_model.embeddings.class_embedding" not in table
        )
    else:
        p = _prefix_before(table, "visual.transformer.resblocks.0.attn.in_proj_weight")
        if p is None:
            return None
        width = table.dim(p + "visual.conv1.weight", 0)
        layers = table.count_blocks(p + "visual.transformer.resblocks.")
        patch = table.dim(p + "visual.conv1.weight", -1)
        siglip = False
    family = "siglip" if siglip else CLIP_VISION_FAMILY.get(width or -1)
    ev = [
        f"vision transformer: width {width}, {layers} layers, patch {patch}"
        + (f" → {family}" if family else "")
    ]
    if table.has_prefix(p + "text_model.") or table.has_prefix(p + "transformer.resblocks."):
        ev.append("full CLIP (text tower present too)")
    conf = settings.DETECT_CONF_DECISIVE if family else settings.DETECT_CONF_SUBTYPE_ONLY
    return Verdict(
        "diffusion",
        "clip_vision",
        family,
        conf,
        ev,
        architecture="clip_vision",
        family_from_shapes=family is not None,
    )


def classify_embedding(table: TensorTable) -> Verdict | None:
    if len(table) > len(SDXL_EMBEDDING_KEYS) + 2:
        return None
    if all(k in table for k in SDXL_EMBEDDING_KEYS):
        ev = [f"{shape_text(table, k)}" for k in SDXL_EMBEDDING_KEYS]
        return Verdict(
            "diffusion",
            "embeddings",
            "sdxl",
            settings.DETECT_CONF_DECISIVE,
            ["textual inversion for SDXL's two text encoders: " + ", ".join(ev)],
            architecture="textual_inversion",
        )
    name = next((n for n in ("emb_params", "string_to_param.*") if n in table), None)
    strong = name is not None
    if name is None:
        candidates = [
            n
            for n, i in table.items()
            if i.shape and len(i.shape) in (1, 2) and not n.endswith((".weight", ".bias"))
        ]
        if len(candidates) != 1:
            return None
        name = candidates[0]
    shape = table.shape(name)
    if (
        not shape
        or len(shape) not in (1, 2)
        or (len(shape) == 2 and shape[0] > settings.DETECT_EMBEDDING_MAX_VECTORS)
    ):
        return None
    width = shape[-1]
    family = EMBEDDING_WIDTH_FAMILY.get(width)
    if not strong and family is None:
        return None
    vectors = shape[0] if len(shape) == 2 else 1
    conf = settings.DETECT_CONF_DECISIVE if strong else settings.DETECT_CONF_AMBIGUOUS
    if family is None:
        conf = settings.DETECT_CONF_SUBTYPE_ONLY
    return Verdict(
        "diffusion",
        "embeddings",
        family,
        conf,
        [
            f"textual inversion {shape_text(table, name)}: {vectors} vector(s) of width "
            f"{width}" + (f" → {family}" if family else "")
        ],
        architecture="textual_inversion",
        family_from_shapes=family is not None,
    )


def _scale_variant(scale: float | None) -> str | None:
    if scale is None or scale <= 0 or scale != int(scale):
        return None
    return f"x{int(scale)}"


def _esrgan(table: TensorTable) -> Verdict | None:
    if "conv_first.weight" in table and "body.0.rdb1.conv1.weight" in table:
        blocks = table.count_blocks("body.")
        in_ch = table.dim("conv_first.weight", 1) or RGB
        base = 8 if "conv_up3.weight" in table else 4
        unshuffle = math.isqrt(max(1, in_ch // RGB))
        scale = base / unshuffle if unshuffle * unshuffle * RGB == in_ch else None
        ev = [
            (
                f"RRDBNet (Real-ESRGAN naming): {blocks} RRDB blocks, "
                f"{shape_text(table, 'conv_first.weight')}"
            )
        ]
        return Verdict(
            "other",
            "upscale_models",
            "esrgan",
            settings.DETECT_CONF_DECISIVE,
            ev,
            variant=_scale_variant(scale),
            architecture="rrdbnet",
        )
    if "model.0.weight" in table and table.first(".RDB1.conv1.0.weight", "model.1.sub.0."):
        convs = sorted(int(m.group(1)) for n in table if (m := _OLD_ESRGAN_CONV.match(n)))
        after_body = [i for i in convs if i >= 2]
        scale = 2 ** (len(after_body) - 2) if len(after_body) >= 2 else None
        blocks = table.count_blocks("model.1.sub.") - 1
        ev = [
            (
                f"RRDBNet (original ESRGAN 'model.N' naming): {blocks} RRDB blocks, "
                f"{len(after_body)} convolutions after the body"
            )
        ]
        return Verdict(
            "other",
            "upscale_models",
            "esrgan",
            settings.DETECT_CONF_DECISIVE,
            ev,
            variant=_scale_variant(scale),
            architecture="rrdbnet",
        )
    return None


def _other_upscalers(table: TensorTable) -> Verdict | None:
    if "conv_first.weight" in table and table.first(
        ".attn.relative_position_bias_table", "layers.0.residual_group."
    ):
        hat = (
            table.has_prefix("layers.0.residual_group.overlap_attn.")
            or table.first(".conv_block.cab.0.weight", "layers.0.") is not None
        )
        family = "hat" if hat else "swinir"
        return Verdict(
            "other",
            "upscale_models",
            family,
            settings.DETECT_CONF_STRONG,
            [f"Swin-transformer super-resolution layers ({family})"],
            architecture=family,
        )
    names = list(table)
    if (
        names
        and all(_COMPACT_BODY.match(n) for n in names)
        and table.dim("body.0.weight", 1) == RGB
    ):
        convs = sorted({int(m.group(1)) for n in names if (m := _COMPACT_BODY.match(n))})
        out = table.dim(f"body.{convs[-1]}.weight", 0) or 0
        scale = math.isqrt(out // RGB) if out % RGB == 0 else None
        if scale and scale * scale * RGB != out:
            scale = None
        return Verdict(
            "other",
            "upscale_models",
            "compact",
            settings.DETECT_CONF_STRONG,
            [
                (
                    f"SRVGGNetCompact (Real-ESRGAN compact): {len(convs)} body layers, last "
                    f"conv outputs {out} channels"
                )
            ],
            variant=_scale_variant(scale),
            architecture="srvgg_compact",
        )
    return None


def classify_upscaler(table: TensorTable) -> Verdict | None:
    return _esrgan(table) or _other_upscalers(table)
