"""A format-neutral view of a tensor table: name -> (dtype, shape in PyTorch order).

Every reader (safetensors, GGUF, pickle walk, `*.index.json`) produces one of these so the
classifiers see the same thing whatever the container. A shape may be unknown (`None`) when
only the names are known (an index.json without its shards).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

UNKNOWN_DTYPE = "?"

# Bits per element of the safetensors dtypes (and the plain ggml float/int types).
DTYPE_BITS: dict[str, int] = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E4M3": 8,
    "F8_E5M2": 8,
    "F8_E8M0": 8,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "F4": 4,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "I64": 64,
    "U64": 64,
    "F64": 64,
    "C64": 64,
}


class TensorInfo(NamedTuple):
    dtype: str
    shape: tuple[int, ...] | None  # PyTorch order; None = unknown
    numel: int | None = None  # element count (computed from shape when not given)


def tensor_info(dtype: str, shape: tuple[int, ...] | None) -> TensorInfo:
    return TensorInfo(dtype, shape, None if shape is None else math.prod(shape))


class HeaderInfos(Mapping[str, TensorInfo]):
    """name -> TensorInfo over the entries of an already validated safetensors header
    ({"dtype", "shape", "data_offsets"} dicts), converted only when one is looked at: the
    classifiers read the names and a few shapes, so the thousands of other entries of a big
    header are never turned into TensorInfo objects."""

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[str, dict[str, Any]]) -> None:
        self._raw = raw

    def __getitem__(self, name: str) -> TensorInfo:
        entry = self._raw[name]
        shape = tuple(entry["shape"])
        return TensorInfo(entry["dtype"], shape, math.prod(shape))

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def get(self, name: str, default: Any = None) -> Any:
        entry = self._raw.get(name)
        if entry is None:
            return default
        shape = tuple(entry["shape"])
        return TensorInfo(entry["dtype"], shape, math.prod(shape))

    def shape_of(self, name: str) -> tuple[int, ...] | None:
        entry = self._raw.get(name)
        return None if entry is None else tuple(entry["shape"])

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class TensorTable:
    """Tensors by name, in file order."""

    tensors: Mapping[str, TensorInfo] = field(default_factory=dict)
    _blob_cache: str | None = field(default=None, repr=False, compare=False)
    _blob_size: int = field(default=-1, repr=False, compare=False)
    # element counts summed by a reader while it built the table (see set_stats)
    _numel_total: int | None = field(default=None, repr=False, compare=False)
    _elements: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _stats_size: int = field(default=-1, repr=False, compare=False)
    _lines_are_names: bool = field(default=False, repr=False, compare=False)
    _lines_size: int = field(default=-1, repr=False, compare=False)

    def set_stats(self, numel_total: int | None, elements: dict[str, int]) -> None:
        """Record what parameter_count() and bytes_by_dtype() would compute (total element
        count, None if a shape is unknown; elements per dtype of the tensors with a known
        shape, in first-seen order), so they need no second pass over a big table."""
        self._numel_total, self._elements = numel_total, elements
        self._stats_size = len(self.tensors)

    def __len__(self) -> int:
        return len(self.tensors)

    def __contains__(self, name: object) -> bool:
        return name in self.tensors

    def __iter__(self) -> Iterator[str]:
        return iter(self.tensors)

    def items(self) -> Iterable[tuple[str, TensorInfo]]:
        return self.tensors.items()

    def values(self) -> Iterable[TensorInfo]:
        return self.tensors.values()

    def shape(self, name: str) -> tuple[int, ...] | None:
        tensors = self.tensors
        if type(tensors) is HeaderInfos:
            return tensors.shape_of(name)
        info = tensors.get(name)
        return None if info is None else info.shape

    def dim(self, name: str, index: int) -> int | None:
        """One dimension of a tensor's shape (negative index allowed), or None."""
        shape = self.shape(name)
        if not shape or not -len(shape) <= index < len(shape):
            return None
        return shape[index]

    @property
    def _blob(self) -> str:
        """All names as "\nname1\nname2\n": prefix and suffix queries become C-level
        substring searches instead of Python loops over thousands of names."""
        if self._blob_cache is None or self._blob_size != len(self.tensors):
            self._blob_cache = "\n" + "\n".join(self.tensors) + "\n"
            self._blob_size = len(self.tensors)
        return self._blob_cache

    def scan(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Matches of `pattern` over "\nname1\nname2\n" (anchor names with "\n")."""
        return pattern.finditer(self._blob)

    def count_in_names(self, text: str) -> int:
        """Occurrences of `text` (without a newline) in all the names together."""
        return self._blob.count(text)

    def contains_any(self, fragments: Iterable[str]) -> bool:
        """True if some name holds one of the fragments ("\n" stands for a name's end)."""
        blob = self._blob
        return any(f in blob for f in fragments)

    def first_containing(self, marker: str) -> tuple[str, int] | None:
        """(name, position of `marker` in it) of the first name in file order that contains
        `marker`, found by one C-level search (a Python loop over the names only if some
        name itself holds a newline, where the blob's lines are not the names)."""
        blob = self._blob
        at = blob.find(marker)
        if at < 0:
            return None
        if self._lines_size != len(self.tensors):
            self._lines_are_names = blob.count("\n") == len(self.tensors) + 1
            self._lines_size = len(self.tensors)
        if not self._lines_are_names:
            for n in self.tensors:
                i = n.find(marker)
                if i >= 0:
                    return n, i
            return None
        start = blob.rfind("\n", 0, at) + 1
        return blob[start : blob.index("\n", at)], at - start

    def has_prefix(self, prefix: str) -> bool:
        return ("\n" + prefix) in self._blob

    def count_prefix(self, prefix: str) -> int:
        return self._blob.count("\n" + prefix)

    def first(self, suffix: str, prefix: str = "") -> str | None:
        """The first tensor name that starts with `prefix` and ends with `suffix`."""
        blob = self._blob
        needle = suffix + "\n"
        at = blob.find(needle, 1)
        while at >= 0:
            start = blob.rfind("\n", 0, at + len(suffix)) + 1
            if start <= at or not suffix:
                name = blob[start : at + len(suffix)]
                if name.startswith(prefix) and name in self.tensors:
                    return name
            at = blob.find(needle, at + 1)
        return None

    def count_blocks(self, prefix: str) -> int:
        """Number of distinct numbered children under `prefix` (e.g. 'double_blocks.')."""
        return len(set(re.findall("\n" + re.escape(prefix) + r"(\d+)", self._blob)))

    def sub(self, prefix: str) -> TensorTable:
        """The tensors under `prefix`, with the prefix removed."""
        cut = len(prefix)
        return TensorTable({n[cut:]: i for n, i in self.tensors.items() if n.startswith(prefix)})

    def parameter_count(self) -> int | None:
        """Sum of element counts; None if any shape is unknown."""
        if self._stats_size == len(self.tensors):
            return self._numel_total
        total = 0
        for info in self.tensors.values():
            if info.shape is None:
                return None
            total += info.numel if info.numel is not None else math.prod(info.shape)
        return total

    def bytes_by_dtype(self) -> dict[str, int]:
        """Storage per dtype, in bits/8 units (ggml block types count one byte per element)."""
        if self._stats_size == len(self.tensors) and self._elements is not None:
            return {d: n * DTYPE_BITS.get(d, 8) // 8 for d, n in self._elements.items()}
        elements: dict[str, int] = {}
        for dtype, shape, numel in self.tensors.values():
            if shape is not None:
                elements[dtype] = elements.get(dtype, 0) + (
                    numel if numel is not None else math.prod(shape)
                )
        return {d: n * DTYPE_BITS.get(d, 8) // 8 for d, n in elements.items()}

    def merged(self, other: TensorTable) -> TensorTable:
        """This table plus the other's tensors (names already present keep the known shape)."""
        out = dict(self.tensors)
        for n, i in other.tensors.items():
            if n not in out or out[n].shape is None:
                out[n] = i
        return TensorTable(out)
