"""Move/link modes share the user's inode: a writer changing the file between hashing and
publishing (even one that restores the mtime) is caught — nothing is published, the source
name stays — and the hash cache, keyed on ctime too, never vouches for changed bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import (
    make_locations,
    published_dirs,
    run_import,
    sha256_of,
    staged_entries,
    write_safetensors,
)


class _WriterAt:
    """A pause point that, when reached, overwrites a byte of `path` and sets its times back."""

    def __init__(self, point: str, path: Path) -> None:
        self.point, self.path, self.fired = point, path, False

    def reached(self, point: str) -> None:
        if point != self.point or self.fired:
            return
        self.fired = True
        st = os.stat(self.path)
        with open(self.path, "r+b") as f:
            f.seek(st.st_size - 1)
            last = f.read(1)
            f.seek(st.st_size - 1)
            f.write(bytes([last[0] ^ 0xFF]))
        os.utime(self.path, ns=(st.st_atime_ns, st.st_mtime_ns))  # hide it from mtime


@pytest.mark.parametrize("mode", ["move", "link"])
def test_a_write_between_hashing_and_publish_is_refused(tmp_path: Path, mode: str) -> None:
    source = write_safetensors(tmp_path / "src" / "m.safetensors", seed=1)
    writer = _WriterAt("before_publish", source)
    svc = LibraryService(make_locations(tmp_path), pause=writer)
    try:
        (result,) = run_import(svc, [source], mode=mode)[1]
        assert writer.fired
        assert not result.ok and result.error.code == "source_changed"
        assert str(source) in result.error.message or "m.safetensors" in result.error.message
        assert source.exists(), "the source name must be kept"
        assert published_dirs(svc.root) == [] and staged_entries(svc.root) == []
        assert svc.list_models().total == 0
    finally:
        svc.close()


def test_verify_is_not_fooled_by_a_restored_mtime(tmp_path: Path) -> None:
    source = write_safetensors(tmp_path / "src" / "m.safetensors", seed=2)
    svc = LibraryService(make_locations(tmp_path))
    try:
        (result,) = run_import(svc, [source], mode="link")[1]
        assert result.ok
        assert svc.verify_model(result.id).ok  # answered by the cache
        _WriterAt("now", source).reached("now")  # the user's name writes the library's inode
        verification = svc.verify_model(result.id)  # plain verify, cache allowed
        assert not verification.ok
        assert verification.files[0].status == "mismatch"
        assert verification.files[0].actual_sha256 == sha256_of(source)
    finally:
        svc.close()


@pytest.mark.parametrize("mode", ["move", "link", "copy"])
def test_after_an_import_verify_needs_no_read(tmp_path: Path, mode: str) -> None:
    """The library copy's hashes are cached under its final stat (after a move's unlink of
    the source name, which changes the ctime): the first plain verify reads nothing."""
    source = write_safetensors(tmp_path / "src" / "m.safetensors", seed=3)
    svc = LibraryService(make_locations(tmp_path))
    try:
        (result,) = run_import(svc, [source], mode=mode)[1]
        assert result.ok
        verification = svc.verify_model(result.id)
        assert verification.ok and verification.bytes_read == 0
        assert {f.status for f in verification.files} == {"cached"}
    finally:
        svc.close()
