"""rename_no_replace / hardlink / same_filesystem, including real cross-filesystem EXDEV."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensorshelf.errors import CrossDevice
from tensorshelf.io import transfer
from tensorshelf.io.transfer import hardlink, rename_no_replace, same_filesystem
from tests.fixtures.io_files import other_filesystem_dir, small_filesystem


@pytest.fixture(params=["atomic", "fallback"])
def rename_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run rename tests with renameat2(RENAME_NOREPLACE) and with the portable fallback."""
    if request.param == "atomic" and transfer._NOREPLACE_RENAME is None:
        pytest.skip("no renameat2/renamex_np on this platform")
    if request.param == "fallback":
        monkeypatch.setattr(transfer, "_NOREPLACE_RENAME", None)
    return str(request.param)


@pytest.fixture
def other_fs(tmp_path: Path) -> Iterator[Path]:
    """A directory on a different filesystem than tmp_path (/dev/shm, else a tmpfs mount)."""
    shm = other_filesystem_dir(tmp_path)
    if shm is not None:
        own = shm / f"tensorshelf-test-{os.getpid()}-{tmp_path.name}"
        own.mkdir()
        try:
            yield own
        finally:
            shutil.rmtree(own, ignore_errors=True)
        return
    with small_filesystem(tmp_path / "other", 1024 * 1024) as mounted:
        yield mounted


def test_rename_file(tmp_path: Path, rename_mode: str) -> None:
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_bytes(b"data")
    rename_no_replace(src, dst)
    assert not src.exists() and dst.read_bytes() == b"data"


def test_rename_directory(tmp_path: Path, rename_mode: str) -> None:
    src, dst = tmp_path / "staging", tmp_path / "final"
    src.mkdir()
    (src / "metadata.json").write_text("{}")
    rename_no_replace(src, dst)
    assert (dst / "metadata.json").read_text() == "{}" and not src.exists()


def test_rename_never_replaces_a_file(tmp_path: Path, rename_mode: str) -> None:
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_bytes(b"new")
    dst.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        rename_no_replace(src, dst)
    assert dst.read_bytes() == b"old" and src.read_bytes() == b"new"


def test_rename_never_replaces_an_empty_directory(tmp_path: Path, rename_mode: str) -> None:
    # Plain os.rename would silently replace an empty directory on POSIX.
    src, dst = tmp_path / "staging", tmp_path / "final"
    src.mkdir()
    (src / "f").write_text("x")
    dst.mkdir()
    with pytest.raises(FileExistsError):
        rename_no_replace(src, dst)
    assert (src / "f").exists() and list(dst.iterdir()) == []


def test_rename_missing_source(tmp_path: Path, rename_mode: str) -> None:
    with pytest.raises(FileNotFoundError):
        rename_no_replace(tmp_path / "missing", tmp_path / "b")


def test_rename_across_filesystems_is_cross_device(
    tmp_path: Path, other_fs: Path, rename_mode: str
) -> None:
    src, dst = tmp_path / "model.bin", other_fs / "model.bin"
    src.write_bytes(b"weights")
    with pytest.raises(CrossDevice) as info:
        rename_no_replace(src, dst)
    assert info.value.code == "cross_device"
    assert str(src) in info.value.message and str(dst) in info.value.message
    assert src.read_bytes() == b"weights" and not dst.exists()


def test_hardlink_across_filesystems_is_cross_device(tmp_path: Path, other_fs: Path) -> None:
    src = tmp_path / "model.bin"
    src.write_bytes(b"weights")
    with pytest.raises(CrossDevice):
        hardlink(src, other_fs / "model.bin")
    assert not (other_fs / "model.bin").exists()


def test_same_filesystem(tmp_path: Path, other_fs: Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    assert same_filesystem(tmp_path / "f", tmp_path / "not" / "yet" / "there")
    assert not same_filesystem(tmp_path / "f", other_fs / "new-file")
    assert not same_filesystem(other_fs, tmp_path)


def test_simulated_exdev_on_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "_NOREPLACE_RENAME", None)

    def exdev(*_args: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "rename", exdev)
    src = tmp_path / "a"
    src.write_bytes(b"x")
    with pytest.raises(CrossDevice):
        rename_no_replace(src, tmp_path / "b")
    assert src.exists()


def test_simulated_exdev_on_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def exdev(*_args: object, **_kw: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", exdev)
    (tmp_path / "a").write_bytes(b"x")
    with pytest.raises(CrossDevice):
        hardlink(tmp_path / "a", tmp_path / "b")


def test_hardlink_shares_inode_and_never_replaces(tmp_path: Path) -> None:
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_bytes(b"x")
    hardlink(src, dst)
    assert os.stat(src).st_ino == os.stat(dst).st_ino
    other = tmp_path / "c"
    other.write_bytes(b"other")
    with pytest.raises(FileExistsError):
        hardlink(src, other)
    assert other.read_bytes() == b"other"


def test_other_errors_stay_oserrors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        hardlink(tmp_path / "missing", tmp_path / "b")
