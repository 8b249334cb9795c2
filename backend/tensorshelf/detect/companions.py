"""Small JSON files that travel with weights: `*.index.json` of a sharded set, transformers
`config.json`, PEFT `adapter_config.json`. Read with a size cap; malformed ones are ignored
(with a log line) unless the caller asked for that very file."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tensorshelf import settings
from tensorshelf.errors import InvalidModelFile, NotRegularFile
from tensorshelf.io.regular import open_regular

log = logging.getLogger(__name__)

SHARD_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<index>\d{5})-of-(?P<total>\d{5})"
    r"\.(?P<ext>safetensors|bin|gguf)$"
)
# `x.safetensors.part1` (`split -b`), optionally `x.gguf.part1of3`: raw byte ranges of one file
PART_NAME = re.compile(
    r"^(?P<whole>.+\.[A-Za-z0-9]+)\.part(?P<index>\d{1,4})"
    r"(?:of(?P<total>\d{1,4}))?$",
    re.IGNORECASE,
)
INDEX_SUFFIX = ".index.json"
CONFIG_JSON = "config.json"
ADAPTER_CONFIG = "adapter_config.json"
TORCH_DTYPES = {"float16": "fp16", "bfloat16": "bf16", "float32": "fp32", "float8_e4m3fn": "fp8"}


def load_json(path: Path, strict: bool = False) -> dict[str, Any] | None:
    """A JSON object from `path`; None (or InvalidModelFile when strict) if unusable."""
    try:
        size = path.stat().st_size
        if size > settings.DETECT_MAX_JSON_BYTES:
            raise ValueError(f"{size} bytes exceeds the {settings.DETECT_MAX_JSON_BYTES} limit")
        with open_regular(path) as f:
            data = json.loads(f.read(settings.DETECT_MAX_JSON_BYTES).decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")  # noqa: TRY004 - reported as bad content
        return data
    except FileNotFoundError:
        if strict:
            raise InvalidModelFile(f"{path.name}: file not found", file=path.name) from None
        return None
    except (OSError, ValueError, RecursionError, NotRegularFile) as exc:
        if strict:
            raise InvalidModelFile(
                f"{path.name}: unreadable JSON ({str(exc)[:120]})", file=path.name
            ) from None
        log.warning("ignoring %s: %s", path, str(exc)[:120])
        return None


def weight_map(index: dict[str, Any], name: str) -> dict[str, str]:
    wm = index.get("weight_map")
    if not isinstance(wm, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in wm.items()
    ):
        raise InvalidModelFile(
            f"{name}: no valid 'weight_map' (tensor name -> shard file)", file=name
        )
    return wm


def safe_shard_names(wm: dict[str, str]) -> list[str]:
    """Distinct shard file names in first-seen order, plain names only (no paths)."""
    out: list[str] = []
    for shard in wm.values():
        if shard not in out and "/" not in shard and "\\" not in shard and shard not in ("..", "."):
            out.append(shard)
    return out


def index_for_shard(shard: Path) -> Path | None:
    """The sibling *.index.json whose weight_map references this shard file."""
    m = SHARD_NAME.match(shard.name)
    if not m:
        return None
    try:
        candidates = sorted(p for p in shard.parent.iterdir() if p.name.endswith(INDEX_SUFFIX))
    except OSError:
        return None
    for cand in candidates:
        data = load_json(cand)
        wm = data.get("weight_map") if data else None
        if isinstance(wm, dict) and shard.name in set(wm.values()):
            return cand
    return None


def sibling_shards(shard: Path) -> list[Path]:
    m = SHARD_NAME.match(shard.name)
    if not m:
        return [shard]
    total = int(m.group("total"))
    names = [
        f"{m.group('stem')}-{i:05d}-of-{m.group('total')}.{m.group('ext')}"
        for i in range(1, min(total, settings.DETECT_MAX_SHARDS) + 1)
    ]
    return [shard.parent / n for n in names if (shard.parent / n).is_file()]


def transformers_config(folder: Path) -> dict[str, Any] | None:
    cfg = load_json(folder / CONFIG_JSON)
    if cfg and ("model_type" in cfg or "architectures" in cfg) and "_class_name" not in cfg:
        return cfg
    return None


def config_context_length(cfg: dict[str, Any]) -> int | None:
    text_config = cfg.get("text_config")
    for source in (cfg, text_config if isinstance(text_config, dict) else {}):
        for key in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
            value = source.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
    return None


def config_family(cfg: dict[str, Any]) -> str | None:
    mt = cfg.get("model_type")
    return mt.lower().replace("-", "_") if isinstance(mt, str) and mt else None


@dataclass(frozen=True)
class ByteSplit:
    """The pieces of a byte-split file present beside one of them. Only piece 1 has a header,
    and that header describes the joined file: its offsets run to the end of the last piece."""

    whole: str  # the joined file's name, e.g. "x.safetensors"
    index: int  # the piece that was asked about
    total: int | None  # from a `partNofM` name
    pieces: dict[int, Path]  # index -> piece present, in order
    size: int  # bytes of the present pieces together: the joined file's size when complete

    @property
    def first(self) -> Path | None:
        return self.pieces.get(1)

    def missing(self) -> list[int]:
        top = self.total if self.total is not None else max(self.pieces, default=0)
        return [i for i in range(1, top + 1) if i not in self.pieces]


def joined_name(name: str) -> str:
    """The name of the whole file a byte-split piece belongs to (`x.safetensors.part2` →
    `x.safetensors`); any other name as it is."""
    m = PART_NAME.match(name)
    return m.group("whole") if m else name


def byte_split(path: Path) -> ByteSplit | None:
    """The byte-split set `path` is a piece of (`.partN` / `.partNofM` name), else None."""
    m = PART_NAME.match(path.name)
    if m is None:
        return None
    whole, total = m.group("whole"), m.group("total")
    pieces: dict[int, Path] = {}
    try:
        names = os.listdir(path.parent)
    except OSError:
        names = [path.name]
    for name in names:
        other = PART_NAME.match(name)
        if (
            other is not None
            and other.group("whole") == whole
            and (other.group("total") and int(other.group("total"))) == (total and int(total))
        ):
            pieces.setdefault(int(other.group("index")), path.parent / name)
    size = 0
    for piece in pieces.values():
        with contextlib.suppress(OSError):
            size += piece.stat().st_size
    return ByteSplit(
        whole=whole,
        index=int(m.group("index")),
        total=int(total) if total else None,
        pieces=dict(sorted(pieces.items())),
        size=size,
    )
