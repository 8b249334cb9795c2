"""Staging dirs, their flock ownership and the sweep; library layout and ids."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tensorshelf.errors import UnsafePath
from tensorshelf.library.ids import new_model_id
from tensorshelf.library.importing.staging import StagingDir, sweep_staging
from tensorshelf.library.layout import (
    candidate_names,
    ensure_library,
    free_model_dir,
    model_dir_from_rel,
    model_rel_dir,
    read_signature,
)
from tensorshelf.settings import LIBRARY_SIGNATURE, STAGING_KEEP_MARKER

ROOT = Path(__file__).resolve().parents[4]


def test_live_staging_survives_a_sweep_and_a_released_one_is_gone(tmp_path: Path) -> None:
    area = StagingDir.create(tmp_path)
    (area.model_dir / "w.safetensors").write_bytes(b"x")
    assert sweep_staging(tmp_path) == []
    assert (area.model_dir / "w.safetensors").exists()
    area.release()
    assert sorted(os.listdir(tmp_path / ".staging")) == []


def test_staging_of_a_killed_process_is_swept(tmp_path: Path) -> None:
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[2]);"
        "from pathlib import Path; from tensorshelf.library.importing.staging import StagingDir;"
        "a = StagingDir.create(Path(sys.argv[1])); (a.model_dir / 'part').write_bytes(b'x'*10);"
        "print(a.id, flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path), str(ROOT / "backend")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        sid = proc.stdout.readline().strip()
        assert sid and (tmp_path / ".staging" / sid / "model" / "part").exists()
        assert sweep_staging(tmp_path) == []  # owner alive: untouched
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert sweep_staging(tmp_path) == [sid]
    assert os.listdir(tmp_path / ".staging") == []


def test_dir_without_lock_is_stale(tmp_path: Path) -> None:
    stale = tmp_path / ".staging" / "leftover"
    (stale / "model").mkdir(parents=True)
    (stale / "model" / "x").write_bytes(b"1")
    assert sweep_staging(tmp_path) == ["leftover"]
    assert not stale.exists()


def test_sweep_puts_renamed_user_files_back(tmp_path: Path) -> None:
    source = tmp_path / "user" / "precious.safetensors"
    source.parent.mkdir()
    source.write_bytes(b"only copy")
    area = StagingDir.create(tmp_path / "lib")
    staged = area.model_dir / source.name
    area.journal_move(source, staged)
    os.rename(source, staged)
    area._unlock()  # the owner dies without cleaning up (lock released, dir left)
    assert sweep_staging(tmp_path / "lib") == [area.id]
    assert source.read_bytes() == b"only copy"


def test_sweep_keeps_user_files_it_cannot_put_back(tmp_path: Path) -> None:
    source = tmp_path / "precious.bin"
    source.write_bytes(b"only copy")
    area = StagingDir.create(tmp_path / "lib")
    staged = area.model_dir / source.name
    area.journal_move(source, staged)
    os.rename(source, staged)
    source.write_bytes(b"someone made a new file here")  # the original name is taken now
    assert area.discard() is False
    assert staged.read_bytes() == b"only copy"
    assert (area.path / STAGING_KEEP_MARKER).exists()
    assert sweep_staging(tmp_path / "lib") == []  # still kept
    assert staged.read_bytes() == b"only copy"


def test_signature_created_once(tmp_path: Path) -> None:
    first = ensure_library(tmp_path / "lib")
    again = ensure_library(tmp_path / "lib")
    assert first.uuid == again.uuid and first.schema_version >= 1
    raw = json.loads((tmp_path / "lib" / LIBRARY_SIGNATURE).read_text())
    assert set(raw) >= {"uuid", "name", "created_at", "schema_version"}
    assert read_signature(tmp_path / "lib") == first


def test_model_dir_from_rel_refuses_escapes(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (tmp_path / "outside").mkdir()
    (lib / "link").symlink_to(tmp_path / "outside")
    for bad in ("../x", "/etc", ".staging/abc", "a/../../b", "", "link/model"):
        with pytest.raises(UnsafePath):
            model_dir_from_rel(lib, bad)
    assert model_dir_from_rel(lib, "lora/sdxl/x") == lib / "lora" / "sdxl" / "x"


def test_dir_names_are_normalised_and_collisions_suffixed(tmp_path: Path) -> None:
    rel = model_rel_dir("diffusion", None, "Model:A")
    assert rel.as_posix() == "diffusion/unknown/Model_A"
    (tmp_path / "diffusion" / "unknown" / "model_a").mkdir(parents=True)  # case-only twin
    taken = free_model_dir(tmp_path, "diffusion", None, "Model*A", "abcdef0123456789")
    assert taken.name == "Model_A-abcdef01"
    names = list(candidate_names("x" * 200, "f" * 64))
    assert len(set(names)) == len(names) and all(len(n) <= 80 for n in names)


def test_ids_are_uuid7_and_time_ordered() -> None:
    ids = [new_model_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i[14] == "7" for i in ids)
    created_ms = uuid.UUID(ids[0]).int >> 80  # UUIDv7: 48-bit Unix milliseconds first
    assert abs(created_ms - time.time() * 1000) < 60_000
