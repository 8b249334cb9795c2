"""Bounded safetensors header reader: 8-byte little-endian length, then a JSON object.

Never reads the data region. The length is checked against the file size and
settings.SAFETENSORS_MAX_HEADER_BYTES *before* anything is allocated; every tensor entry is
validated (known dtype, non-negative integer shape, offsets inside the file and matching the
shape). Anything malformed raises InvalidModelFile naming the file and the problem.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from tensorshelf import settings
from tensorshelf.detect.tensors import DTYPE_BITS, TensorInfo, TensorTable
from tensorshelf.errors import InvalidModelFile

LENGTH_BYTES = 8
METADATA_KEY = "__metadata__"
_MAX_NUMEL = 1 << 62
_WS_COLON = re.compile(r'"\s+:')
_FUTURE_DTYPE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")  # an unknown but well-formed dtype name


@dataclass
class SafetensorsHeader:
    table: TensorTable
    metadata: dict[str, str] = field(default_factory=dict)
    header_bytes_read: int = 0
    file_size: int = 0


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return out


def _surely_unique(text: str, obj: dict[str, Any]) -> bool:
    """True only if the JSON text provably has no duplicate key among the header's and the
    tensor entries' keys. Without whitespace before a colon, each key token ends in '":'; a
    '":' inside a string always has its quote escaped ('\\":'), so subtracting those counts
    the keys exactly, unless a key ends in an escaped backslash ('\\\\":'), which we
    leave to the exact path. Deeper keys are not counted: undercounting is safe."""
    if _WS_COLON.search(text):
        return False
    keys = text.count('":')
    if "\\" in text:  # escapes present (one fast scan decides whether to look closer)
        if '\\\\":' in text:
            return False
        keys -= text.count('\\":')
    return keys == len(obj) + sum(len(v) for v in obj.values() if type(v) is dict)


def read_safetensors_header(path: str | os.PathLike[str]) -> SafetensorsHeader:
    p = Path(path)
    with open(p, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size
        return parse_safetensors(f, size, p.name)


def _bad(name: str, what: str) -> InvalidModelFile:
    return InvalidModelFile(f"{name}: invalid safetensors header: {what}", file=name)


def _read_exact(f: BinaryIO, n: int, name: str) -> bytes:
    chunks: list[bytes] = []
    left = n
    while left:
        chunk = f.read(min(left, settings.DETECT_READ_CHUNK_BYTES))
        if not chunk:
            raise _bad(name, f"file ends inside the header ({n - left} of {n} bytes)")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def parse_safetensors(f: BinaryIO, file_size: int, name: str) -> SafetensorsHeader:
    """Parse from an open binary file positioned at 0."""
    head = f.read(LENGTH_BYTES)
    if len(head) < LENGTH_BYTES:
        raise _bad(name, f"file is {file_size} bytes, shorter than the 8-byte length prefix")
    (n,) = struct.unpack("<Q", head)
    if n < 2:
        raise _bad(name, f"header length {n} is too small for a JSON object")
    if n > settings.SAFETENSORS_MAX_HEADER_BYTES:
        raise _bad(name, f"header length {n} exceeds the limit of "
                         f"{settings.SAFETENSORS_MAX_HEADER_BYTES} bytes")
    if LENGTH_BYTES + n > file_size:
        raise _bad(name, f"header length {n} runs past the end of the {file_size}-byte file")
    raw = _read_exact(f, n, name)
    header = _decode(raw, name)
    data_size = file_size - LENGTH_BYTES - n
    metadata = _metadata(header.pop(METADATA_KEY, None), name)
    table = _tensors(header, data_size, name)
    return SafetensorsHeader(table=table, metadata=metadata,
                             header_bytes_read=LENGTH_BYTES + n, file_size=file_size)


def _decode(raw: bytes, name: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(name, f"header is not UTF-8 (byte {exc.start})") from None
    if not text.lstrip().startswith("{"):
        raise _bad(name, "header is not a JSON object")
    try:
        obj = json.loads(text)
        if not isinstance(obj, dict) or not _surely_unique(text, obj):
            # Possible duplicate keys (plain json.loads keeps the last one silently): parse
            # again with the exact, slower duplicate check.
            obj = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise _bad(name, f"duplicate key {str(exc)[:80]!r}") from None
    except RecursionError:
        raise _bad(name, "header JSON is nested too deeply") from None
    except ValueError as exc:
        raise _bad(name, f"header is not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(obj, dict):
        raise _bad(name, "header is not a JSON object")
    return obj


def _metadata(value: Any, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(name, f"{METADATA_KEY} is a {type(value).__name__}, not an object")
    out: dict[str, str] = {}
    for k, v in value.items():
        # The format says string -> string; tolerate other JSON values as their JSON text.
        out[k] = v if isinstance(v, str) else json.dumps(v)
    return out


def _is_int(x: Any) -> bool:
    return type(x) is int  # bool is a subclass of int and not accepted


def _tensors(header: dict[str, Any], data_size: int, name: str) -> TensorTable:
    tensors: dict[str, TensorInfo] = {}
    spans: list[tuple[int, int, str]] = []
    bits_of = DTYPE_BITS.get
    prod = math.prod
    for tname, entry in header.items():
        if type(entry) is not dict:
            raise _bad(name, f"tensor {tname[:80]!r} is not an object")
        try:
            dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        except KeyError as exc:
            raise _bad(name, f"tensor {tname[:80]!r} has no {exc.args[0]}") from None
        bits = bits_of(dtype) if type(dtype) is str else None
        if bits is None and not (type(dtype) is str and _FUTURE_DTYPE.match(dtype)):
            raise _bad(name, f"tensor {tname[:80]!r} has an invalid dtype {str(dtype)[:20]!r}")
        if type(shape) is not list:
            raise _bad(name, f"tensor {tname[:80]!r} has an invalid shape")
        for d in shape:
            if type(d) is not int or d < 0:
                raise _bad(name, f"tensor {tname[:80]!r} has an invalid shape")
        if type(offsets) is not list or len(offsets) != 2:
            raise _bad(name, f"tensor {tname[:80]!r} has invalid data_offsets")
        begin, end = offsets
        if type(begin) is not int or type(end) is not int:
            raise _bad(name, f"tensor {tname[:80]!r} has invalid data_offsets")
        if begin < 0 or end < begin:
            raise _bad(name, f"tensor {tname[:80]!r} has data_offsets {begin}..{end} out of order")
        if end > data_size:
            raise _bad(name, f"tensor {tname[:80]!r} ends at data offset {end}, past the end of "
                             f"the {data_size}-byte data region (truncated file?)")
        numel = prod(shape)
        if numel > _MAX_NUMEL:
            raise _bad(name, f"tensor {tname[:80]!r} has an absurd shape")
        if bits is not None and (numel * bits + 7) // 8 != end - begin:
            raise _bad(name, f"tensor {tname[:80]!r}: {dtype} {shape} needs "
                             f"{(numel * bits + 7) // 8} bytes but data_offsets span {end - begin}")
        tensors[tname] = TensorInfo(dtype, tuple(shape), numel)
        if end > begin:
            spans.append((begin, end, tname))
    spans.sort()
    prev_end, prev_name = 0, ""
    for begin, end, tname in spans:
        if begin < prev_end:
            raise _bad(name, f"tensors {prev_name[:80]!r} and {tname[:80]!r} overlap")
        prev_end, prev_name = end, tname
    return TensorTable(tensors)
