"""Image restoration and vision/audio models that are not diffusion models or LLMs: face
restorers (GFPGAN, CodeFormer), transformer upscalers (DAT, SPAN), Segment Anything, Depth
Anything, Whisper. These come before the LLM classifier on purpose: SAM's mask decoder and
Whisper's decoder have biased q/k/v layers that must never be read as a chat model.

Sources read: spandrel's architecture detectors (DAT, SPAN, GFPGAN, CodeFormer), transformers
`SamModel`, `DepthAnythingForDepthEstimation`, `WhisperForConditionalGeneration`."""

from __future__ import annotations

import math

from tensorshelf import settings
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

RGB = 3
SAM_WIDTH_VARIANT = {768: "vit_b", 1024: "vit_l", 1280: "vit_h"}
DEPTH_WIDTH_VARIANT = {384: "small", 768: "base", 1024: "large"}
WHISPER_WIDTH_VARIANT = {384: "tiny", 512: "base", 768: "small", 1024: "medium", 1280: "large"}


def _other(
    subtype: str,
    family: str,
    evidence: list[str],
    variant: str | None = None,
    confidence: float = settings.DETECT_CONF_DECISIVE,
) -> Verdict:
    return Verdict(
        "other", subtype, family, confidence, evidence, variant=variant, architecture=family
    )


def _gfpgan(table: TensorTable) -> Verdict | None:
    needed = ("conv_body_first.weight", "final_linear.weight")
    if not all(k in table for k in needed):
        return None
    if not (table.has_prefix("stylegan_decoder.") and table.has_prefix("condition_scale.")):
        return None
    return _other(
        "facerestore_models",
        "gfpgan",
        [
            "GFPGAN: U-Net body (conv_body_first/down/up), final_linear, StyleGAN2 decoder with "
            "SFT condition_scale/shift",
            "v1.3 and v1.4 share this table: v1.4 (the usual one) assumed",
        ],
        "v1.4",
        settings.DETECT_CONF_AMBIGUOUS,
    )


def _codeformer(table: TensorTable) -> Verdict | None:
    if "quantize.embedding.weight" not in table or not table.has_prefix("fuse_convs_dict."):
        return None
    return _other(
        "facerestore_models",
        "codeformer",
        ["CodeFormer: VQ codebook (quantize.embedding) + fuse_convs_dict + transformer ft_layers"],
    )


def _upscale(table: TensorTable, family: str, evidence: list[str], last: str) -> Verdict:
    out = table.dim(last, 0) or 0
    scale = math.isqrt(out // RGB) if out and out % RGB == 0 else 0
    variant = f"x{scale}" if scale and scale * scale * RGB == out else None
    return _other("upscale_models", family, evidence, variant)


def _dat(table: TensorTable) -> Verdict | None:
    if "conv_first.weight" not in table or "conv_after_body.weight" not in table:
        return None
    if table.first(".attn.attns.0.relative_position_index", "layers.") is None:
        return None
    ups = sorted(n for n in table if n.startswith("upsample.") and n.endswith(".weight"))
    scale = (
        2 ** len(ups) if ups and table.dim(ups[0], 0) == 4 * (table.dim(ups[0], 1) or 0) else None
    )
    ev = ["DAT: dual aggregation blocks (attn.attns.{0,1} with relative_position_index, dwconv)"]
    if scale:
        ev.append(f"{len(ups)} pixel-shuffle x2 stages → x{scale}")
        return _other("upscale_models", "dat", ev, f"x{scale}")
    return _upscale(table, "dat", ev, "conv_last.weight")


def _span(table: TensorTable) -> Verdict | None:
    if "conv_cat.weight" not in table or table.first(".c1_r.sk.weight", "block_") is None:
        return None
    return _upscale(
        table,
        "span",
        ["SPAN: block_N.c1_r (sk/conv/eval_conv), conv_cat, pixel-shuffle upsampler"],
        "upsampler.0.weight",
    )


def _sam(table: TensorTable) -> Verdict | None:
    for vision in ("vision_encoder.", "image_encoder."):
        if not (
            table.has_prefix(vision)
            and table.has_prefix("prompt_encoder.")
            and table.has_prefix("mask_decoder.")
        ):
            continue
        patch = table.first("patch_embed.projection.weight", vision) or table.first(
            "patch_embed.proj.weight", vision
        )
        width = table.dim(patch, 0) if patch else None
        variant = SAM_WIDTH_VARIANT.get(width or -1)
        return _other(
            "sams",
            "sam",
            [
                f"Segment Anything: {vision.rstrip('.')} + prompt_encoder + mask_decoder "
                "(the mask decoder's attention is not an LLM's)",
                f"vision width {width}" + (f" → {variant}" if variant else ""),
            ],
            variant,
        )
    return None


def _depth_anything(table: TensorTable) -> Verdict | None:
    if not (
        table.has_prefix("backbone.embeddings.")
        and table.has_prefix("neck.reassemble_stage.")
        and table.has_prefix("neck.fusion_stage.")
        and "head.conv3.weight" in table
    ):
        return None
    width = table.dim("backbone.embeddings.patch_embeddings.projection.weight", 0)
    size = DEPTH_WIDTH_VARIANT.get(width or -1)
    return _other(
        "depth_models",
        "depth_anything",
        [
            "Depth Anything: DINOv2 backbone + DPT neck (reassemble/fusion stages) + depth head",
            f"backbone width {width}" + (f" → {size}" if size else ""),
            "v1 and v2 share this table: v2 (the current one) assumed",
        ],
        f"v2-{size}" if size else None,
        settings.DETECT_CONF_AMBIGUOUS,
    )


def _whisper(table: TensorTable) -> Verdict | None:
    for p in ("model.", ""):
        conv = p + "encoder.conv1.weight"
        if conv not in table or p + "encoder.embed_positions.weight" not in table:
            continue
        if table.first(".encoder_attn.k_proj.weight", p + "decoder.layers.") is None:
            continue
        width = table.dim(conv, 0)
        variant = WHISPER_WIDTH_VARIANT.get(width or -1)
        return _other(
            "audio",
            "whisper",
            [
                f"Whisper: mel front end {list(table.shape(conv) or [])} + decoder cross-attention "
                "(encoder_attn): speech recognition, not an LLM",
                f"width {width}" + (f" → {variant}" if variant else ""),
            ],
            variant,
        )
    return None


def classify_restoration(table: TensorTable) -> Verdict | None:
    return (
        _gfpgan(table)
        or _codeformer(table)
        or _dat(table)
        or _span(table)
        or _sam(table)
        or _depth_anything(table)
        or _whisper(table)
    )
