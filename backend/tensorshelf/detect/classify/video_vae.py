"""Video VAEs (3-D, causal convolutions): HunyuanVideo and LTX-Video in diffusers naming
(`*.conv_in.conv.weight`, 5-D), Wan 2.1 / 2.2 in their own naming (`decoder.conv1`,
`decoder.head`, `encoder.downsamples` / `decoder.upsamples`). A VAE's family is the model it
ships with; the Qwen-Image VAE is the Wan 2.1 VAE architecture (the header cannot tell).

Sources read: diffusers `AutoencoderKLHunyuanVideo`, `AutoencoderKLLTXVideo`,
`AutoencoderKLWan`; ComfyUI `comfy/ldm/wan/vae.py`, `vae2_2.py`."""

from __future__ import annotations

from tensorshelf import settings
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

CAUSAL_LATENT_FAMILY = {16: "hunyuan_video", 128: "ltxv"}
WAN21_Z, WAN22_Z = 16, 48
VIDEO_PREFIXES = ("", "vae.", "first_stage_model.")


def _vae(family: str | None, evidence: list[str], confidence: float) -> Verdict:
    return Verdict(
        "diffusion",
        "vae",
        family,
        confidence,
        evidence,
        architecture="video_vae",
        family_from_shapes=family is not None,
    )


def _causal(table: TensorTable, p: str) -> Verdict | None:
    conv_in = p + "decoder.conv_in.conv.weight"
    shape = table.shape(conv_in)
    if shape is None or len(shape) != 5 or not table.has_prefix(p + "encoder."):
        return None
    z = shape[1]
    family = CAUSAL_LATENT_FAMILY.get(z)
    ev = [
        f"causal 3-D VAE (diffusers naming) under '{p}': {conv_in} {list(shape)}",
        f"{z} latent channels" + (f" → {family}" if family else ""),
    ]
    conf = settings.DETECT_CONF_STRONG if family else settings.DETECT_CONF_SUBTYPE_ONLY
    return _vae(family, ev, conf)


def _wan(table: TensorTable, p: str) -> Verdict | None:
    conv1 = p + "decoder.conv1.weight"
    shape = table.shape(conv1)
    if shape is None or len(shape) != 5 or not table.has_prefix(p + "decoder.head."):
        return None
    z = shape[1]
    ev = [f"Wan VAE (causal Conv3d, decoder.head) under '{p}': {conv1} {list(shape)}"]
    if z == WAN22_Z or table.has_prefix(p + "decoder.upsamples.0.upsamples."):
        return _vae(
            "wan", ev + ["48 latent channels: the Wan 2.2 VAE"], settings.DETECT_CONF_STRONG
        )
    if z == WAN21_Z:
        ev.append(
            "16 latent channels: the Wan 2.1 VAE; the Qwen-Image VAE is the same architecture "
            "(the header cannot tell; qwen_image is the other answer)"
        )
        return _vae("wan", ev, settings.DETECT_CONF_AMBIGUOUS)
    return _vae(None, ev + [f"{z} latent channels"], settings.DETECT_CONF_SUBTYPE_ONLY)


def classify_video_vae(table: TensorTable) -> Verdict | None:
    for p in VIDEO_PREFIXES:
        if p and not table.has_prefix(p):
            continue
        found = _causal(table, p) or _wan(table, p)
        if found is not None:
            return found
    return None
