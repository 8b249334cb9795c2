"""safetensors header reader: exact parsing of valid headers, a clear InvalidModelFile for
everything malformed (never another exception), and no allocation driven by hostile lengths."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tensorshelf import settings
from tensorshelf.detect.readers.safetensors import parse_safetensors, read_safetensors_header
from tensorshelf.errors import InvalidModelFile
from tests.fixtures.memory import peak_bytes_parsing

NAME = "fuzz.safetensors"
ALLOC_LIMIT = 2 * 1024 * 1024  # peak Python allocation allowed while rejecting a hostile header


def header_bytes(
    header: dict[str, Any] | str | bytes, data: int = 0, length: int | None = None
) -> bytes:
    raw = (
        header
        if isinstance(header, bytes)
        else (header if isinstance(header, str) else json.dumps(header)).encode()
    )
    n = len(raw) if length is None else length
    return struct.pack("<Q", n) + raw + b"\0" * data


def parse(blob: bytes, size: int | None = None) -> Any:
    return parse_safetensors(io.BytesIO(blob), len(blob) if size is None else size, NAME)


def good(n_tensors: int = 2) -> tuple[dict[str, Any], int]:
    header: dict[str, Any] = {"__metadata__": {"format": "pt", "modelspec.title": "x"}}
    off = 0
    for i in range(n_tensors):
        header[f"layer.{i}.weight"] = {
            "dtype": "F16",
            "shape": [4, 2],
            "data_offsets": [off, off + 16],
        }
        off += 16
    return header, off


def test_valid_header_is_read_exactly(tmp_path: Path) -> None:
    header, data = good(3)
    path = tmp_path / NAME
    path.write_bytes(header_bytes(header, data))
    h = read_safetensors_header(path)
    assert list(h.table) == ["layer.0.weight", "layer.1.weight", "layer.2.weight"]
    assert h.table.shape("layer.1.weight") == (4, 2)
    assert h.metadata == {"format": "pt", "modelspec.title": "x"}
    assert h.header_bytes_read == 8 + len(json.dumps(header))


@pytest.mark.parametrize(
    "blob,fragment",
    [
        (b"", "shorter than the 8-byte"),
        (b"\x05\x00", "shorter than the 8-byte"),
        (struct.pack("<Q", 2**63) + b"{}", "exceeds the limit"),
        (struct.pack("<Q", 2**64 - 1) + b"{}", "exceeds the limit"),
        (struct.pack("<Q", 1000) + b"{}", "past the end"),
        (struct.pack("<Q", 0), "too small"),
        (header_bytes(b'{"a": \xff}'), "not UTF-8"),
        (header_bytes("[1, 2]"), "not a JSON object"),
        (header_bytes("{not json}"), "not valid JSON"),
        (
            header_bytes(
                '{"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}, '
                '"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}',
                2,
            ),
            "duplicate key 'a'",
        ),
        (
            header_bytes({"t": {"dtype": "F16", "shape": [4], "data_offsets": [0, 8]}}, 4),
            "past the end of the 4-byte data region",
        ),
        (
            header_bytes({"t": {"dtype": "F16", "shape": [4], "data_offsets": [0, 6]}}, 8),
            "needs 8 bytes",
        ),
        (header_bytes({"t": {"dtype": "F16", "shape": [-1], "data_offsets": [0, 0]}}), "shape"),
        (
            header_bytes({"t": {"dtype": "F16", "shape": [True], "data_offsets": [0, 2]}}, 2),
            "shape",
        ),
        (header_bytes({"t": {"dtype": "f16", "shape": [1], "data_offsets": [0, 2]}}, 2), "dtype"),
        (
            header_bytes({"t": {"dtype": "F16", "shape": [1], "data_offsets": [2, 0]}}, 2),
            "out of order",
        ),
        (header_bytes({"t": {"dtype": "F16", "shape": [1]}}, 2), "data_offsets"),
        (header_bytes({"t": [1, 2]}), "not an object"),
        (header_bytes({"__metadata__": [1]}), "__metadata__"),
        (
            header_bytes(
                {
                    "a": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]},
                    "b": {"dtype": "F16", "shape": [2], "data_offsets": [2, 6]},
                },
                6,
            ),
            "overlap",
        ),
        (header_bytes("[" * 100000 + "]" * 100000), "not a JSON object"),
        (header_bytes('{"a":' + "[" * 100000 + "]" * 100000 + "}"), "JSON"),
        (
            header_bytes(
                '{"t": {"dtype": "F16", "shape": [' + "9" * 5000 + '], "data_offsets": [0, 2]}}'
            ),
            "JSON",
        ),
    ],
)
def test_malformed_headers_are_clear_errors(blob: bytes, fragment: str) -> None:
    with pytest.raises(InvalidModelFile) as info:
        parse(blob)
    assert NAME in info.value.message
    assert fragment in info.value.message


def test_absurd_length_does_not_allocate() -> None:
    blob = struct.pack("<Q", 2**63) + b"{" + b" " * 64
    tracemalloc.start()
    try:
        with pytest.raises(InvalidModelFile):
            parse(blob, size=2**62)  # even when the file claims to be that big
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < ALLOC_LIMIT


def test_length_just_over_the_limit_is_refused_before_reading() -> None:
    class NoRead(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            if n is not None and n > 8:
                raise AssertionError("tried to read the oversized header")
            return super().read(n)

    n = settings.SAFETENSORS_MAX_HEADER_BYTES + 1
    with pytest.raises(InvalidModelFile, match="exceeds the limit"):
        parse_safetensors(NoRead(struct.pack("<Q", n) + b"{}"), n + 100, NAME)


def test_unknown_future_dtype_is_tolerated_without_size_check() -> None:
    h = parse(header_bytes({"t": {"dtype": "F4E2M1", "shape": [8], "data_offsets": [0, 4]}}, 4))
    assert h.table.tensors["t"].dtype == "F4E2M1"


def test_non_string_metadata_is_kept_as_json_text() -> None:
    h = parse(header_bytes({"__metadata__": {"n": 3, "s": "x"}}))
    assert h.metadata == {"n": "3", "s": "x"}


# --- fuzzing ------------------------------------------------------------------------------------
def _mutations() -> st.SearchStrategy[bytes]:
    header, data = good(3)
    base = header_bytes(header, data)
    json_len = len(json.dumps(header))
    truncated = st.integers(0, len(base)).map(lambda n: base[:n])
    bad_length = st.integers(0, 2**64 - 1).map(lambda n: struct.pack("<Q", n) + base[8:])
    flipped = st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)).map(
        lambda t: base[: t[0]] + bytes([t[1]]) + base[t[0] + 1 :]
    )
    spliced = st.tuples(st.integers(8, 8 + json_len), st.binary(max_size=40)).map(
        lambda t: base[: t[0]] + t[1] + base[t[0] :]
    )
    return st.one_of(truncated, bad_length, flipped, spliced)


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False),
        st.text(max_size=8),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=12,
    )


def _entries() -> st.SearchStrategy[dict[str, Any]]:
    entry = st.fixed_dictionaries(
        {},
        optional={
            "dtype": st.one_of(
                st.sampled_from(["F16", "BF16", "F32", "I64", "F8_E4M3", "BOOL"]),
                st.text(max_size=5),
                st.integers(),
            ),
            "shape": st.one_of(st.lists(st.integers(-3, 2**40), max_size=4), _json_values()),
            "data_offsets": st.one_of(
                st.lists(st.integers(-5, 2**64), min_size=0, max_size=3), _json_values()
            ),
        },
    )
    return st.dictionaries(st.text(max_size=10), st.one_of(entry, _json_values()), max_size=5)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blob=st.one_of(st.binary(max_size=300), _mutations()))
def test_fuzz_bytes_only_invalid_model_file(blob: bytes) -> None:
    with contextlib.suppress(InvalidModelFile):
        parse(blob)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=_entries(), data=st.integers(0, 64), claimed=st.integers(0, 2**63))
def test_fuzz_structured_headers(header: dict[str, Any], data: int, claimed: int) -> None:
    raw = json.dumps(header).encode()
    for blob, size in ((header_bytes(raw, data), None), (header_bytes(raw, data), claimed)):
        try:
            h = parse(blob, size)
        except InvalidModelFile:
            continue
        for name, info in h.table.items():  # whatever passes is consistent
            assert isinstance(name, str) and info.shape is not None
            assert all(isinstance(d, int) and d >= 0 for d in info.shape)


@hsettings(max_examples=60, deadline=None)
@given(n=st.integers(2**20, 2**64 - 1))
def test_fuzz_huge_lengths_never_allocate(n: int) -> None:
    blob = struct.pack("<Q", n) + b'{"a":1}'
    assert peak_bytes_parsing(lambda: parse(blob, size=min(n, 2**63))) < ALLOC_LIMIT


@pytest.mark.parametrize(
    "text",
    [
        (
            '{"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}, '
            '"a" : {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}'
        ),  # space before colon
        '{"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2], "dtype": "F32"}}',
        '{"__metadata__": {"k": "v", "k": "w"}}',
        '{"__metadata__": {"x": "\\":\\":"}, "__metadata__": {}}',  # '":' inside a value
    ],
)
def test_duplicates_are_found_whatever_the_spacing(text: str) -> None:
    with pytest.raises(InvalidModelFile, match="duplicate key"):
        parse(header_bytes(text, 2))


def test_colon_sequences_inside_values_are_not_duplicates() -> None:
    h = parse(header_bytes('{"__metadata__": {"x": "\\":\\":\\":", "y": "a\\" : b"}}'))
    assert h.metadata == {"x": '":":":', "y": 'a" : b'}


def test_real_headers_take_the_fast_duplicate_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kohya metadata holds JSON inside strings ('\\":'); that must not force the slow path."""
    from tensorshelf.detect.readers import safetensors as safetensors_header
    from tests.fixtures.detect_files import make_model_file

    path = make_model_file("lora_sdxl_kohya_r16_te", tmp_path)

    def boom(pairs: Any) -> Any:
        raise AssertionError("slow path taken")

    monkeypatch.setattr(safetensors_header, "_no_duplicates", boom)
    assert len(read_safetensors_header(path).table) == 2958


@pytest.mark.parametrize(
    "text",
    [
        (
            '{"k\\\\": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}, '
            '"k\\\\": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}'
        ),  # keys ending in '\\'
        '{"__metadata__": {"a": "x\\":y", "a": "z"}}',
    ],
)
def test_escaped_sequences_cannot_hide_duplicates(text: str) -> None:
    with pytest.raises(InvalidModelFile, match="duplicate key"):
        parse(header_bytes(text, 2))
