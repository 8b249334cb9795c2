"""The newer diffusion transformers (2024–2026): video DiTs (Wan 2.1/2.2, LTX-Video, Cosmos)
and image DiTs (PixArt, Lumina 2, HiDream, Qwen-Image, Stable Cascade, Hunyuan-DiT and
AuraFlow in diffusers naming, Kolors' UNet is in diffusion.py). Each `match_*` states what it
requires — the signature tensors of that model class, never one tell-tale key alone — and
returns None otherwise. Shapes decide the variant; where the header cannot (Wan 2.1 14B vs a
Wan 2.2 A14B expert), the likelier answer is given below 0.7 and the other one named.

Sources read (written anew here): ComfyUI `comfy/ldm/{wan,lightricks,cosmos,pixart,lumina,
hidream,qwen_image,cascade,hydit,aura}` and `comfy/model_detection.py`; diffusers
`models/transformers/*` for the diffusers names."""

from __future__ import annotations

from collections.abc import Callable

from tensorshelf import settings
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

WAN_DIMS = {1536: "1.3b", 5120: "14b", 3072: "5b"}
WAN_TI2V_IN = 48  # Wan 2.2 TI2V-5B: 48 latent channels in
WAN_I2V_IN = 36  # 16 latent + 4 mask + 16 image channels
PIXART_ALPHA_MARK = "adaln_single.emb.resolution_embedder.linear_1.weight"
CASCADE_STAGE_C_TXT = 2048  # clip_txt_mapper out width of stage C (stage B has clip_mapper)


def _dit(
    family: str,
    evidence: list[str],
    variant: str | None = None,
    confidence: float = settings.DETECT_CONF_DECISIVE,
    alternative: str | None = None,
) -> Verdict:
    if alternative is not None:
        evidence.append(f"the header cannot tell this from {alternative}")
    return Verdict(
        "diffusion",
        "diffusion_models",
        family,
        confidence,
        evidence,
        variant=variant,
        architecture=family,
    )


def _shape(table: TensorTable, name: str) -> str:
    return f"{name} {list(table.shape(name) or [])}"


# --- video ---------------------------------------------------------------------------------
def match_wan(table: TensorTable, p: str) -> Verdict | None:
    """Wan 2.x, original naming: per-block q/k RMSNorm, `modulation [1, 6, dim]`, a 5-D
    patch embedding, the UMT5 text projection and the 2-vector head modulation."""
    patch = p + "patch_embedding.weight"
    required = (
        p + "blocks.0.self_attn.norm_q.weight",
        p + "blocks.0.modulation",
        p + "head.modulation",
        p + "text_embedding.0.weight",
        patch,
    )
    if not all(k in table for k in required):
        return None
    shape = table.shape(patch) or ()
    if len(shape) != 5:
        return None
    dim, in_ch = shape[0], shape[1]
    size = WAN_DIMS.get(dim)
    ev = [
        f"Wan DiT blocks under '{p}' ({table.count_blocks(p + 'blocks.')}): per-block q/k norms "
        "and modulation, head.modulation",
        _shape(table, patch) + f": width {dim}, {in_ch} input channels",
    ]
    i2v = p + "img_emb.proj.1.weight" in table or table.first(".cross_attn.k_img.weight", p)
    if in_ch == WAN_TI2V_IN:
        return _dit("wan", ev + ["48 input channels: Wan 2.2 TI2V"], "2.2-ti2v_5b")
    if i2v:
        ev.append("image embedding (img_emb / cross_attn.k_img): image-to-video")
        return _dit("wan", ev, f"2.1-i2v_{size or '?'}")
    if in_ch == WAN_I2V_IN:
        ev.append("36 input channels without an image embedding: Wan 2.2 I2V A14B")
        return _dit("wan", ev, "2.2-i2v_a14b", settings.DETECT_CONF_AMBIGUOUS)
    if size == "14b":
        return _dit(
            "wan",
            ev,
            "2.1-t2v_14b",
            settings.DETECT_CONF_AMBIGUOUS,
            alternative="a Wan 2.2 T2V A14B expert (2.2-t2v_a14b: the same table)",
        )
    return _dit("wan", ev, f"2.1-t2v_{size}" if size else None)


def match_wan_diffusers(table: TensorTable, p: str) -> Verdict | None:
    """Wan in diffusers naming (WanTransformer3DModel)."""
    text = p + "condition_embedder.text_embedder.linear_1.weight"
    patch = p + "patch_embedding.weight"
    if not (text in table and patch in table and p + "blocks.0.attn1.norm_q.weight" in table):
        return None
    shape = table.shape(patch) or ()
    if len(shape) != 5:
        return None
    dim, in_ch = shape[0], shape[1]
    size = WAN_DIMS.get(dim)
    ev = [f"diffusers Wan transformer under '{p}'", _shape(table, patch)]
    if in_ch == WAN_TI2V_IN:
        return _dit("wan", ev, "2.2-ti2v_5b")
    if table.has_prefix(p + "condition_embedder.image_embedder."):
        return _dit("wan", ev + ["image embedder: image-to-video"], f"2.1-i2v_{size or '?'}")
    if size == "14b":
        return _dit(
            "wan", ev, "2.1-t2v_14b", settings.DETECT_CONF_AMBIGUOUS, "a Wan 2.2 A14B expert"
        )
    return _dit("wan", ev, f"2.1-t2v_{size}" if size else None)


def match_ltxv(table: TensorTable, p: str) -> Verdict | None:
    """LTX-Video: adaLN-single + patchify_proj [2048, 128] + caption projection, and no 2-D
    pos_embed (which PixArt has)."""
    patchify = p + "patchify_proj.weight"
    if not (patchify in table and table.has_prefix(p + "adaln_single.")):
        return None
    if not table.has_prefix(p + "caption_projection."):
        return None
    return _dit("ltxv", [f"LTX-Video under '{p}': adaln_single, {_shape(table, patchify)}"])


def match_cosmos(table: TensorTable, p: str) -> Verdict | None:
    if table.first(".adaln_modulation_cross_attn.1.weight", p + "blocks.") is None:
        return None
    if not table.has_prefix(p + "x_embedder."):
        return None
    return _dit("cosmos", [f"Cosmos blocks (adaln_modulation_cross_attn) under '{p}'"])


# --- image ---------------------------------------------------------------------------------
def match_pixart(table: TensorTable, p: str) -> Verdict | None:
    """PixArt-Alpha/Sigma (diffusers): adaLN-single, a T5 caption projection, 2-D patch
    embedding, per-block scale_shift_table."""
    pos = p + "pos_embed.proj.weight"
    caption = p + "caption_projection.linear_1.weight"
    if not (table.has_prefix(p + "adaln_single.") and pos in table and caption in table):
        return None
    if p + "transformer_blocks.0.scale_shift_table" not in table:
        return None
    alpha = p + PIXART_ALPHA_MARK in table
    ev = [
        f"PixArt transformer under '{p}': adaln_single, {_shape(table, caption)}",
        "resolution embedder → alpha" if alpha else "no resolution embedder → sigma",
    ]
    return _dit("pixart", ev, "alpha" if alpha else "sigma")


def match_pixart_original(table: TensorTable, p: str) -> Verdict | None:
    """PixArt in its original naming (PixArtMS): t_block + y_embedder + cross_attn.q_linear."""
    needed = (
        p + "t_block.1.weight",
        p + "y_embedder.y_proj.fc1.weight",
        p + "x_embedder.proj.weight",
    )
    if not all(k in table for k in needed):
        return None
    if table.first(".cross_attn.q_linear.weight", p + "blocks.") is None:
        return None
    alpha = table.has_prefix(p + "csize_embedder.")
    ev = [f"PixArt (original naming) under '{p}': t_block, y_embedder, cross_attn.q_linear"]
    return _dit("pixart", ev, "alpha" if alpha else "sigma", settings.DETECT_CONF_STRONG)


def match_lumina2(table: TensorTable, p: str) -> Verdict | None:
    needed = (p + "cap_embedder.1.weight", p + "layers.0.attention.qkv.weight")
    if not all(k in table for k in needed):
        return None
    if not (table.has_prefix(p + "context_refiner.") and table.has_prefix(p + "noise_refiner.")):
        return None
    return _dit(
        "lumina2",
        [f"NextDiT under '{p}': cap_embedder, context_refiner + noise_refiner, layers.N.attention"],
    )


def match_hidream(table: TensorTable, p: str) -> Verdict | None:
    moe = table.first(".block.ff_i.gate.weight", p + "double_stream_blocks.")
    if moe is None or not table.has_prefix(p + "caption_projection."):
        return None
    return _dit(
        "hidream",
        [f"HiDream double_stream_blocks with MoE feed-forward (ff_i.gate) under '{p}'"],
        alternative="the other HiDream-I1 editions (Full / Dev / Fast share the table)",
        confidence=settings.DETECT_CONF_DECISIVE,
    )


def match_qwen_image(table: TensorTable, p: str) -> Verdict | None:
    needed = (
        p + "transformer_blocks.0.img_mod.1.weight",
        p + "transformer_blocks.0.txt_mod.1.weight",
        p + "img_in.weight",
        p + "txt_in.weight",
    )
    if not all(k in table for k in needed) or not table.has_prefix(p + "txt_norm."):
        return None
    ev = [
        f"Qwen-Image MMDiT under '{p}': img_mod/txt_mod, txt_norm",
        _shape(table, p + "txt_in.weight") + " (Qwen2.5-VL width)",
        "text-to-image vs Edit: the header cannot tell",
    ]
    return _dit("qwen_image", ev)


def match_stable_cascade(table: TensorTable, p: str) -> Verdict | None:
    if not (
        table.has_prefix(p + "clf.") and table.first(".channelwise.0.weight", p + "down_blocks.")
    ):
        return None
    txt = table.dim(p + "clip_txt_mapper.weight", 0)
    if txt is not None:
        ev = [
            "Stable Cascade (StageC): clf, channelwise blocks, "
            + _shape(table, p + "clip_txt_mapper.weight")
        ]
        return _dit("stable_cascade", ev, "stage_c" if txt == CASCADE_STAGE_C_TXT else None)
    if table.has_prefix(p + "effnet_mapper.") or table.has_prefix(p + "clip_mapper."):
        return _dit(
            "stable_cascade", ["Stable Cascade (StageB): effnet_mapper / clip_mapper"], "stage_b"
        )
    return None


def match_hunyuan_dit_diffusers(table: TensorTable, p: str) -> Verdict | None:
    needed = (p + "text_embedder.linear_1.weight", p + "blocks.0.attn2.to_q.weight")
    if not all(k in table for k in needed):
        return None
    if table.first(".skip_linear.weight", p + "blocks.") is None:
        return None
    return _dit("hunyuan_dit", [f"Hunyuan-DiT (diffusers) under '{p}': text_embedder, skip_linear"])


def match_auraflow_diffusers(table: TensorTable, p: str) -> Verdict | None:
    if not (p + "register_tokens" in table and table.has_prefix(p + "joint_transformer_blocks.")):
        return None
    return _dit("auraflow", [f"AuraFlow (diffusers) under '{p}': register_tokens, joint blocks"])


# the order matters only where one table could satisfy two (none of these can)
MATCHERS: tuple[Callable[[TensorTable, str], Verdict | None], ...] = (
    match_wan,
    match_wan_diffusers,
    match_ltxv,
    match_cosmos,
    match_pixart,
    match_pixart_original,
    match_lumina2,
    match_hidream,
    match_qwen_image,
    match_stable_cascade,
    match_hunyuan_dit_diffusers,
    match_auraflow_diffusers,
)


def match_newer_dit(table: TensorTable, p: str) -> Verdict | None:
    for match in MATCHERS:
        verdict = match(table, p)
        if verdict is not None:
            return verdict
    return None
