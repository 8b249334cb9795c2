"""Atomic JSON/bytes writes: a reader or a crash only ever sees the old or the new file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from tensorshelf.io.atomic import fsync_dir, write_bytes_atomic, write_json_atomic


def _temps(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if ".tmp-" in p.name]


def test_json_format(tmp_path: Path) -> None:
    path = tmp_path / "metadata.json"
    write_json_atomic(path, {"name": "Modèle 🤖", "n": [1, 2]})
    text = path.read_bytes().decode("utf-8")
    assert text == '{\n  "name": "Modèle 🤖",\n  "n": [\n    1,\n    2\n  ]\n}\n'
    assert _temps(tmp_path) == []


def test_pydantic_model_is_written_as_json(tmp_path: Path) -> None:
    class M(BaseModel):
        a: int
        b: str

    write_json_atomic(tmp_path / "m.json", M(a=1, b="é"))
    assert json.loads((tmp_path / "m.json").read_text("utf-8")) == {"a": 1, "b": "é"}


def test_replaces_existing_content(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    write_json_atomic(path, {"v": 1})
    write_json_atomic(path, {"v": 2})
    assert json.loads(path.read_text()) == {"v": 2}
    assert _temps(tmp_path) == []


def test_unserialisable_object_leaves_old_content(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    write_json_atomic(path, {"v": 1})
    with pytest.raises(TypeError):
        write_json_atomic(path, {"v": object()})
    with pytest.raises(ValueError):
        write_json_atomic(path, {"v": float("nan")})
    assert json.loads(path.read_text()) == {"v": 1}
    assert _temps(tmp_path) == []


def test_failed_replace_leaves_old_content_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.bin"
    write_bytes_atomic(path, b"old")

    def broken_replace(*_a: object) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_bytes_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert _temps(tmp_path) == []


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_bytes_atomic(tmp_path / "nope" / "f", b"x")


def test_concurrent_reader_sees_old_or_new_only(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    versions = [bytes([i]) * 300_000 for i in range(2)]
    write_bytes_atomic(path, versions[0])
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            i ^= 1
            write_bytes_atomic(path, versions[i])

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 0.5
        reads = 0
        while time.monotonic() < deadline:
            assert path.read_bytes() in versions
            reads += 1
    finally:
        stop.set()
        thread.join()
    assert reads > 10


_CRASH_WRITER = """
import sys
from tensorshelf.io.atomic import write_json_atomic
path = sys.argv[1]
i = 0
print("ready", flush=True)
while True:
    i += 1
    write_json_atomic(path, {"i": i, "pad": "x" * 200_000})
"""


def test_killed_writer_leaves_a_complete_file(tmp_path: Path) -> None:
    path = tmp_path / "metadata.json"
    write_json_atomic(path, {"i": 0, "pad": "x" * 200_000})
    proc = subprocess.Popen(
        [sys.executable, "-c", _CRASH_WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    data = json.loads(path.read_text("utf-8"))
    assert data["pad"] == "x" * 200_000 and isinstance(data["i"], int)


def test_fsync_dir(tmp_path: Path) -> None:
    fsync_dir(tmp_path)
    with pytest.raises(FileNotFoundError):
        fsync_dir(tmp_path / "missing")
