"""Sharded-set file names and completeness (plan-catalogue §1.17).

Three patterns: `<base>-NNNNN-of-MMMMM.<ext>` (Hugging Face / gguf-split), `<base>.<ext>.partN`
(optionally `partNofM`) and `<base>_NNNNN.<ext>` (exactly 5 digits; a group only when more
than one such file exists). The `*.index.json` of a set is `<base>.<ext>.index.json`."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tensorshelf import settings

log = logging.getLogger(__name__)

ShardKind = Literal["of", "part", "underscore"]

_OF = re.compile(r"^(?P<base>.+)-(?P<idx>\d{1,6})-of-(?P<tot>\d{1,6})\.(?P<ext>[A-Za-z0-9]+)$")
_PART = re.compile(
    r"^(?P<base>.+)\.(?P<ext>[A-Za-z0-9]+)\.part(?P<idx>\d{1,4})"
    r"(?:of(?P<tot>\d{1,4}))?$",
    re.IGNORECASE,
)
_UNDERSCORE = re.compile(r"^(?P<base>.+)_(?P<idx>\d{5})\.(?P<ext>[A-Za-z0-9]+)$")
INDEX_JSON_SUFFIX = ".index.json"


@dataclass(frozen=True)
class ShardName:
    base: str
    ext: str
    index: int
    total: int | None
    kind: ShardKind

    def group_key(self) -> tuple[str, str, str, int | None]:
        return (self.base, self.ext.lower(), self.kind, self.total)

    @property
    def index_json_name(self) -> str:
        return f"{self.base}.{self.ext}{INDEX_JSON_SUFFIX}"

    @property
    def carries_header(self) -> bool:
        """`.partN` pieces after the first are raw byte ranges with no header of their own."""
        return self.kind != "part" or self.index == 1


def parse_shard_name(name: str) -> ShardName | None:
    """The shard fields of a file name, or None if it is not named like a shard."""
    match = _OF.match(name)
    if match:
        idx, tot = int(match["idx"]), int(match["tot"])
        if 1 <= idx <= tot and tot > 1:
            return ShardName(match["base"], match["ext"], idx, tot, "of")
        return None
    match = _PART.match(name)
    if match:
        part_total = int(match["tot"]) if match["tot"] else None
        return ShardName(match["base"], match["ext"], int(match["idx"]), part_total, "part")
    match = _UNDERSCORE.match(name)
    if match:
        return ShardName(match["base"], match["ext"], int(match["idx"]), None, "underscore")
    return None


def siblings(directory: Path, shard: ShardName, names: list[str]) -> dict[int, str]:
    """Every file name in `names` (a listing of `directory`) of the same set, by index."""
    key = shard.group_key()
    found: dict[int, str] = {}
    for name in names:
        other = parse_shard_name(name)
        if other is not None and other.group_key() == key and other.index not in found:
            found[other.index] = name
    return dict(sorted(found.items()))


def missing_indices(shard: ShardName, found: dict[int, str]) -> list[int]:
    """Shard indices missing from `found` (1…total; or gaps below the highest seen)."""
    top = shard.total if shard.total is not None else max(found, default=0)
    first = 1 if shard.kind != "underscore" else min(found, default=1)
    return [i for i in range(first, top + 1) if i not in found]


def is_index_json(name: str) -> bool:
    return name.lower().endswith(INDEX_JSON_SUFFIX)


def read_weight_map(path: Path) -> list[str]:
    """The distinct file names an `*.index.json` maps tensors to (in first-seen order).

    Unreadable, oversized or malformed files give an empty list (and a log line); the
    names are returned as written — the caller checks them with `safe_relative_path`."""
    try:
        if path.stat().st_size > settings.INDEX_JSON_MAX_BYTES:
            log.warning("%s is too large to be a shard index", path)
            return []
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        log.warning("cannot read shard index %s: %s", path, exc)
        return []
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict):
        return []
    seen: dict[str, None] = {}
    for value in weight_map.values():
        if isinstance(value, str) and value:
            seen.setdefault(value, None)
    return list(seen)
