"""detect_path for single files and sharded sets: read the header(s), classify, add
precision, size, companion configs and foreign metadata into one Detection."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from tensorshelf import settings
from tensorshelf.detect import companions, names
from tensorshelf.detect.classify.gguf import classify_gguf
from tensorshelf.detect.classify.precision import (
    UNQUANTIZED,
    ggml_precision,
    gguf_file_type,
    table_precision,
)
from tensorshelf.detect.classify.table import classify_table, from_name_only, refine
from tensorshelf.detect.classify.verdict import Verdict
from tensorshelf.detect.foreign import foreign_metadata
from tensorshelf.detect.models import Detection, ForeignMetadata, PickleScan
from tensorshelf.detect.readers.gguf_types import GGUFHeader
from tensorshelf.detect.readers.header import FileHeader, read_header
from tensorshelf.detect.readers.pickle_globals import GlobalsSeen, build_scan
from tensorshelf.detect.readers.pickle_header import PickleInfo
from tensorshelf.detect.tensors import DTYPE_BITS, UNKNOWN_DTYPE, TensorInfo, TensorTable
from tensorshelf.errors import InvalidModelFile

log = logging.getLogger(__name__)

LLM_LORA_BASE_KEY = "base_model_name_or_path"
SECURITY = {
    "safetensors": "safe",
    "gguf": "safe",
    "onnx": "safe",
    "pickle": "pickle",
    "diffusers": "safe",
    "transformers": "safe",
}  # folders: "pickle" if any weight is

PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth")  # a set's files that may be pickles


@dataclass
class Loaded:
    """A tensor table read from one or more files of a set."""

    table: TensorTable
    metadata: dict[str, str] = field(default_factory=dict)
    bytes_read: int = 0
    evidence: list[str] = field(default_factory=list)
    total_size: int | None = None  # from an index.json, when shapes are incomplete
    pickles: list[PickleInfo] = field(default_factory=list)  # for the safety scan
    pickle_unscanned: bool = False  # a pickle file of the set could not be walked

    def pickle_scan(self) -> PickleScan:
        """The safety scan of every pickle file read into this set."""
        seen, streams, complete = GlobalsSeen(), 0, not self.pickle_unscanned
        for info in self.pickles:
            seen.merge(info.globals_seen)
            streams += info.streams_scanned
            complete = complete and info.scan_complete
        return build_scan(seen, streams, complete)


def read_table(
    path: Path, pickles: list[PickleInfo] | None = None
) -> tuple[str, TensorTable, dict[str, str], int]:
    """(format, table, embedded metadata, bytes read) of one safetensors or pickle file;
    a pickle's PickleInfo is appended to `pickles` (its safety scan)."""
    found = read_header(path)
    fmt, h, info = found.format, found.safetensors, found.pickle
    if h is not None:
        return fmt, h.table, h.metadata, h.header_bytes_read + settings.HEADER_SNIFF_BYTES
    if info is not None:
        if pickles is not None:
            pickles.append(info)
        return fmt, info.table, {}, info.header_bytes_read + settings.HEADER_SNIFF_BYTES
    raise InvalidModelFile(
        f"{path.name}: a {fmt} file cannot be part of a tensor set", file=path.name
    )


def merge_shards(loaded: Loaded, files: list[Path], skip: Path | None = None) -> int:
    """Add the headers of the other shards that exist; returns how many were read."""
    count = 0
    if any(f.name.lower().endswith(PICKLE_SUFFIXES) for f in files[settings.DETECT_MAX_SHARDS :]):
        loaded.pickle_unscanned = True
    for f in files[: settings.DETECT_MAX_SHARDS]:
        if f == skip or not f.is_file():
            continue
        try:
            _, table, _, nbytes = read_table(f, loaded.pickles)
        except (InvalidModelFile, OSError) as exc:
            loaded.evidence.append(f"shard {f.name} unreadable: {str(exc)[:80]}")
            loaded.pickle_unscanned |= f.name.lower().endswith(PICKLE_SUFFIXES)
            continue
        loaded.table = loaded.table.merged(table)
        loaded.bytes_read += nbytes
        count += 1
    return count


def names_only(wm: dict[str, str]) -> TensorTable:
    return TensorTable({n: TensorInfo(UNKNOWN_DTYPE, None) for n in wm})


def complete_set(path: Path, loaded: Loaded) -> None:
    """If `path` is one shard of a set, fold in the index's names and the other shards."""
    m = companions.SHARD_NAME.match(path.name)
    if not m:
        return
    index = companions.index_for_shard(path)
    if index is not None:
        data = companions.load_json(index) or {}
        wm = companions.weight_map(data, index.name)
        files = [path.parent / s for s in companions.safe_shard_names(wm)]
        loaded.table = loaded.table.merged(names_only(wm))
        loaded.total_size = _total_size(data)
    else:
        files = companions.sibling_shards(path)
    read = merge_shards(loaded, files, skip=path)
    loaded.evidence.append(
        f"shard {int(m.group('index'))} of {int(m.group('total'))}"
        + (f", set described by {index.name}" if index else "")
        + f"; {read} other shard header(s) read"
    )


def _total_size(index: dict[str, object]) -> int | None:
    meta = index.get("metadata")
    value = meta.get("total_size") if isinstance(meta, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def apply_companions(verdict: Verdict, folder: Path) -> None:
    """config.json beside an LLM; adapter_config.json beside a PEFT adapter."""
    if verdict.model_type != "llm":
        return
    if verdict.subtype == "loras":
        cfg = companions.load_json(folder / companions.ADAPTER_CONFIG)
        base = cfg.get(LLM_LORA_BASE_KEY) if cfg else None
        if isinstance(base, str) and base:
            family = names.llm_family(base)
            verdict.note(
                f"{companions.ADAPTER_CONFIG}: base model {base[:60]!r}"
                + (f" → {family}" if family else "")
            )
            if family:
                verdict.family = verdict.lora_target = family
                verdict.confidence = max(verdict.confidence, settings.DETECT_CONF_METADATA)
                verdict.family_from_shapes = True
        if cfg and verdict.lora_rank is None and isinstance(cfg.get("r"), int):
            verdict.lora_rank = cfg["r"]
        return
    cfg = companions.transformers_config(folder)
    if cfg is None:
        return
    family = companions.config_family(cfg)
    if family and family != verdict.family:
        verdict.note(f"config.json model_type = {family!r}; it names the architecture")
        verdict.family = verdict.architecture = family
        verdict.confidence = max(verdict.confidence, settings.DETECT_CONF_STRONG)
        verdict.family_from_shapes = True
    elif family:
        verdict.note(f"config.json model_type = {family!r} (agrees)")
    verdict.context_length = verdict.context_length or companions.config_context_length(cfg)


def build(
    fmt: str,
    verdict: Verdict,
    table: TensorTable,
    bytes_read: int,
    foreign: ForeignMetadata | None = None,
    precision: str | None = None,
    quantization: str | None = None,
    total_size: int | None = None,
    extra: list[str] | None = None,
) -> Detection:
    evidence = list(verdict.evidence) + list(extra or [])
    if precision is None:
        precision, quant, why = table_precision(table)
        quantization = quantization or quant
        if why:
            evidence.append(why)
    params = verdict.parameter_count or table.parameter_count()
    if params is None and total_size:
        counts = table.bytes_by_dtype()
        dtype = max(counts, key=lambda k: counts[k]) if counts else None
        bits = DTYPE_BITS.get(dtype or "")
        if bits:
            params = total_size * 8 // bits
            evidence.append(f"parameter count estimated from index total_size {total_size}")
    return Detection(
        format=fmt,  # type: ignore[arg-type]
        model_type=verdict.model_type,  # type: ignore[arg-type]
        subtype=verdict.subtype,
        family=verdict.family,
        precision=precision,
        variant=verdict.variant,
        architecture=verdict.architecture,
        parameter_count=params,
        quantization=quantization or verdict.quantization,
        context_length=verdict.context_length,
        lora_rank=verdict.lora_rank,
        lora_target=verdict.lora_target if verdict.subtype == "loras" else None,
        security_tier=SECURITY.get(fmt, "unknown"),  # type: ignore[arg-type]
        confidence=round(verdict.confidence, 3),
        evidence=evidence,
        foreign=foreign or ForeignMetadata(),
        header_bytes_read=bytes_read,
    )


def _detect_tensor_file(path: Path, found: FileHeader) -> Detection:
    extra: list[str] = []
    fmt, h, info = found.format, found.safetensors, found.pickle
    if h is not None:
        loaded = Loaded(h.table, h.metadata, h.header_bytes_read + settings.HEADER_SNIFF_BYTES)
        verdict: Verdict | None = None
    else:
        if info is None:
            raise InvalidModelFile(f"{path.name}: not a tensor file ({fmt})", file=path.name)
        loaded = Loaded(
            info.table, {}, info.header_bytes_read + settings.HEADER_SNIFF_BYTES, pickles=[info]
        )
        what = (
            "PyTorch zip checkpoint"
            if info.kind == "zip"
            else ("legacy torch.save pickle" if info.torch_legacy else "raw pickle")
        )
        extra.append(
            f"{what}: tensor table read by walking the pickle opcodes (nothing "
            "unpickled or executed)"
            if len(info.table)
            else f"{what}"
        )
        verdict = (
            None
            if len(info.table)
            else from_name_only(
                path.name, f"{what}: no tensor table readable ({info.walk_error or 'no tensors'})"
            )
        )
    complete_set(path, loaded)
    if verdict is None:
        verdict = classify_table(loaded.table, loaded.metadata)
    apply_companions(verdict, path.parent)
    foreign = foreign_metadata(path, loaded.metadata)
    refine(verdict, loaded.metadata, path.name, foreign.base_model_raw)
    det = build(
        fmt,
        verdict,
        loaded.table,
        loaded.bytes_read,
        foreign,
        total_size=loaded.total_size,
        extra=loaded.evidence + extra,
    )
    if fmt == "pickle":
        det.pickle_scan = loaded.pickle_scan()
    return det


def _first_split(path: Path) -> Path | None:
    """For `model-00003-of-00005.gguf`, the sibling first split (which carries the KVs)."""
    m = companions.SHARD_NAME.match(path.name)
    if not m or int(m.group("index")) == 1:
        return None
    first = path.with_name(f"{m.group('stem')}-00001-of-{m.group('total')}.{m.group('ext')}")
    return first if first.is_file() else None


def _detect_gguf(path: Path, h: GGUFHeader) -> Detection:
    verdict = classify_gguf(h)
    first = _first_split(path) if verdict is None else None
    if first is not None:
        det = _detect_gguf(first, _gguf_of(read_header(first)))
        det.evidence.insert(0, f"split of a GGUF set: classified from {first.name}")
        det.header_bytes_read += h.header_bytes_read
        return det
    if verdict is None:
        verdict = classify_table(h.table)
        verdict.note("no usable general.architecture: classified from tensor names")
    foreign = foreign_metadata(path, gguf=h.metadata)
    refine(verdict, {}, path.name, foreign.base_model_raw)
    precision = gguf_file_type(h.get("general.file_type"))
    why = f"general.file_type = {h.get('general.file_type')} → {precision}" if precision else None
    if precision is None:
        precision = ggml_precision(h.table)
        why = f"dominant tensor type → {precision}" if precision else None
    types = ", ".join(f"{k} x{v}" for k, v in sorted(h.tensor_types.items(), key=lambda kv: -kv[1]))
    extra = [e for e in (why, f"GGUF v{h.version}, {len(h.table)} tensors ({types})") if e]
    quant = precision if precision and precision not in UNQUANTIZED else None
    return build(
        "gguf",
        verdict,
        h.table,
        h.header_bytes_read,
        foreign,
        precision=precision,
        quantization=quant,
        extra=extra,
    )


def _detect_onnx(path: Path) -> Detection:
    verdict = from_name_only(path.name, "ONNX graph (operators are not inspected)")
    return build(
        "onnx", verdict, TensorTable(), settings.HEADER_SNIFF_BYTES, foreign_metadata(path)
    )


def _gguf_of(found: FileHeader) -> GGUFHeader:
    if found.gguf is None:
        raise InvalidModelFile(f"{found.path.name}: not a GGUF file", file=found.path.name)
    return found.gguf


def _detect_header(path: Path, found: FileHeader) -> Detection:
    if found.format == "gguf":
        return _detect_gguf(path, _gguf_of(found))
    if found.format == "onnx":
        return _detect_onnx(path)
    return _detect_tensor_file(path, found)


def detect_file(path: Path) -> Detection:
    split = companions.byte_split(path) if ".part" in path.name.lower() else None
    if split is not None:
        return _detect_byte_split(path, split)
    return _detect_header(path, read_header(path))


def _detect_byte_split(path: Path, split: companions.ByteSplit) -> Detection:
    """A piece of a byte-split file (`x.safetensors.part1` …): only piece 1 has a header, and
    it describes the joined file, so it is read against the pieces' total size."""
    first = split.first
    missing = split.missing()
    gap = f"; piece(s) {', '.join(map(str, missing))} missing" if missing else ""
    if first is None:
        raise InvalidModelFile(
            f"{path.name}: piece {split.index} of a byte-split file; its "
            f"first piece {split.whole}.part1, which has the header, is not "
            "beside it",
            file=path.name,
        )
    try:
        det = _detect_header(first, read_header(first, split.size))
    except InvalidModelFile as exc:
        if not missing:
            raise
        raise InvalidModelFile(
            f"{exc.message} (byte-split file {split.whole}{gap})", file=first.name
        ) from None
    names_ = ", ".join(p.name for p in split.pieces.values())
    det.evidence.insert(
        0,
        f"byte-split file {split.whole}: {len(split.pieces)} piece(s) "
        f"({names_}), {split.size} bytes together{gap}; header read from "
        f"{first.name}",
    )
    return det


def detect_index(path: Path) -> Detection:
    """A `*.index.json` of a sharded set: names from weight_map, shapes from the shards."""
    data = companions.load_json(path, strict=True) or {}
    wm = companions.weight_map(data, path.name)
    shards = companions.safe_shard_names(wm)
    loaded = Loaded(names_only(wm), bytes_read=path.stat().st_size, total_size=_total_size(data))
    read = merge_shards(loaded, [path.parent / s for s in shards])
    loaded.evidence.append(
        f"{path.name}: {len(wm)} tensors in {len(shards)} shard(s); {read} shard header(s) read"
    )
    fmt = "pickle" if shards and all(s.endswith(".bin") for s in shards) else "safetensors"
    verdict = classify_table(loaded.table)
    apply_companions(verdict, path.parent)
    refine(verdict, {}, path.name)
    return build(
        fmt,
        verdict,
        loaded.table,
        loaded.bytes_read,
        total_size=loaded.total_size,
        extra=loaded.evidence,
    )
