"""The pickle safety scan (detect/pickle_globals.py): globals seen by the opcode walker,
classified; hand-written opcode streams, nothing is ever unpickled."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from tensorshelf.detect import detect_path
from tensorshelf.detect.readers.pickle_globals import GlobalsSeen, build_scan, classify_global
from tests.fixtures.detect_files import make_model_file


def _global2(module: str, name: str) -> bytes:  # protocol 2 GLOBAL
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _str(s: str) -> bytes:
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def _call2(module: str, name: str, arg: str) -> bytes:
    """protocol 2: module.name(arg) — the classic reduce exploit."""
    return (
        b"\x80\x02"
        + _global2(module, name)
        + b"X"
        + struct.pack("<I", len(arg))
        + arg.encode()
        + b"\x85R."
    )


def _call4(module: str, name: str, arg: str) -> bytes:
    """protocol 4: STACK_GLOBAL then REDUCE."""
    return b"\x80\x04" + _str(module) + _str(name) + b"\x93" + _str(arg) + b"\x85R."


def _zip(path: Path, payload: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", b"3\n")
    return path


def test_dangerous_globals_in_raw_and_zip_pickles(tmp_path: Path) -> None:
    for i, (module, name) in enumerate(
        [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"), ("posix", "system")]
    ):
        for j, make in enumerate((_call2, _call4)):
            payload = make(module, name, "echo pwned")
            raw = tmp_path / f"evil{i}{j}.pt"
            raw.write_bytes(payload)
            for path in (raw, _zip(tmp_path / f"evil{i}{j}.ckpt", payload)):
                scan = detect_path(path).pickle_scan
                assert scan is not None, path
                assert scan.verdict == "dangerous", (path, scan)
                assert scan.dangerous == [f"{module}.{name}"]
                assert not scan.truncated and scan.streams_scanned == 1


def test_torch_zip_checkpoint_is_clean(tmp_path: Path) -> None:
    for case in ("sd15_ckpt_torch_zip", "esrgan_old_legacy_pth"):
        det = detect_path(make_model_file(case, tmp_path / case))
        scan = det.pickle_scan
        assert scan is not None and scan.verdict == "clean", scan
        assert "torch._utils._rebuild_tensor_v2" in scan.globals
        assert "collections.OrderedDict" in scan.globals
        assert not scan.unknown and not scan.dangerous and not scan.truncated
    legacy = detect_path(make_model_file("esrgan_old_legacy_pth", tmp_path / "l2")).pickle_scan
    assert legacy is not None and legacy.streams_scanned == 5  # magic … storage keys


def test_lightning_global_is_unknown_not_dangerous(tmp_path: Path) -> None:
    payload = _call4("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint", "x")
    scan = detect_path(_zip(tmp_path / "sd.ckpt", payload)).pickle_scan
    assert scan is not None and scan.verdict == "unknown_globals"
    assert scan.unknown == ["pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint"]
    assert scan.dangerous == []


def test_truncated_walk_is_never_clean(tmp_path: Path) -> None:
    # an allowed global, then the stream ends without STOP: not fully scanned
    path = tmp_path / "cut.pt"
    path.write_bytes(b"\x80\x02" + _global2("collections", "OrderedDict") + b")R")
    scan = detect_path(path).pickle_scan
    assert scan is not None and scan.truncated and scan.verdict == "unknown_globals"
    # a second pickle member that cannot be walked also leaves the scan incomplete
    zpath = tmp_path / "two.ckpt"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02}.")
        zf.writestr("archive/constants.pkl", b"\x80\x02\xff")
    scan = detect_path(zpath).pickle_scan
    assert scan is not None and scan.truncated and scan.verdict != "clean"


def test_dangerous_global_hidden_in_a_second_member(tmp_path: Path) -> None:
    zpath = tmp_path / "hidden.pt"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02}.")
        zf.writestr("archive/constants.pkl", _call2("os", "system", "id"))
    scan = detect_path(zpath).pickle_scan
    assert scan is not None and scan.verdict == "dangerous" and scan.streams_scanned == 2


def test_classification_rules() -> None:
    assert classify_global("torch", "BFloat16Storage") == "allowed"
    assert classify_global("torch", "bfloat16") == "allowed"
    assert classify_global("numpy.core.multiarray", "_reconstruct") == "allowed"
    assert classify_global("torch.storage", "_load_from_bytes") == "unknown"  # nested torch.load
    assert classify_global("torch", "serialization.os.system") == "dangerous"  # getattr chain
    assert classify_global("torch", "load") == "dangerous"
    assert classify_global("builtins", "getattr") == "dangerous"
    assert classify_global("__builtin__", "set") == "allowed"


def test_cap_keeps_dangerous_globals_past_it() -> None:
    seen = GlobalsSeen(cap=3)
    for i in range(5):
        seen.add("mypkg", f"Thing{i}")
    seen.add("os", "system")
    scan = build_scan(seen, 1, True)
    assert scan.truncated and scan.verdict == "dangerous" and scan.dangerous == ["os.system"]
    assert len(scan.globals) == 3
    clean = GlobalsSeen(cap=3)
    clean.add("collections", "OrderedDict")
    assert build_scan(clean, 1, True).verdict == "clean"
    assert build_scan(clean, 1, False).verdict == "unknown_globals"
