"""Image models: UNets (LDM/SGM and diffusers naming), MMDiT (SD3), Flux, a few other DiTs,
full checkpoints (diffusion model + VAE / text encoders) and ControlNets.

The family is decided by shapes: the UNet cross-attention key width (768 SD1, 1024 SD2, 2048
SDXL, 1280 SDXL refiner), the Flux/MMDiT hidden sizes, the input channels for variants.
"""

from __future__ import annotations

from tensorshelf import settings
from tensorshelf.detect.classify.dit import match_newer_dit
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.tensors import TensorTable

CONTEXT_WIDTH_FAMILY = {768: "sd1", 1024: "sd2", 2048: "sdxl", 1280: "sdxl_refiner"}
ADM_FAMILY = {2816: "sdxl", 2560: "sdxl_refiner"}
SD2_UNCLIP_ADM = {2048: "unclip_h", 1536: "unclip_l"}
IN_CHANNEL_VARIANTS = {9: "inpainting", 8: "instruct_pix2pix", 5: "depth"}
FLUX_HIDDEN = 3072
FLUX_IN_VARIANTS = {384: "fill", 128: "control"}  # img_in input features (x 2x2 patches)
MMDIT_HIDDEN_VARIANTS = {1536: "medium", 2432: "large"}
KOLORS_TEXT_WIDTH = 4096  # encoder_hid_proj in-width: ChatGLM3-6B hidden size
KOLORS_ADM = 5632  # add_embedding.linear_1 in-width of Kolors (SDXL: 2816)
DIFFUSION_PREFIXES = (
    "model.diffusion_model.",
    "diffusion_model.",
    "model.",
    "unet.",
    "transformer.",
    "",
)
VAE_PREFIXES = ("first_stage_model.", "vae.")
TEXT_ENCODER_PREFIXES = (
    "cond_stage_model.",
    "conditioner.embedders.",
    "text_encoders.",
    "text_encoder.",
    "text_encoder_2.",
    "te.",
)
CONTROLNET_PREFIXES = ("control_model.", "")


def shape_text(table: TensorTable, name: str) -> str:
    return f"{name} {list(table.shape(name) or [])}"


def _context_width(table: TensorTable, prefix: str) -> tuple[int | None, str | None]:
    name = table.first("attn2.to_k.weight", prefix)
    if name is None:
        return None, None
    return table.dim(name, 1), name


def _unet_family(table: TensorTable, prefix: str, in_key: str, adm_key: str) -> Verdict:
    """Family/variant of an SD-style UNet whose keys start with `prefix`."""
    ev: list[str] = []
    width, key = _context_width(table, prefix)
    adm = table.dim(prefix + adm_key, 1)
    family = CONTEXT_WIDTH_FAMILY.get(width or -1)
    conf = settings.DETECT_CONF_DECISIVE
    variant = None
    if key is not None:
        ev.append(
            f"cross-attention key {shape_text(table, key)}: context width {width}"
            + (f" → {family}" if family else " (not a known SD family)")
        )
    if family == "sdxl" and adm == KOLORS_ADM:
        family = "kolors"
        ev.append(f"{prefix + adm_key} input width {adm}: Kolors (SDXL's is 2816)")
    elif family == "sdxl" and adm is None:
        conf = settings.DETECT_CONF_AMBIGUOUS
        ev.append("no ADM embedding here: Kolors shares this cross-attention width (sdxl assumed)")
    if family is None and adm in ADM_FAMILY:
        family = ADM_FAMILY[adm]
        conf = settings.DETECT_CONF_STRONG
        ev.append(f"{prefix + adm_key} input width {adm} → {family}")
    elif adm is not None:
        ev.append(f"class/ADM embedding {shape_text(table, prefix + adm_key)}")
    if family == "sd2" and adm in SD2_UNCLIP_ADM:
        variant = SD2_UNCLIP_ADM[adm]
    if table.first("time_stack.0.attn1.to_q.weight", prefix) or table.first(
        "time_mixer.mix_factor", prefix
    ):
        family, variant = "svd", None
        ev.append("temporal layers (time_stack / time_mixer): Stable Video Diffusion")
    in_ch = table.dim(prefix + in_key, 1)
    if in_ch in IN_CHANNEL_VARIANTS:
        variant = IN_CHANNEL_VARIANTS[in_ch]
        ev.append(f"{shape_text(table, prefix + in_key)}: {in_ch} input channels → {variant}")
    if family is None:
        conf = settings.DETECT_CONF_SUBTYPE_ONLY
    if family == "sd2":
        ev.append("SD2 512 (epsilon) vs 768-v (v-prediction) is not visible in the weights")
    return Verdict(
        "diffusion",
        "diffusion_models",
        family,
        conf,
        ev,
        variant=variant,
        family_from_shapes=family is not None,
    )


def _flux(table: TensorTable, p: str) -> Verdict:
    ev = [
        (
            f"Flux double/single stream blocks ({table.count_blocks(p + 'double_blocks.')} + "
            f"{table.count_blocks(p + 'single_blocks.')}) under '{p}'"
        )
    ]
    hidden = table.dim(p + "img_in.weight", 0)
    in_features = table.dim(p + "img_in.weight", 1)
    if p + "img_in.weight" in table:
        ev.append(f"{shape_text(table, p + 'img_in.weight')}")
    guidance = p + "guidance_in.in_layer.weight" in table
    variant = FLUX_IN_VARIANTS.get(in_features or -1) or ("dev" if guidance else "schnell")
    ev.append(
        "guidance_in present → guidance-distilled (dev)"
        if guidance
        else "no guidance_in → timestep-distilled (schnell)"
    )
    family: str | None = "flux1"
    conf = settings.DETECT_CONF_DECISIVE
    img_in = table.shape(p + "img_in.weight")
    complete = (
        img_in is not None
        and len(img_in) == 2
        and p + "txt_in.weight" in table
        and table.has_prefix(p + "single_blocks.")
        and table.first(".img_mod.lin.weight", p + "double_blocks.") is not None
    )
    if not complete:
        conf = settings.DETECT_CONF_AMBIGUOUS
        ev.append(
            "not every Flux part is here (img_in, txt_in, single blocks, modulation): "
            "HunyuanVideo and Chroma share these stream blocks (flux1 assumed)"
        )
    if hidden is not None and hidden != FLUX_HIDDEN:
        family, conf = None, settings.DETECT_CONF_SUBTYPE_ONLY
        ev.append(f"hidden size {hidden} differs from Flux.1's {FLUX_HIDDEN}")
    return Verdict(
        "diffusion",
        "diffusion_models",
        family,
        conf,
        ev,
        variant=variant,
        architecture="flux",
        family_from_shapes=family is not None,
    )


def _mmdit(table: TensorTable, p: str) -> Verdict:
    hidden = table.dim(p + "x_embedder.proj.weight", 0)
    depth = table.count_blocks(p + "joint_blocks.")
    ev = [
        f"MMDiT joint_blocks ({depth}) under '{p}'",
        f"{shape_text(table, p + 'x_embedder.proj.weight')}",
    ]
    variant = MMDIT_HIDDEN_VARIANTS.get(hidden or -1)
    qk_norm = table.first(".x_block.attn.ln_q.weight", p + "joint_blocks.") is not None
    if table.first(".x_block.attn2.qkv.weight", p + "joint_blocks."):
        variant = "3.5-medium"
        ev.append("x_block.attn2 (MMDiT-X) and q/k norms: SD3.5 Medium")
    elif qk_norm:
        variant = f"3.5-{variant}" if variant else "3.5"
        ev.append("q/k RMSNorm (ln_q/ln_k): SD3.5")
    else:
        ev.append("no q/k norms: SD3 (not 3.5)")
    return Verdict(
        "diffusion",
        "diffusion_models",
        "sd3",
        settings.DETECT_CONF_DECISIVE,
        ev,
        variant=variant,
        architecture="mmdit",
    )


def _flux_diffusers(table: TensorTable, p: str) -> Verdict:
    hidden = table.dim(p + "x_embedder.weight", 0)
    guidance = table.has_prefix(p + "time_text_embed.guidance_embedder.")
    ev = [
        (
            f"diffusers Flux transformer: transformer_blocks + single_transformer_blocks, "
            f"{shape_text(table, p + 'x_embedder.weight')}"
        ),
        "guidance_embedder present → dev" if guidance else "no guidance_embedder → schnell",
    ]
    in_features = table.dim(p + "x_embedder.weight", 1)
    variant = FLUX_IN_VARIANTS.get(in_features or -1) or ("dev" if guidance else "schnell")
    ok = hidden in (None, FLUX_HIDDEN)
    return Verdict(
        "diffusion",
        "diffusion_models",
        "flux1" if ok else None,
        settings.DETECT_CONF_DECISIVE if ok else settings.DETECT_CONF_SUBTYPE_ONLY,
        ev,
        variant=variant,
        architecture="flux",
        family_from_shapes=ok,
    )


def _other_dit(family: str, what: str) -> Verdict:
    return Verdict(
        "diffusion",
        "diffusion_models",
        family,
        settings.DETECT_CONF_STRONG,
        [what],
        architecture=family,
    )


def find_core(table: TensorTable) -> tuple[str, Verdict] | None:
    """(prefix, verdict) of the diffusion model (UNet/DiT) inside the table, if any."""
    for p in DIFFUSION_PREFIXES:
        if p and not table.has_prefix(p):
            continue
        newer = match_newer_dit(table, p)
        if newer is not None:
            return p, newer
        if p + "joint_blocks.0.context_block.attn.qkv.weight" in table:
            return p, _mmdit(table, p)
        if (
            p + "double_blocks.0.img_attn.qkv.weight" in table
            or p + "double_blocks.0.img_attn.norm.key_norm.scale" in table
        ):
            if (
                table.has_prefix(p + "txt_in.individual_token_refiner.")
                or len(table.shape(p + "img_in.proj.weight") or ()) == 5
            ):
                return p, _other_dit("hunyuan_video", "HunyuanVideo token refiner + double blocks")
            if table.has_prefix(p + "distilled_guidance_layer."):
                return p, _other_dit(
                    "chroma", "Flux-style blocks + distilled_guidance_layer (Chroma)"
                )
            if table.has_prefix(p + "double_stream_modulation_img."):
                return p, _other_dit("flux2", "shared double-stream modulation (Flux.2)")
            return p, _flux(table, p)
        if p + "double_layers.0.attn.w1q.weight" in table:
            return p, _other_dit("auraflow", "AuraFlow double_layers (w1q/w2q attention)")
        if p + "mlp_t5.0.weight" in table:
            return p, _other_dit("hunyuan_dit", "Hunyuan-DiT mlp_t5 text projection")
        if (
            p + "input_blocks.0.0.weight" in table
            and table.dim(p + "input_blocks.0.0.weight", 1) is not None
        ):
            v = _unet_family(table, p, "input_blocks.0.0.weight", "label_emb.0.0.weight")
            v.architecture = "unet"
            v.evidence.insert(
                0, f"LDM/SGM UNet (input_blocks/middle_block/output_blocks) under '{p}'"
            )
            return p, v
        if p + "transformer_blocks.0.attn.add_k_proj.weight" in table:
            if (
                table.has_prefix(p + "single_transformer_blocks.")
                and p + "x_embedder.weight" in table
            ):
                return p, _flux_diffusers(table, p)
            if p + "pos_embed.proj.weight" in table:
                hidden = table.dim(p + "pos_embed.proj.weight", 0)
                variant = MMDIT_HIDDEN_VARIANTS.get(hidden or -1)
                if table.first(".attn2.to_q.weight", p + "transformer_blocks."):
                    variant = "3.5-medium"
                elif table.first(".attn.norm_q.weight", p + "transformer_blocks."):
                    variant = f"3.5-{variant}" if variant else "3.5"
                return p, Verdict(
                    "diffusion",
                    "diffusion_models",
                    "sd3",
                    settings.DETECT_CONF_DECISIVE,
                    [
                        (
                            f"diffusers SD3 transformer: joint attention (add_k_proj), "
                            f"{shape_text(table, p + 'pos_embed.proj.weight')}"
                        )
                    ],
                    variant=variant,
                    architecture="mmdit",
                )
        if (
            p + "conv_in.weight" in table
            and p + "time_embedding.linear_1.weight" in table
            and table.has_prefix(p + "down_blocks.")
        ):
            v = _unet_family(table, p, "conv_in.weight", "add_embedding.linear_1.weight")
            v.architecture = "unet"
            v.evidence.insert(
                0, f"diffusers UNet2DConditionModel (down_blocks/up_blocks) under '{p}'"
            )
            hid = table.dim(p + "encoder_hid_proj.weight", 1)
            if hid == KOLORS_TEXT_WIDTH:
                v.family, v.confidence = "kolors", settings.DETECT_CONF_DECISIVE
                v.evidence.append(
                    f"{shape_text(table, p + 'encoder_hid_proj.weight')}: ChatGLM3 (4096) "
                    "conditioning projected to 2048 → Kolors, not SDXL"
                )
            return p, v
    return None


def classify_diffusion(table: TensorTable) -> Verdict | None:
    found = find_core(table)
    if found is None:
        return None
    prefix, verdict = found
    if not prefix:
        return verdict
    vae = [p for p in VAE_PREFIXES if table.has_prefix(p)]
    te = [p for p in TEXT_ENCODER_PREFIXES if table.has_prefix(p)]
    if vae or te:
        verdict.subtype = "checkpoints"
        verdict.evidence.insert(
            0,
            "complete checkpoint: diffusion model under "
            f"'{prefix}'"
            + (f", VAE under '{vae[0]}'" if vae else "")
            + (f", text encoder(s) under '{te[0]}'" if te else ""),
        )
    return verdict


def classify_controlnet(table: TensorTable) -> Verdict | None:
    for p in CONTROLNET_PREFIXES:
        hint = p + "input_hint_block.0.weight"
        if hint in table:
            ev = [f"ControlNet hint encoder {shape_text(table, hint)}"]
            if table.has_prefix(p + "double_blocks."):
                return Verdict(
                    "diffusion",
                    "controlnet",
                    "flux1",
                    settings.DETECT_CONF_DECISIVE,
                    ev + ["Flux double_blocks (XLabs ControlNet)"],
                    architecture="controlnet",
                )
            inner = _unet_family(table, p, "input_blocks.0.0.weight", "label_emb.0.0.weight")
            inner.subtype, inner.variant, inner.architecture = "controlnet", None, "controlnet"
            inner.evidence = ev + [e for e in inner.evidence if "input channels" not in e]
            return inner
    if "controlnet_cond_embedding.conv_in.weight" in table:
        inner = _unet_family(table, "", "conv_in.weight", "add_embedding.linear_1.weight")
        inner.subtype, inner.variant, inner.architecture = "controlnet", None, "controlnet"
        inner.evidence.insert(
            0, "diffusers ControlNetModel (controlnet_cond_embedding, controlnet_down_blocks)"
        )
        return inner
    if table.has_prefix("controlnet_blocks.") or "controlnet_x_embedder.weight" in table:
        if (
            table.has_prefix("single_transformer_blocks.")
            or "controlnet_x_embedder.weight" in table
        ):
            return Verdict(
                "diffusion",
                "controlnet",
                "flux1",
                settings.DETECT_CONF_STRONG,
                ["Flux ControlNet (controlnet_blocks + transformer_blocks)"],
                architecture="controlnet",
            )
        if "pos_embed.proj.weight" in table or "pos_embed_input.proj.weight" in table:
            return Verdict(
                "diffusion",
                "controlnet",
                "sd3",
                settings.DETECT_CONF_STRONG,
                ["SD3 ControlNet (controlnet_blocks + pos_embed)"],
                architecture="controlnet",
            )
    return None
