"""Move and link modes, failures after a move, cancel. (Real tmpfs mounts are exercised
in tests/integration/test_import_filesystems.py; here EXDEV is simulated.)"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tensorshelf.errors import OperationCancelled
from tensorshelf.io.types import CancelToken
from tensorshelf.library.importing import importer
from tensorshelf.library.importing import transfer as import_transfer
from tensorshelf.library.models import ImportOptions
from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import (
    blake3_of,
    fingerprint,
    make_diffusers_folder,
    published_dirs,
    run_import,
    sha256_of,
    staged_entries,
    write_safetensors,
)


def _fail_link(code: int):
    def link(src, dst, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(src), None, str(dst))

    return link


def test_move_on_same_filesystem_keeps_the_inode_and_removes_the_source(
    service: LibraryService, tmp_path: Path
) -> None:
    source = write_safetensors(tmp_path / "src" / "m.safetensors", seed=1)
    sha, ino = sha256_of(source), source.stat().st_ino
    (result,) = run_import(service, [source], mode="move")[1]
    assert result.ok and result.hashes.sha256 == sha
    stored = service.root / result.path / "m.safetensors"
    assert stored.stat().st_ino == ino and stored.stat().st_nlink == 1
    assert not source.exists()
    assert staged_entries(service.root) == []


def test_move_without_hard_links_renames_and_still_works(
    service: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_safetensors(tmp_path / "src" / "m.safetensors", seed=2)
    ino = source.stat().st_ino
    monkeypatch.setattr(os, "link", _fail_link(errno.EPERM))
    (result,) = run_import(service, [source], mode="move")[1]
    assert result.ok
    assert (service.root / result.path / "m.safetensors").stat().st_ino == ino
    assert not source.exists() and staged_entries(service.root) == []


def test_failure_after_a_rename_puts_the_file_back(
    service: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_safetensors(tmp_path / "src" / "only copy.safetensors", seed=3)
    before = fingerprint(source)
    monkeypatch.setattr(os, "link", _fail_link(errno.EPERM))

    def broken_publish(*args, **kwargs):
        raise OSError(errno.EIO, "I/O error", "metadata.json")

    monkeypatch.setattr(importer, "publish", broken_publish)
    (result,) = run_import(service, [source], mode="move")[1]
    assert not result.ok and result.error.code == "io_error"
    assert fingerprint(source) == before
    assert staged_entries(service.root) == [] and published_dirs(service.root) == []


def test_move_across_filesystems_copies_verifies_then_removes(
    service: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_safetensors(tmp_path / "usb" / "m.safetensors", seed=4)
    sha, b3 = sha256_of(source), blake3_of(source)
    monkeypatch.setattr(import_transfer, "same_filesystem", lambda a, b: False)
    monkeypatch.setattr(os, "link", _fail_link(errno.EXDEV))
    seen_when_verifying: list[bool] = []
    real_hash = import_transfer.hash_file

    def spying_hash(path, progress=None, cancel=None):
        seen_when_verifying.append(source.exists())
        return real_hash(path, progress, cancel)

    monkeypatch.setattr(import_transfer, "hash_file", spying_hash)
    progress: list = []
    (result,) = run_import(service, [source], progress, mode="move")[1]
    assert result.ok and (result.hashes.sha256, result.hashes.blake3) == (sha, b3)
    assert seen_when_verifying == [True]  # the library copy was re-read while the source existed
    assert "verifying" in [p.stage for p in progress]
    assert not source.exists()
    assert any("another filesystem" in w for w in result.warnings)


def test_cross_filesystem_move_with_a_bad_copy_keeps_the_source(
    service: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_safetensors(tmp_path / "usb" / "m.safetensors", seed=5)
    before = fingerprint(source)
    monkeypatch.setattr(import_transfer, "same_filesystem", lambda a, b: False)
    real_hash = import_transfer.hash_file

    def corrupting_hash(path, progress=None, cancel=None):
        good = real_hash(path, progress, cancel)
        return good.model_copy(update={"sha256": "0" * 64})

    monkeypatch.setattr(import_transfer, "hash_file", corrupting_hash)
    (result,) = run_import(service, [source], mode="move")[1]
    assert not result.ok and result.error.code == "import_failed"
    assert "does not match" in result.error.message
    assert fingerprint(source) == before
    assert published_dirs(service.root) == [] and staged_entries(service.root) == []


def test_link_mode_hard_links_and_keeps_the_source(service: LibraryService, tmp_path: Path) -> None:
    source = write_safetensors(tmp_path / "m.safetensors", seed=6)
    (result,) = run_import(service, [source], mode="link")[1]
    stored = service.root / result.path / "m.safetensors"
    assert result.ok and source.exists()
    assert stored.stat().st_ino == source.stat().st_ino and source.stat().st_nlink == 2
    assert result.hashes.sha256 == sha256_of(source)


def test_link_mode_across_filesystems_is_a_clear_error(
    service: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_safetensors(tmp_path / "m.safetensors", seed=7)
    monkeypatch.setattr(os, "link", _fail_link(errno.EXDEV))
    (result,) = run_import(service, [source], mode="link")[1]
    assert not result.ok and result.error.code == "cross_device"
    assert "same filesystem" in result.error.message
    assert staged_entries(service.root) == [] and source.exists()


def test_moving_a_duplicate_keeps_the_source(service: LibraryService, tmp_path: Path) -> None:
    first = write_safetensors(tmp_path / "a" / "m.safetensors", seed=8)
    run_import(service, [first])
    again = tmp_path / "b" / "m.safetensors"
    again.parent.mkdir()
    again.write_bytes(first.read_bytes())
    before = fingerprint(again)
    (result,) = run_import(service, [again], mode="move")[1]
    assert result.ok and result.duplicate_of is not None
    assert fingerprint(again) == before and again.stat().st_nlink == 1
    assert any("source was kept" in w for w in result.warnings)


def test_moving_a_folder_model_removes_the_emptied_folder(
    service: LibraryService, tmp_path: Path
) -> None:
    folder = tmp_path / "pipe"
    rels = make_diffusers_folder(folder)
    hashes = {rel: sha256_of(folder / rel) for rel in rels}
    (result,) = run_import(service, [folder], mode="move")[1]
    assert result.ok and not folder.exists()
    for rel, sha in hashes.items():
        assert sha256_of(service.root / result.path / rel) == sha


def test_copy_failure_midway_cleans_up_and_reports(
    service: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pipe"
    make_diffusers_folder(folder)
    before = {p: fingerprint(p) for p in folder.rglob("*") if p.is_file()}
    real_copy = import_transfer.copy_with_hashes
    calls = []

    def failing_copy(src, dst, progress=None, cancel=None):
        calls.append(src)
        if len(calls) == 3:
            raise OSError(errno.EIO, "Input/output error", str(src))
        return real_copy(src, dst, progress, cancel)

    monkeypatch.setattr(import_transfer, "copy_with_hashes", failing_copy)
    (result,) = run_import(service, [folder])[1]
    assert not result.ok and result.error.code == "io_error"
    assert str(calls[-1]) in result.error.message
    assert staged_entries(service.root) == [] and published_dirs(service.root) == []
    assert {p: fingerprint(p) for p in before} == before


def test_cancel_propagates_after_cleanup(service: LibraryService, tmp_path: Path) -> None:
    source = write_safetensors(tmp_path / "m.safetensors", seed=9)
    plan = service.plan_import([str(source)])
    token = CancelToken()

    def cancel_on_copy(progress) -> None:
        if progress.stage == "copying":
            token.cancel()

    with pytest.raises(OperationCancelled):
        service.import_item(plan.items[0], ImportOptions(lookup=False), cancel_on_copy, token)
    assert staged_entries(service.root) == [] and published_dirs(service.root) == []
    assert source.exists()


@pytest.mark.parametrize("mode", ["move", "link"])
def test_a_file_the_hash_cache_knows_is_not_read_again_after_our_own_link(
    service: LibraryService, tmp_path: Path, mode: str
) -> None:
    """A file hashed before (a finished download, an adopted cache blob) keeps its cached
    hashes through the hard link into staging, although that link changes its ctime. Shown
    with planted hashes: had the import read the file, it would have the real ones."""
    from tensorshelf.io.types import FileHashes

    source = write_safetensors(tmp_path / "src" / "m.safetensors", seed=8)
    planted = FileHashes(sha256="5" * 64, blake3="b" * 64, size=source.stat().st_size)
    assert service.hash_cache is not None
    service.hash_cache.put(source, planted)
    (result,) = run_import(service, [source], mode=mode)[1]
    assert result.ok and result.hashes.sha256 == planted.sha256, "the cache answered"
    stored = service.root / result.path / "m.safetensors"
    assert service.hash_cache.get(stored) == planted, "cached anew under the new ctime"


def test_a_cached_file_rewritten_before_its_import_is_hashed_anew(
    service: LibraryService, tmp_path: Path
) -> None:
    from tensorshelf.io.types import FileHashes

    source = write_safetensors(tmp_path / "src" / "m.safetensors", seed=9)
    assert service.hash_cache is not None
    size = source.stat().st_size
    assert service.hash_cache.put(source, FileHashes(sha256="5" * 64, blake3="b" * 64, size=size))
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    (result,) = run_import(service, [source], mode="link")[1]
    assert result.ok and result.hashes.sha256 == sha256_of(source)
