"""Bounded safetensors header reader: 8-byte little-endian length, then a JSON object.

Never reads the data region. The length is checked against the file size and
settings.SAFETENSORS_MAX_HEADER_BYTES *before* anything is allocated; every tensor entry is
validated (known dtype, non-negative integer shape, offsets inside the file and matching the
shape). Anything malformed raises InvalidModelFile naming the file and the problem.

Speed: the header is decoded once (json.loads on the text), then one tight pass over the
entries validates them and sums element counts per dtype (kept on the table, so precision and
parameter count need no second pass); entries become TensorInfo only when a classifier looks
at them. Duplicate keys (which json.loads would silently collapse) are ruled out by counting
':' or key tokens in the text; only a header that could hold one is parsed again with the
exact (slower) duplicate check.
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
from tensorshelf.detect.tensors import DTYPE_BITS, HeaderInfos, TensorTable
from tensorshelf.errors import InvalidModelFile

LENGTH_BYTES = 8
METADATA_KEY = "__metadata__"
_MAX_NUMEL = 1 << 62
_WS_COLON = re.compile(r'"\s+:')
_FUTURE_DTYPE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")  # an unknown but well-formed dtype name
_ENTRY_KEYS = 3  # dtype, shape, data_offsets


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


def _key_tokens(text: str) -> int | None:
    """The number of object keys in the JSON text (deeper keys included: an overcount only
    sends a header to the exact check), or None when it cannot be counted exactly.
    Without whitespace before a colon, each key token ends in '":'; a '":' inside a string
    always has its quote escaped ('\\":'), so subtracting those counts the keys exactly,
    unless a key ends in an escaped backslash ('\\\\":'), which is left to the exact path."""
    if _WS_COLON.search(text):
        return None
    keys = text.count('":')
    if "\\" in text:  # escapes present (one fast scan decides whether to look closer)
        if '\\\\":' in text:
            return None
        keys -= text.count('\\":')
    return keys


def read_safetensors_header(
    path: str | os.PathLike[str], file_size: int | None = None
) -> SafetensorsHeader:
    """`file_size` overrides the file's own size (the first piece of a byte-split file, whose
    header describes the joined file)."""
    p = Path(path)
    with open(p, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size if file_size is None else file_size
        return parse_safetensors(f, size, p.name)


def _bad(name: str, what: str) -> InvalidModelFile:
    return InvalidModelFile(f"{name}: invalid safetensors header: {what}", file=name)


def _read_exact(f: BinaryIO, n: int, name: str, done: int = 0) -> bytes:
    """n bytes from f; `done` = how many of the header's bytes the caller already holds
    (only for the message of a short read)."""
    chunks: list[bytes] = []
    left = n
    while left:
        chunk = f.read(min(left, settings.DETECT_READ_CHUNK_BYTES))
        if not chunk:
            raise _bad(name, f"file ends inside the header ({done + n - left} of {done + n} bytes)")
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_safetensors(f: BinaryIO, file_size: int, name: str) -> SafetensorsHeader:
    """Parse from an open binary file positioned at 0."""
    return parse_safetensors_after(f, b"", file_size, name)


def parse_safetensors_after(
    f: BinaryIO, head: bytes, file_size: int, name: str
) -> SafetensorsHeader:
    """Parse from an open binary file whose first bytes `head` were already read (the file
    position is just after them): one open and no byte read twice for sniff + header."""
    if len(head) < LENGTH_BYTES:
        head += f.read(LENGTH_BYTES - len(head))
    if len(head) < LENGTH_BYTES:
        raise _bad(name, f"file is {file_size} bytes, shorter than the 8-byte length prefix")
    (n,) = struct.unpack_from("<Q", head)
    if n < 2:
        raise _bad(name, f"header length {n} is too small for a JSON object")
    if n > settings.SAFETENSORS_MAX_HEADER_BYTES:
        raise _bad(
            name,
            f"header length {n} exceeds the limit of {settings.SAFETENSORS_MAX_HEADER_BYTES} bytes",
        )
    if LENGTH_BYTES + n > file_size:
        raise _bad(name, f"header length {n} runs past the end of the {file_size}-byte file")
    have = head[LENGTH_BYTES : LENGTH_BYTES + n]
    raw = have + _read_exact(f, n - len(have), name, len(have)) if len(have) < n else have
    table, metadata = parse_header_json(raw, file_size - LENGTH_BYTES - n, name)
    return SafetensorsHeader(
        table=table, metadata=metadata, header_bytes_read=LENGTH_BYTES + n, file_size=file_size
    )


def parse_header_json(raw: bytes, data_size: int, name: str) -> tuple[TensorTable, dict[str, str]]:
    """(tensor table, embedded metadata) of the header's JSON bytes."""
    text, header = _decode(raw, name)
    top_keys = len(header)
    try:
        meta_value = header.pop(METADATA_KEY, None)
        metadata = _metadata(meta_value, name)
        table, entry_keys = _tensors(header, data_size, name)
    except InvalidModelFile:
        _check_unique(text, name)  # a duplicate key is the first thing to report
        raise
    expected = top_keys + entry_keys + (len(meta_value) if type(meta_value) is dict else 0)
    if not _surely_unique(text, expected, meta_value, table):
        _check_unique(text, name)
    return table, metadata


def _surely_unique(text: str, keys: int, meta_value: Any, table: TensorTable) -> bool:
    """True only if the header text provably repeats no key, where `keys` is how many keys
    the decoded header object and its entries hold.

    Every ':' of valid JSON either ends a key (one per key token, at any depth) or is a
    character of a string. If no ':' is written as an escape (\\u003a), each string token
    holds as many ':' as its decoded string. So text.count(":") >= key tokens + the ':' of
    the decoded strings we count, with equality only if there is no key token beyond
    `keys` (a duplicate would be one). Metadata often holds ':' (kohya's JSON-in-strings),
    hence the second test; the key-token count is the last resort before a second parse."""
    colons = text.count(":")
    if colons == keys:
        return True
    if "\\" not in text or ("\\u003a" not in text and "\\u003A" not in text):
        known = table.count_in_names(":")
        if type(meta_value) is dict:
            for k, v in meta_value.items():
                known += k.count(":") + (v.count(":") if type(v) is str else 0)
        if colons == keys + known:
            return True
    return _key_tokens(text) == keys


def _check_unique(text: str, name: str) -> None:
    """The exact (slow) duplicate-key check: parse again, watching every object's keys."""
    try:
        json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise _bad(name, f"duplicate key {str(exc)[:80]!r}") from None
    except RecursionError:
        raise _bad(name, "header JSON is nested too deeply") from None
    except ValueError as exc:
        raise _bad(name, f"header is not valid JSON ({str(exc)[:120]})") from None


def _decode(raw: bytes, name: str) -> tuple[str, dict[str, Any]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(name, f"header is not UTF-8 (byte {exc.start})") from None
    if not text.lstrip().startswith("{"):
        raise _bad(name, "header is not a JSON object")
    try:
        obj = json.loads(text)
    except RecursionError:
        raise _bad(name, "header JSON is nested too deeply") from None
    except ValueError as exc:
        raise _bad(name, f"header is not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(obj, dict):
        raise _bad(name, "header is not a JSON object")
    return text, obj


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


def _tensors(header: dict[str, Any], data_size: int, name: str) -> tuple[TensorTable, int]:
    """The validated table (entries become TensorInfo only when looked at), and the number of
    keys seen in the entries (for the duplicate check). One tight pass; any entry off the
    common path goes through _check_entry, which raises the exact error."""
    elements: dict[str, int] = {}
    bits_of = DTYPE_BITS.get
    prod = math.prod
    prev_end = run_numel = 0
    run_dtype = None  # element counts are summed per run of equal dtypes, then per dtype
    ordered = True  # non-empty spans follow each other in header order: no overlap possible
    for tname, entry in header.items():
        try:
            dtype = entry["dtype"]
            shape = entry["shape"]
            begin, end = entry["data_offsets"]
            bits = bits_of(dtype)
        except (KeyError, TypeError, ValueError):
            _check_entry(tname, entry, data_size, name)
            raise AssertionError("unreachable") from None  # _check_entry raised
        if type(shape) is not list:
            _check_entry(tname, entry, data_size, name)  # raises
        for d in shape:
            if type(d) is not int or d < 0:
                _check_entry(tname, entry, data_size, name)  # raises
        numel = prod(shape)
        # bits is not None only for a known dtype name (so dtype is a str)
        if (
            bits is None
            or type(begin) is not int
            or type(end) is not int
            or begin < 0
            or end > data_size
            or numel > _MAX_NUMEL
            or (numel * bits + 7) // 8 != end - begin
        ):
            _check_entry(tname, entry, data_size, name)  # raises, or accepts a future dtype
        if dtype == run_dtype:
            run_numel += numel
        else:
            if run_dtype is not None:
                elements[run_dtype] = elements.get(run_dtype, 0) + run_numel
            run_dtype, run_numel = dtype, numel
        if end > begin:
            if begin < prev_end:
                ordered = False
            prev_end = end
    if run_dtype is not None:
        elements[run_dtype] = elements.get(run_dtype, 0) + run_numel
    if not ordered:  # the spans do not follow each other in header order: sort, then look
        spans = sorted(
            (*e["data_offsets"], n)
            for n, e in header.items()
            if e["data_offsets"][1] > e["data_offsets"][0]
        )
        prev_end, prev_name = 0, ""
        for begin, end, tname in spans:
            if begin < prev_end:
                raise _bad(name, f"tensors {prev_name[:80]!r} and {tname[:80]!r} overlap")
            prev_end, prev_name = end, tname
    table = TensorTable(HeaderInfos(header))
    table.set_stats(sum(elements.values()), elements)
    return table, sum(map(len, header.values()))  # every entry is a dict by now


def _check_entry(tname: str, entry: Any, data_size: int, name: str) -> None:
    """Validate one entry field by field: raises the exact error, or returns for an entry that
    is valid but off the fast path (a well-formed future dtype, whose size is not checked)."""
    if type(entry) is not dict:
        raise _bad(name, f"tensor {tname[:80]!r} is not an object")
    try:
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    except KeyError as exc:
        raise _bad(name, f"tensor {tname[:80]!r} has no {exc.args[0]}") from None
    bits = DTYPE_BITS.get(dtype) if type(dtype) is str else None
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
        raise _bad(
            name,
            f"tensor {tname[:80]!r} ends at data offset {end}, past the end of "
            f"the {data_size}-byte data region (truncated file?)",
        )
    numel = math.prod(shape)
    if numel > _MAX_NUMEL:
        raise _bad(name, f"tensor {tname[:80]!r} has an absurd shape")
    if bits is not None and (numel * bits + 7) // 8 != end - begin:
        raise _bad(
            name,
            f"tensor {tname[:80]!r}: {dtype} {shape} needs "
            f"{(numel * bits + 7) // 8} bytes but data_offsets span {end - begin}",
        )
