"""verify: re-hash and compare with metadata.json; the hash cache answers for unchanged
files unless `full`; flipped bytes, size changes and missing files are reported."""

from __future__ import annotations

import hashlib
from pathlib import Path

import blake3
import pytest

from tensorshelf.errors import OperationCancelled
from tensorshelf.io.hash_cache import HashCache
from tensorshelf.io.types import CancelToken
from tensorshelf.library.maintenance.verify import verify_model
from tests.fixtures.library_factory import build_library


@pytest.fixture
def setup(tmp_path: Path):
    built = build_library(tmp_path / "lib", 20)
    sharded = next(b for b in built if b.meta.model_format == "sharded-set")
    with HashCache(tmp_path / "cache.db") as cache:
        yield sharded, cache


def _status(result) -> dict[str, str]:
    return {f.path: f.status for f in result.files}


def test_clean_model_verifies_ok_then_from_cache(setup) -> None:
    model, cache = setup
    total = sum(f.size for f in model.meta.files)
    progress: list[int] = []
    first = verify_model(model.dir, model.meta, cache, full=False, on_progress=progress.append)
    assert first.ok and set(_status(first).values()) == {"ok"}
    assert first.bytes_read == total and sum(progress) == total
    assert all(f.actual_sha256 == f.expected_sha256 for f in first.files)
    progress.clear()
    second = verify_model(model.dir, model.meta, cache, full=False, on_progress=progress.append)
    assert second.ok and set(_status(second).values()) == {"cached"}
    assert second.bytes_read == 0 and sum(progress) == total
    full = verify_model(model.dir, model.meta, cache, full=True)
    assert full.ok and set(_status(full).values()) == {"ok"} and full.bytes_read == total


def test_flipped_byte_is_a_mismatch_even_after_caching(setup) -> None:
    model, cache = setup
    verify_model(model.dir, model.meta, cache, full=False)  # fills the cache
    shard = next(f for f in model.meta.files if f.shard_index == 2)
    path = model.dir / shard.path
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))  # same size, new mtime → the cache no longer matches
    result = verify_model(model.dir, model.meta, cache, full=False)
    assert not result.ok
    status = _status(result)
    assert status[shard.path] == "mismatch"
    assert {s for p, s in status.items() if p != shard.path} == {"cached"}
    bad = next(f for f in result.files if f.path == shard.path)
    assert bad.actual_sha256 == hashlib.sha256(bytes(data)).hexdigest()


def test_stale_cache_entry_disagreeing_with_metadata_forces_a_reread(setup) -> None:
    """A cache entry with other hashes (e.g. written before an in-place edit with a
    restored mtime) never decides the verdict by itself."""
    model, cache = setup
    entry = model.meta.files[0]
    path = model.dir / entry.path
    from tensorshelf.io.types import FileHashes

    cache.put(path, FileHashes(sha256="0" * 64, blake3="0" * 64, size=entry.size))
    result = verify_model(model.dir, model.meta, cache, full=False)
    assert _status(result)[entry.path] == "ok" and result.bytes_read >= entry.size


def test_missing_and_resized_files(setup) -> None:
    model, cache = setup
    gone, grown = model.meta.files[0], model.meta.files[1]
    (model.dir / gone.path).unlink()
    with open(model.dir / grown.path, "ab") as f:
        f.write(b"extra")
    result = verify_model(model.dir, model.meta, cache, full=True)
    status = _status(result)
    assert status[gone.path] == "missing" and status[grown.path] == "mismatch"
    assert not result.ok
    assert result.bytes_read == sum(f.size for f in model.meta.files[2:])


def test_unsafe_paths_in_metadata_are_never_opened(setup, tmp_path: Path) -> None:
    model, cache = setup
    outside = tmp_path / "secret.bin"
    outside.write_bytes(b"secret")
    entry = model.meta.files[0].model_copy(
        update={
            "path": "../../secret.bin",
            "size": 6,
            "sha256": hashlib.sha256(b"secret").hexdigest(),
            "blake3": blake3.blake3(b"secret").hexdigest(),
        }
    )
    meta = model.meta.model_copy(update={"files": [entry]})
    result = verify_model(model.dir, meta, cache, full=True)
    assert _status(result) == {"../../secret.bin": "missing"} and result.bytes_read == 0


def test_cancel_stops_verification(setup) -> None:
    model, cache = setup
    token = CancelToken()
    token.cancel()
    with pytest.raises(OperationCancelled):
        verify_model(model.dir, model.meta, cache, full=True, cancel=token)
