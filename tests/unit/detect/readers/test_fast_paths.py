"""The detector's fast paths give exactly the answers of the plain ones they replace:
numpy stepping over GGUF string arrays, the ':'-count duplicate-key proof of safetensors
headers, lazily converted header entries, the inline pickle opcodes, and a re-entrant pause
of the garbage collector."""

from __future__ import annotations

import gc
import io
import json
import pickle
import random
import struct
import threading
from typing import Any

import pytest

from tensorshelf.detect.gc_pause import gc_paused
from tensorshelf.detect.readers import gguf_strings
from tensorshelf.detect.readers.pickle_run import run
from tensorshelf.detect.readers.pickle_vm import Machine, NeedMore, PickleWalkError
from tensorshelf.detect.readers.pickle_walk import walk_pickle_at
from tensorshelf.detect.readers.safetensors import parse_safetensors
from tensorshelf.detect.tensors import HeaderInfos, TensorInfo, TensorTable
from tensorshelf.errors import InvalidModelFile

NAME = "fast.safetensors"


def _string_array(rng: random.Random, items: int, hostile: bool) -> bytes:
    out = []
    for _ in range(items):
        r = rng.random()
        if r < 0.03:
            s = b""  # empty strings: their length field is all zeros
        elif r < 0.06:
            s = b"\0" + bytes(rng.randrange(1, 256) for _ in range(rng.randrange(4)))
        elif r < 0.08:
            s = bytes(rng.randrange(1, 256) for _ in range(rng.randrange(256, 2000)))
        else:
            s = bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 24)))
        out.append(struct.pack("<Q", len(s)) + s)
    buf = b"".join(out)
    if hostile:
        at = rng.randrange(len(buf) - 8)
        big = rng.choice([2**63 + 5, 2**64 - 1, 10**9, len(buf)])
        buf = buf[:at] + struct.pack("<Q", big) + buf[at + 8 :]
    return buf


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_string_walk_equals_the_plain_loop(seed: int) -> None:
    rng = random.Random(seed)
    buf = _string_array(rng, rng.randrange(2000, 9000), hostile=seed % 4 == 3)
    if seed % 3 == 1:
        buf = buf[: rng.randrange(len(buf))]  # cut inside an item, as at a buffer's end
    assert len(buf) >= 16 * 1024 or seed % 3 == 1
    for _ in range(6):
        off = rng.randrange(0, 40)
        limit = rng.choice([1, 2, 17, 5000, 10**6])
        assert gguf_strings.walk(buf, off, limit) == gguf_strings.walk_plain(buf, off, limit)


def test_string_walk_stops_at_a_length_field_cut_by_the_buffer() -> None:
    item = struct.pack("<Q", 5) + b"hello"
    buf = item * 3000 + struct.pack("<Q", 3)[:5]
    walked, pos = gguf_strings.walk(buf, 0, 10**6)
    assert (walked, pos) == (3000, 3000 * len(item))


def _header(obj: dict[str, Any] | str, data: int = 64) -> bytes:
    raw = (obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0" * data


def _parse(blob: bytes) -> Any:
    return parse_safetensors(io.BytesIO(blob), len(blob), NAME)


ENTRY = '{"dtype":"F16","shape":[4],"data_offsets":[%d,%d]}'


@pytest.mark.parametrize(
    "text",
    [
        # ':' inside metadata strings does not hide a duplicate tensor name
        '{"__metadata__":{"a":"x:y"},"t":' + ENTRY % (0, 8) + ',"t":' + ENTRY % (8, 16) + "}",
        # nor does a ':' written as an escape, which a plain count cannot see
        '{"__metadata__":{"a":"x\\u003ay"},"t":' + ENTRY % (0, 8) + ',"t":' + ENTRY % (8, 16) + "}",
        '{"a:b":' + ENTRY % (0, 8) + ',"a:b":' + ENTRY % (8, 16) + "}",
        '{"__metadata__":{"a":"x","a":"z:"},"t":' + ENTRY % (0, 8) + "}",
    ],
)
def test_duplicates_are_found_through_colons_in_strings(text: str) -> None:
    with pytest.raises(InvalidModelFile, match="duplicate key"):
        _parse(_header(text))


def test_colons_in_metadata_and_names_are_not_duplicates() -> None:
    h = _parse(
        _header(
            {
                "__metadata__": {"k:1": "a:b:c", "ss_x": '{"q": 1}'},
                "te:layer.weight": {"dtype": "F16", "shape": [4], "data_offsets": [0, 8]},
            }
        )
    )
    assert h.metadata == {"k:1": "a:b:c", "ss_x": '{"q": 1}'}
    assert list(h.table) == ["te:layer.weight"]


def test_header_entries_read_like_a_dict_of_tensor_infos() -> None:
    header = {
        "b": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "a": {"dtype": "BF16", "shape": [], "data_offsets": [24, 26]},
    }
    h = _parse(_header(header))
    infos = h.table.tensors
    assert isinstance(infos, HeaderInfos)
    plain = {"b": TensorInfo("F32", (2, 3), 6), "a": TensorInfo("BF16", (), 1)}
    assert dict(infos) == plain and list(infos) == ["b", "a"]
    assert infos.get("a") == plain["a"] and infos.get("zz") is None and "b" in infos
    assert h.table.shape("b") == (2, 3) and h.table.dim("b", -1) == 3
    assert h.table.parameter_count() == 7
    assert h.table.bytes_by_dtype() == TensorTable(plain).bytes_by_dtype() == {"F32": 24, "BF16": 2}
    merged = h.table.merged(TensorTable({"c": TensorInfo("F16", None)}))
    assert merged.parameter_count() is None and merged.shape("b") == (2, 3)


def test_unordered_offsets_still_detect_an_overlap() -> None:
    header = {
        "x": {"dtype": "F16", "shape": [4], "data_offsets": [8, 16]},
        "y": {"dtype": "F16", "shape": [8], "data_offsets": [0, 16]},
    }
    with pytest.raises(InvalidModelFile, match="overlap"):
        _parse(_header(header))


@pytest.mark.parametrize("proto", range(6))
def test_inline_opcodes_resume_after_more_bytes(proto: int) -> None:
    data = pickle.dumps(
        {
            "w": [1, 300, 70000, -5, ("a", None, True, False)],
            "s": "ü" * 3,
            "n": {"x": (1, 2), "y": ()},
        },
        protocol=proto,
    )
    chunks = iter(data[i : i + 7] for i in range(7, len(data), 7))
    value, end = walk_pickle_at(data[:7], 0, more=lambda: next(chunks, b""))
    assert end == len(data)
    assert value == {
        "w": [1, 300, 70000, -5, ("a", None, True, False)],
        "s": "ü" * 3,
        "n": {"x": (1, 2), "y": ()},
    }


def test_need_more_rewinds_to_the_unfinished_opcode() -> None:
    data = b"\x80\x02X\x05\x00\x00\x00ab"  # BINUNICODE of 5 bytes, only 2 there
    m = Machine(data, 0)
    with pytest.raises(NeedMore, match="inside an argument at 7"):
        run(m, 100)
    assert (m.pos, m.ops) == (2, 1)  # PROTO done, BINUNICODE not
    m.data += b"cde."
    assert run(m, 100) == "abcde"


def test_malformed_inline_opcode_reports_its_position() -> None:
    with pytest.raises(PickleWalkError, match="malformed pickle at 8: .utf-8"):
        walk_pickle_at(b"\x80\x02X\x01\x00\x00\x00\xff.", 0)


def test_gc_pause_is_reentrant_and_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # never switched on behind the back of whoever stopped it
    finally:
        gc.enable()


def test_gc_pause_across_threads_ends_enabled() -> None:
    inside = threading.Barrier(2)

    def work() -> None:
        with gc_paused():
            inside.wait()
            inside.wait()

    t = threading.Thread(target=work)
    t.start()
    with gc_paused():
        inside.wait()
    assert not gc.isenabled()  # the other thread is still inside its pause
    inside.wait()
    t.join()
    assert gc.isenabled()
