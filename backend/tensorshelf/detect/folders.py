"""Model folders: diffusers pipelines (`model_index.json`) and components (`config.json`
with `_class_name`), transformers models (`config.json` with `model_type`), PEFT adapters
(`adapter_config.json`). The configs decide; weight headers add precision and size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tensorshelf import settings
from tensorshelf.detect import companions
from tensorshelf.detect.classify.auxiliary import CLIP_TEXT_FAMILY, CLIP_VISION_FAMILY, T5_FAMILY
from tensorshelf.detect.classify.diffusion import CONTEXT_WIDTH_FAMILY, IN_CHANNEL_VARIANTS
from tensorshelf.detect.classify.table import classify_table
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.detector import (
    Loaded,
    build,
    detect_file,
    detect_index,
    merge_shards,
    names_only,
)
from tensorshelf.detect.models import Detection
from tensorshelf.detect.tensors import TensorTable
from tensorshelf.errors import InvalidModelFile

MODEL_INDEX = "model_index.json"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".ckpt", ".pt", ".pth")
PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth")
DIFFUSION_COMPONENTS = ("unet", "transformer", "prior", "decoder")
PIPELINE_FAMILIES = [  # (class-name fragment, family) — first match wins
    ("StableDiffusionXL", "sdxl"),
    ("StableDiffusion3", "sd3"),
    ("Flux", "flux1"),
    ("StableDiffusion", None),
    ("Kolors", "kolors"),
    ("PixArt", "pixart"),
    ("AuraFlow", "auraflow"),
    ("HunyuanDiT", "hunyuan_dit"),
    ("Wan", "wan"),
    ("LTX", "ltxv"),
    ("StableCascade", "stable_cascade"),
    ("Lumina2", "lumina2"),
]
COMPONENT_SUBTYPES = {
    "UNet2DConditionModel": "diffusion_models",
    "FluxTransformer2DModel": "diffusion_models",
    "SD3Transformer2DModel": "diffusion_models",
    "AutoencoderKL": "vae",
    "ControlNetModel": "controlnet",
    "FluxControlNetModel": "controlnet",
    "SD3ControlNetModel": "controlnet",
}
VAE_LATENT_FAMILY = {4: "sd1", 16: "flux1"}
TEXT_MODEL_TYPES = {"clip_text_model": "clip", "t5": "t5", "umt5": "t5"}
VISION_MODEL_TYPES = {"clip_vision_model", "clip", "siglip_vision_model", "siglip"}
LM_ARCH_SUFFIXES = ("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")


def _int(cfg: dict[str, Any] | None, key: str) -> int | None:
    value = (cfg or {}).get(key)
    if isinstance(value, list) and value and isinstance(value[0], int):
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _weight_files(folder: Path) -> list[Path]:
    """Weight files of one component folder; plain files before .fp16/.bf16 variants."""
    try:
        files = sorted(
            p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(WEIGHT_SUFFIXES)
        )
    except OSError:
        return []
    safe = [p for p in files if p.name.lower().endswith(".safetensors")]
    files = safe or files  # a repo shipping both formats is read through its safetensors
    plain = [p for p in files if p.name.count(".") == 1]
    return (plain or files)[: settings.DETECT_MAX_FOLDER_WEIGHT_FILES]


def _load_folder_weights(folder: Path, loaded: Loaded) -> bool:
    """Fold the weights of `folder` (a set via its index, or single files) into `loaded`.
    Returns True if any file is a pickle."""
    files = _weight_files(folder)
    index = next((p for p in sorted(folder.glob("*" + companions.INDEX_SUFFIX))), None)
    if index is not None:
        data = companions.load_json(index) or {}
        wm = data.get("weight_map")
        if isinstance(wm, dict):
            shards = companions.safe_shard_names(
                {k: v for k, v in wm.items() if isinstance(v, str)}
            )
            files = [folder / s for s in shards]
            loaded.table = loaded.table.merged(names_only({k: "" for k in wm}))
    merge_shards(loaded, files)
    return any(f.name.lower().endswith(PICKLE_SUFFIXES) for f in files)


def _pipeline_family(folder: Path, cls: str) -> tuple[str | None, str | None, list[str]]:
    ev: list[str] = []
    family = next((fam for frag, fam in PIPELINE_FAMILIES if frag in cls), None)
    variant = None
    unet = companions.load_json(folder / "unet" / companions.CONFIG_JSON)
    transformer = companions.load_json(folder / "transformer" / companions.CONFIG_JSON)
    if unet:
        width = _int(unet, "cross_attention_dim")
        by_width = CONTEXT_WIDTH_FAMILY.get(width or -1)
        if by_width:
            family = by_width
            ev.append(f"unet/config.json cross_attention_dim {width} → {by_width}")
        variant = IN_CHANNEL_VARIANTS.get(_int(unet, "in_channels") or -1)
    if transformer and family == "flux1":
        variant = "dev" if transformer.get("guidance_embeds") else "schnell"
        ev.append(
            f"transformer/config.json guidance_embeds = {transformer.get('guidance_embeds')}"
            f" → {variant}"
        )
    if family is None and "StableDiffusion" in cls:
        te = companions.load_json(folder / "text_encoder" / companions.CONFIG_JSON)
        width = _int(te, "hidden_size")
        family = {768: "sd1", 1024: "sd2"}.get(width or -1)
        if family:
            ev.append(f"text_encoder hidden_size {width} → {family}")
    return family, variant, ev


def _diffusers_pipeline(folder: Path, index: dict[str, Any]) -> Detection:
    cls = str(index.get("_class_name") or "")
    family, variant, ev = _pipeline_family(folder, cls)
    components = [
        k
        for k, v in index.items()
        if not k.startswith("_") and isinstance(v, list) and len(v) == 2 and v[0] is not None
    ]
    ev.insert(0, f"{MODEL_INDEX}: _class_name = {cls!r}, components {components}")
    loaded = Loaded(TensorTable(), bytes_read=(folder / MODEL_INDEX).stat().st_size)
    pickle = False
    core = Loaded(TensorTable())
    for comp in components:
        part = Loaded(TensorTable())
        pickle |= _load_folder_weights(folder / comp, part)
        loaded.pickles += part.pickles
        loaded.pickle_unscanned |= part.pickle_unscanned
        loaded.table = loaded.table.merged(
            TensorTable({f"{comp}.{k}": v for k, v in part.table.items()})
        )
        loaded.bytes_read += part.bytes_read
        if comp in DIFFUSION_COMPONENTS and len(part.table):
            core = part
    verdict = Verdict(
        "diffusion",
        "checkpoints",
        family,
        settings.DETECT_CONF_DECISIVE if family else settings.DETECT_CONF_SUBTYPE_ONLY,
        ev,
        variant=variant,
        architecture=cls or None,
        family_from_shapes=family is not None,
    )
    det = build(
        "diffusers", verdict, core.table if len(core.table) else loaded.table, loaded.bytes_read
    )
    det.parameter_count = loaded.table.parameter_count()
    if pickle:
        det.security_tier = "pickle"
        det.pickle_scan = loaded.pickle_scan()
        det.evidence.append("some weights are pickle files (.bin/.ckpt)")
    return det


def _diffusers_component(folder: Path, cfg: dict[str, Any]) -> Detection:
    cls = str(cfg.get("_class_name"))
    loaded = Loaded(TensorTable())
    pickle = _load_folder_weights(folder, loaded)
    verdict = classify_table(loaded.table) if len(loaded.table) else None
    subtype = COMPONENT_SUBTYPES.get(cls)
    if verdict is None or verdict.subtype is None:
        family = None
        if cls == "AutoencoderKL":
            family = VAE_LATENT_FAMILY.get(_int(cfg, "latent_channels") or -1)
        elif "Flux" in cls:
            family = "flux1"
        elif "SD3" in cls:
            family = "sd3"
        else:
            family = CONTEXT_WIDTH_FAMILY.get(_int(cfg, "cross_attention_dim") or -1)
        verdict = Verdict(
            "diffusion",
            subtype,
            family,
            settings.DETECT_CONF_METADATA if family else settings.DETECT_CONF_SUBTYPE_ONLY,
            [],
            family_from_shapes=family is not None,
        )
    verdict.evidence.insert(0, f"config.json _class_name = {cls!r} (diffusers component)")
    verdict.architecture = cls
    det = build("diffusers", verdict, loaded.table, loaded.bytes_read)
    if pickle:
        det.security_tier = "pickle"
        det.pickle_scan = loaded.pickle_scan()
    return det


def _transformers_verdict(cfg: dict[str, Any]) -> Verdict | None:
    mt = companions.config_family(cfg) or ""
    archs = [a for a in cfg.get("architectures") or [] if isinstance(a, str)]
    ev = [f"config.json model_type = {mt!r}, architectures = {archs}"]
    if TEXT_MODEL_TYPES.get(mt) == "clip":
        fam = CLIP_TEXT_FAMILY.get(_int(cfg, "hidden_size") or -1)
        return Verdict(
            "diffusion",
            "text_encoders",
            fam,
            settings.DETECT_CONF_STRONG,
            ev,
            architecture=mt,
            family_from_shapes=fam is not None,
        )
    if TEXT_MODEL_TYPES.get(mt) == "t5" and not any(a.endswith(LM_ARCH_SUFFIXES) for a in archs):
        fam = T5_FAMILY.get(_int(cfg, "d_model") or -1)
        return Verdict(
            "diffusion",
            "text_encoders",
            fam,
            settings.DETECT_CONF_STRONG,
            ev,
            architecture=mt,
            family_from_shapes=fam is not None,
        )
    if mt in VISION_MODEL_TYPES:
        vision = cfg.get("vision_config") if isinstance(cfg.get("vision_config"), dict) else cfg
        fam = (
            "siglip"
            if mt.startswith("siglip")
            else CLIP_VISION_FAMILY.get(_int(vision, "hidden_size") or -1)
        )
        return Verdict(
            "diffusion",
            "clip_vision",
            fam,
            settings.DETECT_CONF_STRONG,
            ev,
            architecture=mt,
            family_from_shapes=fam is not None,
        )
    if mt and (any(a.endswith(LM_ARCH_SUFFIXES) for a in archs) or not archs):
        return Verdict(
            "llm",
            "llm",
            mt,
            settings.DETECT_CONF_DECISIVE,
            ev,
            architecture=mt,
            context_length=companions.config_context_length(cfg),
        )
    return None


def _transformers_folder(folder: Path, cfg: dict[str, Any]) -> Detection:
    loaded = Loaded(TensorTable(), bytes_read=(folder / companions.CONFIG_JSON).stat().st_size)
    pickle = _load_folder_weights(folder, loaded)
    verdict = _transformers_verdict(cfg)
    shapes = classify_table(loaded.table) if len(loaded.table) else None
    if verdict is None:
        verdict = shapes or Verdict(
            "other",
            None,
            None,
            settings.DETECT_CONF_UNKNOWN,
            [
                (
                    f"config.json model_type {cfg.get('model_type')!r} is not "
                    "a model kind Tensorshelf knows"
                )
            ],
            family_from_shapes=False,
        )
    elif shapes is not None and shapes.family and shapes.family != verdict.family:
        verdict.note(f"weights look like {shapes.family}; config.json wins")
    quant = cfg.get("quantization_config")
    method = quant.get("quant_method") if isinstance(quant, dict) else None
    dtype = companions.TORCH_DTYPES.get(str(cfg.get("torch_dtype") or cfg.get("dtype")))
    det = build(
        "transformers",
        verdict,
        loaded.table,
        loaded.bytes_read,
        quantization=method if isinstance(method, str) else None,
    )
    det.precision = det.precision or dtype
    if pickle:
        det.security_tier = "pickle"
        det.pickle_scan = loaded.pickle_scan()
    return det


def _adapter_folder(folder: Path) -> Detection:
    weights = [p for p in _weight_files(folder) if p.name.startswith("adapter_model")]
    if not weights:
        raise InvalidModelFile(
            f"{folder.name}: adapter_config.json without adapter_model weights", file=folder.name
        )
    return detect_file(weights[0])


def detect_folder(folder: Path) -> Detection:
    index = companions.load_json(folder / MODEL_INDEX)
    if index is not None:
        return _diffusers_pipeline(folder, index)
    if (folder / companions.ADAPTER_CONFIG).is_file():
        return _adapter_folder(folder)
    cfg = companions.load_json(folder / companions.CONFIG_JSON)
    if cfg is not None and "_class_name" in cfg:
        return _diffusers_component(folder, cfg)
    if cfg is not None and ("model_type" in cfg or "architectures" in cfg):
        return _transformers_folder(folder, cfg)
    set_index = next(iter(sorted(folder.glob("*" + companions.INDEX_SUFFIX))), None)
    if set_index is not None:
        return detect_index(set_index)
    weights = _weight_files(folder)
    if weights:
        det = detect_file(weights[0])
        det.evidence.insert(0, f"folder without a known config: classified from {weights[0].name}")
        return det
    raise InvalidModelFile(
        f"{folder.name}: not a model folder (no {MODEL_INDEX}, config.json, "
        f"{companions.ADAPTER_CONFIG} or weight file)",
        file=folder.name,
    )
