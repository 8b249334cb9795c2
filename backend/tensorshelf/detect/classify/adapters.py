"""Add-ons that are neither LoRAs nor ControlNets proper: IP-Adapters (image prompt), AnimateDiff
motion modules and T2I-Adapters (a ControlNet variant: ComfyUI loads them from
`models/controlnet`). Each requires its own module structure, not one key.

Sources read: ComfyUI `comfy/t2i_adapter/adapter.py`, ComfyUI_IPAdapter_plus (`image_proj`,
`ip_adapter.N.to_k_ip`), AnimateDiff-Evolved's motion module loader, diffusers
`MotionAdapter` / `T2IAdapter`."""

from __future__ import annotations

from tensorshelf import settings
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

IP_CONTEXT_FAMILY = {768: "sd1", 2048: "sdxl", 1024: "sd2"}  # to_k_ip in-width = cross-attn dim
SD1_DOWN_BLOCKS = 4  # SD1.5 UNet: 320/640/1280/1280 down blocks carry motion modules
SDXL_DOWN_BLOCKS = 3  # SDXL UNet: 320/640/1280
T2I_IN_FAMILY = {768: "sdxl", 192: "sd1"}  # 3 x 16 x 16 (pixel-unshuffle 16) / 3 x 8 x 8
ANIMATEDIFF_V2_POSITIONS = 32


def _shape(table: TensorTable, name: str) -> str:
    return f"{name} {list(table.shape(name) or [])}"


def _ip_adapter(table: TensorTable) -> Verdict | None:
    key = table.first(".to_k_ip.weight", "ip_adapter.")
    if key is None or not table.has_prefix("image_proj."):
        return None
    width = table.dim(key, 1)
    family = IP_CONTEXT_FAMILY.get(width or -1)
    resampler = "image_proj.latents" in table
    ev = [
        "image_proj + ip_adapter.N.to_k_ip/to_v_ip (decoupled cross-attention)",
        f"{_shape(table, key)}: cross-attention width {width}" + (f" → {family}" if family else ""),
        "Resampler image projection (a Plus model)" if resampler else "linear image projection",
    ]
    return Verdict(
        "diffusion",
        "ipadapter",
        family,
        settings.DETECT_CONF_DECISIVE if family else settings.DETECT_CONF_SUBTYPE_ONLY,
        ev,
        variant="plus" if resampler else None,
        architecture="ip_adapter",
        family_from_shapes=family is not None,
    )


def _animatediff(table: TensorTable) -> Verdict | None:
    if table.first_containing(".motion_modules.") is None:
        return None
    # motion modules only: a UNet with motion modules inside is a different (merged) file
    if table.first(".resnets.0.conv1.weight") is not None or "conv_in.weight" in table:
        return None

    def blocks(side: str) -> int:
        return len(
            {
                n.split(".")[1]
                for n in table
                if n.startswith(side) and ".motion_modules." in n and n.split(".")[1].isdigit()
            }
        )

    def up_width(index: int) -> int | None:
        norm = table.first(".norm.weight", f"up_blocks.{index}.motion_modules.")
        return table.dim(norm, 0) if norm else None

    down, up = blocks("down_blocks."), blocks("up_blocks.")
    # the up path tells them apart: SD1 goes 1280/1280/640/320, SDXL 1280/640/320
    by_width = {1: {1280: "sd1", 640: "sdxl"}, 2: {640: "sd1", 320: "sdxl"}}
    family: str | None = None
    for index, widths in by_width.items():
        family = family or widths.get(up_width(index) or -1)
    if family is None and SD1_DOWN_BLOCKS in (down, up):
        family = "sd1"
    pe = table.first(".pos_embed.pe") or table.first(".pos_encoder.pe")
    positions = table.dim(pe, 1) if pe else None
    mid = table.has_prefix("mid_block.motion_modules.")
    variant = "v2" if mid and positions == ANIMATEDIFF_V2_POSITIONS else "v1" if not mid else None
    ev = [
        f"motion modules only, in {down} down / {up} up blocks"
        + (f" → {family}" if family else ""),
        f"{positions} frame positions" if positions else "no positional table",
        "a mid-block motion module (v2 and later)" if mid else "no mid-block module (v1)",
    ]
    return Verdict(
        "diffusion",
        "animatediff_models",
        family,
        settings.DETECT_CONF_STRONG if family else settings.DETECT_CONF_SUBTYPE_ONLY,
        ev,
        variant=variant,
        architecture="motion_module",
        family_from_shapes=family is not None,
    )


def _t2i_adapter(table: TensorTable) -> Verdict | None:
    for conv_in, body in (
        ("adapter.conv_in.weight", "adapter.body."),
        ("conv_in.weight", "body."),
    ):
        if conv_in not in table or table.first(".block1.weight", body) is None:
            continue
        if table.has_prefix("down_blocks.") or table.has_prefix("input_blocks."):
            return None  # a UNet, not an adapter
        width = table.dim(conv_in, 1)
        family = T2I_IN_FAMILY.get(width or -1)
        return Verdict(
            "diffusion",
            "controlnet",
            family,
            settings.DETECT_CONF_STRONG if family else settings.DETECT_CONF_SUBTYPE_ONLY,
            [
                f"T2I-Adapter: {body}N block1/block2 resnets",
                f"{_shape(table, conv_in)}: {width} input features (pixel-unshuffled)"
                + (f" → {family}" if family else ""),
            ],
            variant="t2i_adapter",
            architecture="t2i_adapter",
            family_from_shapes=family is not None,
        )
    return None


def classify_adapter(table: TensorTable) -> Verdict | None:
    return _ip_adapter(table) or _animatediff(table) or _t2i_adapter(table)
