"""Imports against real, separate filesystems (small tmpfs mounts): disk full, a move
across filesystems, a link across filesystems, and a multi-GB sparse import. Mount tests
are skipped where mounting is not permitted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorshelf.io import copying
from tensorshelf.library.importing import transfer as import_transfer
from tensorshelf.library.service import LibraryService
from tensorshelf.settings import Locations
from tests.fixtures.import_files import (
    blake3_of,
    fingerprint,
    hash_both,
    published_dirs,
    run_import,
    sha256_of,
    staged_entries,
    write_safetensors,
    write_sparse_safetensors,
)

MiB = 1024 * 1024


def _service(home: Path, library: Path) -> LibraryService:
    return LibraryService(Locations(home=home, library=library))


def test_disk_full_is_refused_up_front(tmp_path: Path, tmpfs) -> None:
    library = tmpfs("small", "4m") / "library"
    source = write_safetensors(tmp_path / "big.safetensors", {"w": ("U8", [8 * MiB])}, seed=1)
    before = fingerprint(source)
    svc = _service(tmp_path / "home", library)
    try:
        (result,) = run_import(svc, [source])[1]
        assert not result.ok and result.error.code == "disk_full"
        assert "needs" in result.error.message
        assert published_dirs(library) == [] and staged_entries(library) == []
        assert svc.list_models().total == 0
    finally:
        svc.close()
    assert fingerprint(source) == before


def test_disk_filling_up_during_the_copy(
    tmp_path: Path, tmpfs, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmpfs("small", "16m") / "library"  # room for one small model + the index reserve
    first = write_safetensors(tmp_path / "first.safetensors", {"w": ("U8", [MiB])}, seed=2)
    big = write_safetensors(tmp_path / "big.safetensors", {"w": ("U8", [24 * MiB])}, seed=3)
    before = fingerprint(big)
    svc = _service(tmp_path / "home", library)
    try:
        assert run_import(svc, [first])[1][0].ok
        # Pretend the space check saw room (another writer filled the disk after it).
        monkeypatch.setattr(import_transfer, "ensure_free_space", lambda *a: None)
        monkeypatch.setattr(copying, "ensure_free_space", lambda *a: None)
        (result,) = run_import(svc, [big])[1]
        assert not result.ok and result.error.code == "disk_full"
        assert len(published_dirs(library)) == 1 and staged_entries(library) == []
        assert svc.list_models().total == 1
    finally:
        svc.close()
    assert fingerprint(big) == before


def test_move_across_real_filesystems(tmp_path: Path, tmpfs) -> None:
    usb = tmpfs("usb", "16m")
    source = write_safetensors(usb / "lora.safetensors", {"w": ("U8", [2 * MiB])}, seed=4)
    sha, b3 = sha256_of(source), blake3_of(source)
    svc = _service(tmp_path / "home", tmp_path / "library")
    try:
        progress: list = []
        (result,) = run_import(svc, [source], progress, mode="move")[1]
        assert result.ok and (result.hashes.sha256, result.hashes.blake3) == (sha, b3)
        stages = [p.stage for p in progress]
        assert stages.index("copying") < stages.index("verifying") < stages.index("publishing")
        assert not source.exists()
        assert sha256_of(svc.root / result.path / "lora.safetensors") == sha
    finally:
        svc.close()


def test_link_across_real_filesystems_is_refused(tmp_path: Path, tmpfs) -> None:
    usb = tmpfs("usb", "4m")
    source = write_safetensors(usb / "lora.safetensors", seed=5)
    svc = _service(tmp_path / "home", tmp_path / "library")
    try:
        (result,) = run_import(svc, [source], mode="link")[1]
        assert not result.ok and result.error.code == "cross_device"
        assert staged_entries(svc.root) == [] and source.exists()
    finally:
        svc.close()


@pytest.mark.slow
def test_multi_gb_sparse_import_hashes_match(tmp_path: Path) -> None:
    source = write_sparse_safetensors(tmp_path / "src" / "huge.safetensors", 3 * 1024**3, seed=6)
    st = source.stat()
    svc = _service(tmp_path / "home", tmp_path / "library")
    try:
        (result,) = run_import(svc, [source])[1]
        assert result.ok
        expected = hash_both(source)
        assert (result.hashes.sha256, result.hashes.blake3) == expected
        stored = svc.root / result.path / source.name
        assert stored.stat().st_size == st.st_size
    finally:
        svc.close()
    after = source.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
    )
