"""Pickle checkpoints are identified without unpickling: zip member names plus a walk of the
pickle opcodes that never imports or calls anything, even for hostile pickles."""

from __future__ import annotations

import contextlib
import io
import pickle
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tensorshelf import settings
from tensorshelf.detect import detect_path
from tensorshelf.detect.readers.pickle_header import read_pickle_info
from tensorshelf.detect.readers.pickle_walk import Opaque, PickleWalkError, walk_pickle
from tensorshelf.errors import InvalidModelFile
from tests.fixtures.detect_files import get_case, make_model_file, torch_payload, write_torch_zip


def _evil(marker: Path) -> bytes:
    """A protocol-2 pickle that, if it were ever loaded, would create `marker`."""
    cmd = f"touch {marker}".encode()
    return b"\x80\x02cos\nsystem\nX" + struct.pack("<I", len(cmd)) + cmd + b"\x85R."


def test_zip_checkpoint_tensor_table_from_opcodes(tmp_path: Path) -> None:
    path = make_model_file("sd15_ckpt_torch_zip", tmp_path)
    info = read_pickle_info(path)
    assert info.kind == "zip" and info.wrapper == "state_dict"
    assert info.member_count > 1000 and any(m.endswith("/data.pkl") for m in info.members)
    ref = get_case("sd15_merge_fp16")["tensors"]
    assert {n: i.shape for n, i in info.table.items()} == {n: tuple(v[1]) for n, v in ref.items()}
    assert {i.dtype for _, i in info.table.items()} == {"F16", "I64"}


def test_legacy_raw_pickle(tmp_path: Path) -> None:
    path = make_model_file("esrgan_old_legacy_pth", tmp_path)
    info = read_pickle_info(path)
    assert info.kind == "raw" and info.torch_legacy
    assert info.table.shape("model.0.weight") == (64, 3, 3, 3)
    assert info.header_bytes_read < path.stat().st_size


def test_hostile_pickle_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    raw = tmp_path / "evil.pth"
    raw.write_bytes(_evil(marker))
    det = detect_path(raw)
    assert not marker.exists()
    assert det.format == "pickle" and det.security_tier == "pickle"
    assert det.family is None and det.confidence <= settings.DETECT_CONF_NAME
    # the same payload as a zip checkpoint's data.pkl
    zpath = tmp_path / "evil.ckpt"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("evil/data.pkl", _evil(marker))
    det = detect_path(zpath)
    assert not marker.exists() and det.security_tier == "pickle"
    assert isinstance(walk_pickle(io.BytesIO(_evil(marker))), Opaque)


def test_real_pickle_protocols_are_walked() -> None:
    data = {
        "a": [1, 2, (3, 4)],
        "b": {"c": "xy", "d": None, "f": 2.5},
        "e": frozenset({1}),
        "g": 2**70,
    }
    for proto in range(2, 6):
        out = walk_pickle(io.BytesIO(pickle.dumps(data, protocol=proto)))
        assert out["a"] == [1, 2, (3, 4)] and out["b"] == {"c": "xy", "d": None, "f": 2.5}
        assert out["g"] == 2**70 and isinstance(out["e"], Opaque)
    # protocol 2 spells bytes as a _codecs.encode call: it stays an opaque call
    assert isinstance(walk_pickle(io.BytesIO(pickle.dumps(b"xy", protocol=2))), Opaque)
    assert walk_pickle(io.BytesIO(pickle.dumps(b"xy", protocol=3))) == b"xy"


def test_name_is_weak_evidence_when_the_pickle_is_opaque(tmp_path: Path) -> None:
    path = tmp_path / "4x-UltraSharp.pth"
    path.write_bytes(pickle.dumps([1, 2, 3], protocol=2))
    det = detect_path(path)
    assert det.subtype == "upscale_models" and det.family is None
    assert det.confidence == settings.DETECT_CONF_NAME
    assert any("weak evidence" in e for e in det.evidence)


def test_zip_without_data_pkl_is_not_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "notes.ckpt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InvalidModelFile, match="without data.pkl"):
        detect_path(path)


def test_truncated_zip_is_a_clear_error(tmp_path: Path) -> None:
    good = make_model_file(
        {**get_case("esrgan_old_naming_x4"), "file_kind": "torch_zip", "file_name": "x.pth"},
        tmp_path,
    )
    blob = good.read_bytes()
    bad = tmp_path / "cut.pth"
    bad.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(InvalidModelFile, match="cut.pth"):
        detect_path(bad)


def test_central_directory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.ckpt"
    write_torch_zip(get_case("embedding_sd1_8vec"), path)
    monkeypatch.setattr(settings, "PICKLE_MAX_CENTRAL_DIR_BYTES", 10)
    with pytest.raises(InvalidModelFile, match="central directory"):
        read_pickle_info(path)


def test_opcode_limit_stops_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_model_file("sd15_ckpt_torch_zip", tmp_path)
    monkeypatch.setattr(settings, "PICKLE_MAX_OPS", 100)
    info = read_pickle_info(path)
    assert not len(info.table) and "opcodes" in (info.walk_error or "")


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blob=st.binary(max_size=200), proto=st.sampled_from([b"\x80\x02", b"\x80\x04", b""]))
def test_fuzz_walker_only_raises_its_own_error(blob: bytes, proto: bytes) -> None:
    with contextlib.suppress(PickleWalkError):
        walk_pickle(io.BytesIO(proto + blob), max_ops=10_000)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, 4000), flip=st.integers(0, 4000), value=st.integers(0, 255))
def test_fuzz_mutated_checkpoint_pickle(cut: int, flip: int, value: int) -> None:
    tensors = dict(list(get_case("clip_l_fp16")["tensors"].items())[:20])
    payload = bytearray(torch_payload({"tensors": tensors}, legacy=False))
    if flip < len(payload):
        payload[flip] = value
    with contextlib.suppress(PickleWalkError):
        walk_pickle(io.BytesIO(bytes(payload[:cut] if cut else payload)), max_ops=50_000)


def test_opcode_constants_match_the_pickle_module() -> None:
    from tensorshelf.detect.readers import pickle_opcodes as pickle_walk

    for name, value in pickle_walk.OPS.items():
        assert getattr(pickle_walk, name) == value == getattr(pickle, name)[0], name


def test_text_protocols_are_walked_too() -> None:
    data = {"a": [1, -2, 3.5, "x", ("t", None, True)], "big": 2**80}
    for proto in (0, 1):
        out = walk_pickle(pickle.dumps(data, protocol=proto))
        assert out == data
