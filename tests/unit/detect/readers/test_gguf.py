"""GGUF header reader: agrees with the `gguf` package on real files, skips long arrays without
materialising them, and turns every malformed header into InvalidModelFile with bounded
memory (truncations, absurd counts and lengths, bad types, offsets past EOF)."""

from __future__ import annotations

import functools
import struct
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tensorshelf import settings
from tensorshelf.detect.classify.precision import GGML_BLOCKS, GGUF_FILE_TYPES
from tensorshelf.detect.readers.gguf import read_gguf_header
from tensorshelf.detect.readers.gguf_types import GGML_TYPES, GGUFArray
from tensorshelf.errors import InvalidModelFile
from tests.fixtures.detect_files import make_model_file
from tests.fixtures.memory import peak_bytes_parsing

ALLOC_LIMIT = 4 * 1024 * 1024


def kv(t: str, v: Any, **extra: Any) -> dict[str, Any]:
    return {"type": t, "value": v, **extra}


def small_case(vocab: int = 1000) -> dict[str, Any]:
    return {
        "case": "tiny",
        "file_kind": "gguf",
        "file_name": "tiny.gguf",
        "label": {},
        "metadata": {
            "general.architecture": kv("STRING", "llama"),
            "general.name": kv("STRING", "tiny"),
            "llama.context_length": kv("UINT32", 2048),
            "general.file_type": kv("UINT32", 7),
            "tokenizer.ggml.tokens": kv("ARRAY", ["a", "b", "ü"], item_type="STRING", length=vocab),
            "tokenizer.ggml.scores": kv("ARRAY", [0.5], item_type="FLOAT32", length=vocab),
        },
        "tensors": {
            "token_embd.weight": ["Q8_0", [64, vocab]],
            "blk.0.attn_norm.weight": ["F32", [64]],
            "output.weight": ["F16", [64, vocab]],
        },
    }


def build(tmp_path: Path, case: dict[str, Any] | None = None) -> Path:
    return make_model_file(case or small_case(), tmp_path)


def test_reads_metadata_tensors_and_skips_arrays(tmp_path: Path) -> None:
    h = read_gguf_header(build(tmp_path))
    assert h.version == 3
    assert h.get("general.architecture") == "llama"
    assert h.get("llama.context_length") == 2048
    tokens = h.get("tokenizer.ggml.tokens")
    assert isinstance(tokens, GGUFArray) and tokens.length == 1000
    assert tokens.head[:3] == ["a", "b", "ü"]
    assert len(tokens.head) == settings.GGUF_KEEP_ARRAY_ITEMS
    assert h.table.shape("token_embd.weight") == (1000, 64)  # PyTorch order
    assert h.tensor_types == {"Q8_0": 1, "F32": 1, "F16": 1}


def test_agrees_with_the_gguf_package_on_a_gguf_writer_file(tmp_path: Path) -> None:
    path = tmp_path / "writer.gguf"
    w = gguf.GGUFWriter(str(path), "qwen2")
    w.add_name("writer test")
    w.add_context_length(4096)
    w.add_uint32("qwen2.block_count", 2)
    w.add_array("tokenizer.ggml.tokens", [f"t{i}" for i in range(300)])
    w.add_bool("x.flag", True)
    w.add_float32("x.f", 1.5)
    w.add_tensor("token_embd.weight", np.zeros((300, 32), dtype=np.float16))
    w.add_tensor("blk.0.attn_norm.weight", np.zeros((32,), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    mine = read_gguf_header(path)
    ref = gguf.GGUFReader(str(path))
    assert {t.name: tuple(int(d) for d in reversed(t.shape)) for t in ref.tensors} == {
        n: i.shape for n, i in mine.table.items()
    }
    assert {t.name: t.tensor_type.name for t in ref.tensors} == {
        n: i.dtype for n, i in mine.table.items()
    }
    assert mine.get("general.architecture") == "qwen2"
    assert mine.get("qwen2.context_length") == 4096
    assert mine.get("x.flag") is True and mine.get("x.f") == 1.5
    assert mine.get("tokenizer.ggml.tokens").length == 300
    assert mine.data_offset == ref.data_offset


def test_type_tables_match_the_gguf_package() -> None:
    for qtype in gguf.GGMLQuantizationType:
        if qtype.value in GGML_TYPES:
            name, block, size = GGML_TYPES[qtype.value]
            assert name == qtype.name
            assert (block, size) == gguf.GGML_QUANT_SIZES[qtype]
            assert GGML_BLOCKS.get(name, (block, size)) == (block, size)
    for ftype in gguf.LlamaFileType:
        if ftype.value in GGUF_FILE_TYPES:
            assert GGUF_FILE_TYPES[ftype.value] in (
                ftype.name.removeprefix("MOSTLY_").lower(),
                "fp32",
                "fp16",
                "bf16",
            )


def test_big_endian_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "be.gguf"
    name = b"general.architecture"
    arch = b"llama"
    body = (
        b"GGUF"
        + struct.pack(">I", 3)
        + struct.pack(">Q", 0)
        + struct.pack(">Q", 1)
        + struct.pack(">Q", len(name))
        + name
        + struct.pack(">I", 8)
        + struct.pack(">Q", len(arch))
        + arch
    )
    path.write_bytes(body + b"\0" * (-len(body) % 32))
    h = read_gguf_header(path)
    assert h.byte_order == "big" and h.get("general.architecture") == "llama"


def test_header_bytes_read_stay_near_the_header(tmp_path: Path) -> None:
    path = build(tmp_path, small_case(vocab=20_000))
    h = read_gguf_header(path)
    assert h.header_bytes_read < h.data_offset + settings.DETECT_READ_CHUNK_BYTES
    assert h.header_bytes_read < path.stat().st_size


# --- malformed ------------------------------------------------------------------------------------
def _raw(tmp_path: Path, blob: bytes, pad: int = 0) -> Path:
    p = tmp_path / "bad.gguf"
    p.write_bytes(blob + b"\0" * pad)
    return p


def _str(s: bytes) -> bytes:
    return struct.pack("<Q", len(s)) + s


HEAD = b"GGUF" + struct.pack("<I", 3)


@pytest.mark.parametrize(
    "blob,fragment",
    [
        (b"GGUF", "unsupported GGUF version 0"),
        (b"GGML" + b"\0" * 40, "missing GGUF magic"),
        (b"GGUF" + struct.pack("<I", 1) + b"\0" * 40, "unsupported GGUF version 1"),
        (HEAD + struct.pack("<QQ", 0, 2**63), "metadata count"),
        (HEAD + struct.pack("<QQ", 2**63, 0), "tensor count"),
        (HEAD + struct.pack("<QQ", 0, 1) + struct.pack("<Q", 2**63), "claims"),
        (
            HEAD + struct.pack("<QQ", 0, 1) + _str(b"k") + struct.pack("<I", 99),
            "unknown value type",
        ),
        (
            HEAD + struct.pack("<QQ", 0, 1) + _str(b"k") + struct.pack("<IIQ", 9, 8, 2**62),
            "claims 4611686018427387904 items",
        ),
        (
            HEAD + struct.pack("<QQ", 0, 1) + _str(b"k") + struct.pack("<IIQ", 9, 77, 3),
            "unknown item type",
        ),
        (
            HEAD + struct.pack("<QQ", 0, 1) + _str(b"k") + struct.pack("<I", 8) + _str(b"\xff\xfe"),
            "not UTF-8",
        ),
        (
            HEAD + struct.pack("<QQ", 0, 2) + (_str(b"k") + struct.pack("<IB", 0, 1)) * 2,
            "duplicate metadata key",
        ),
        (
            HEAD + struct.pack("<QQ", 0, 1) + _str(b"general.alignment") + struct.pack("<II", 4, 3),
            "alignment",
        ),
        (HEAD + struct.pack("<QQ", 1, 0) + _str(b"t") + struct.pack("<I", 99), "dimensions"),
        (
            HEAD + struct.pack("<QQ", 1, 0) + _str(b"t") + struct.pack("<IQIQ", 1, 32, 0, 7),
            "not aligned",
        ),
        (
            HEAD + struct.pack("<QQ", 1, 0) + _str(b"t") + struct.pack("<IQIQ", 1, 10**9, 0, 0),
            "past the",
        ),
        (
            HEAD + struct.pack("<QQ", 1, 0) + _str(b"t") + struct.pack("<IQIQ", 1, 33, 8, 0),
            "block size",
        ),
        (
            HEAD + struct.pack("<QQ", 2, 0) + (_str(b"t") + struct.pack("<IQIQ", 1, 1, 0, 0)) * 2,
            "duplicate tensor name",
        ),
    ],
)
def test_malformed_is_clear_error(tmp_path: Path, blob: bytes, fragment: str) -> None:
    with pytest.raises(InvalidModelFile) as info:
        read_gguf_header(_raw(tmp_path, blob, pad=64))
    assert "bad.gguf" in info.value.message
    assert fragment in info.value.message


def test_tiny_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidModelFile, match="only 4 bytes"):
        read_gguf_header(_raw(tmp_path, b"GGUF"))


def test_every_truncation_is_a_clear_error(tmp_path: Path) -> None:
    full = build(tmp_path, small_case(vocab=300)).read_bytes()
    h = read_gguf_header(tmp_path / "tiny.gguf")
    for n in list(range(200)) + list(range(200, h.data_offset, 97)):
        with pytest.raises(InvalidModelFile):
            read_gguf_header(_raw(tmp_path, full[:n]))


# --- fuzzing --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def seed_file() -> bytes:
    """A valid GGUF with a 200-string vocabulary (module-level: hypothesis does not print it)."""
    with tempfile.TemporaryDirectory() as tmp:
        return build(Path(tmp), small_case(vocab=200)).read_bytes()


def _check(tmp_path: Path, blob: bytes) -> None:
    path = _raw(tmp_path, blob)

    def parse() -> None:
        h = read_gguf_header(path)
        assert h.data_offset <= len(blob)

    assert peak_bytes_parsing(parse) < ALLOC_LIMIT


@hsettings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzz_mutated_files(tmp_path: Path, data: st.DataObject) -> None:
    seed = seed_file()
    blob = bytearray(seed[:2000])
    n_edits = data.draw(st.integers(1, 4))
    for _ in range(n_edits):
        at = data.draw(st.integers(4, len(blob) - 8))
        kind = data.draw(st.sampled_from(["u64", "u32", "byte", "cut"]))
        if kind == "u64":
            blob[at : at + 8] = struct.pack(
                "<Q",
                data.draw(
                    st.sampled_from(
                        [0, 1, 2**32, 2**62, 2**63, 2**64 - 1, data.draw(st.integers(0, 2**64 - 1))]
                    )
                ),
            )
        elif kind == "u32":
            blob[at : at + 4] = struct.pack("<I", data.draw(st.integers(0, 2**32 - 1)))
        elif kind == "byte":
            blob[at] = data.draw(st.integers(0, 255))
        else:
            del blob[at:]
            break
    _check(tmp_path, bytes(blob) + seed[len(blob) :] if kind != "cut" else bytes(blob))


@hsettings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(tail=st.binary(max_size=400), version=st.sampled_from([2, 3]))
def test_fuzz_random_bytes_after_magic(tmp_path: Path, tail: bytes, version: int) -> None:
    _check(tmp_path, b"GGUF" + struct.pack("<I", version) + tail)


def test_regression_offset_overflow_in_string_skipping(tmp_path: Path) -> None:
    blob = bytearray(seed_file())
    at = blob.index(b"<placeholder_3>") - 8  # the length field of a skipped string
    blob[at : at + 8] = struct.pack("<Q", 2**63)
    with pytest.raises(InvalidModelFile):
        read_gguf_header(_raw(tmp_path, bytes(blob)))


@hsettings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(count=st.integers(2**16, 2**64 - 1), item=st.sampled_from([0, 4, 8, 9, 10]))
def test_fuzz_huge_array_counts_do_not_allocate(tmp_path: Path, count: int, item: int) -> None:
    blob = (
        HEAD
        + struct.pack("<QQ", 0, 1)
        + _str(b"tokenizer.ggml.tokens")
        + struct.pack("<IIQ", 9, item, count)
        + b"\0" * 256
    )
    _check(tmp_path, blob)


def test_nested_arrays_are_summarised_not_materialised(tmp_path: Path) -> None:
    inner = struct.pack("<IQ", 4, 1000) + b"\0" * 4000  # uint32[1000]
    blob = (
        HEAD
        + struct.pack("<QQ", 0, 1)
        + _str(b"nested")
        + struct.pack("<IIQ", 9, 9, 500)
        + inner * 500
    )
    path = _raw(tmp_path, blob, pad=64)
    tracemalloc.start()
    try:
        h = read_gguf_header(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    arr = h.get("nested")
    assert arr.length == 500 and len(arr.head) == settings.GGUF_KEEP_ARRAY_ITEMS
    assert arr.head[0].length == 1000 and arr.head[0].head == []
    assert peak < ALLOC_LIMIT


def test_kept_strings_have_a_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "GGUF_MAX_KEPT_BYTES", 1000)
    blob = (
        HEAD
        + struct.pack("<QQ", 0, 20)
        + b"".join(
            _str(f"key.{i}".encode()) + struct.pack("<I", 8) + _str(b"v" * 100) for i in range(20)
        )
    )
    with pytest.raises(InvalidModelFile, match="not a plausible model header"):
        read_gguf_header(_raw(tmp_path, blob, pad=64))
