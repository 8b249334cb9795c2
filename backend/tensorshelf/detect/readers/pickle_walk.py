"""A PyTorch state dict's tensor table, read from a pickle WITHOUT unpickling it.

pickle_vm/pickle_run walk the opcodes (nothing imported, nothing called); this module finds the
state
dict in the result — unwrapping {"state_dict": ...}, {"params_ema": ...} and similar
containers — and flattens nested dicts ("string_to_param.*") into tensor names.
"""

from __future__ import annotations

import math
from typing import Any

from tensorshelf.detect.readers.pickle_run import walk_pickle, walk_pickle_at
from tensorshelf.detect.readers.pickle_vm import NeedMore, Opaque, PickleWalkError, TensorRef
from tensorshelf.detect.tensors import TensorInfo, TensorTable

__all__ = [
    "NeedMore",
    "Opaque",
    "PickleWalkError",
    "state_dict_table",
    "walk_pickle",
    "walk_pickle_at",
]

STATE_DICT_WRAPPERS = (
    "params_ema",
    "params",
    "state_dict",
    "model_state_dict",
    "module",
    "model",
    "net",
    "generator",
    "g_ema",
)
_MAX_FLATTEN_DEPTH = 6


def _flatten(obj: dict[Any, Any], prefix: str, out: dict[str, TensorInfo], depth: int) -> None:
    new, info_cls, prod = tuple.__new__, TensorInfo, math.prod
    for key, value in obj.items():
        if not isinstance(key, (str, int)):
            continue
        name = f"{prefix}{key}"
        if type(value) is TensorRef:
            shape = value.shape
            out[name] = new(info_cls, (value.dtype, shape, prod(shape)))
        elif isinstance(value, dict) and depth < _MAX_FLATTEN_DEPTH:
            _flatten(value, name + ".", out, depth + 1)


def state_dict_table(root: Any) -> tuple[TensorTable, str | None]:
    """The tensor table of a walked checkpoint, unwrapping {"state_dict": ...}-style
    containers. Returns (table, wrapper key used or None)."""
    if not isinstance(root, dict):
        return TensorTable(), None
    for key in STATE_DICT_WRAPPERS:
        inner = root.get(key)
        if isinstance(inner, dict):
            out: dict[str, TensorInfo] = {}
            _flatten(inner, "", out, 0)
            if out:
                return TensorTable(out), key
    out = {}
    _flatten(root, "", out, 0)
    return TensorTable(out), None
