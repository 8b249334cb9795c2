"""copy_with_hashes: bytes and hashes right, source untouched, no partial file on failure."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.errors import DiskFull, OperationCancelled, SourceChanged
from tensorshelf.io.copying import copy_with_hashes
from tensorshelf.io.diskspace import ensure_free_space, free_bytes, nearest_existing
from tensorshelf.io.hashing import hash_file
from tensorshelf.io.pipeline import aligned_buffer
from tensorshelf.io.sinks import FdWriterSink
from tensorshelf.io.types import CancelToken
from tests.fixtures.io_files import (
    MIB,
    file_identity,
    pattern_bytes,
    reference_hashes,
    small_filesystem,
    write_file,
)

BUF = settings.COPY_BUFFER_BYTES
# Big enough that the reader must wait for the consumers before reading the last buffer,
# so a progress callback surely runs while part of the file is still unwritten.
PAST_PIPELINE = (settings.PIPELINE_QUEUE_DEPTH + 2) * BUF
FREE_SPACE_FS_BYTES = 8 * MIB


@pytest.mark.parametrize("size", [0, 1, BUF - 1, BUF, BUF + 1, 3 * BUF + 17])
def test_copy_preserves_bytes_and_returns_hashes(tmp_path: Path, size: int) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    data = write_file(src, size, seed=size + 1)
    before = file_identity(src)
    got = copy_with_hashes(src, dst)
    assert dst.read_bytes() == data
    assert (got.sha256, got.blake3, got.size) == reference_hashes([data])
    assert got == hash_file(dst)
    assert file_identity(src) == before


def test_copy_accepts_str_paths_and_non_ascii_names(tmp_path: Path) -> None:
    src = tmp_path / "Modèle été 🤖.safetensors"
    data = write_file(src, 1000)
    dst = tmp_path / "コピー.safetensors"
    copy_with_hashes(str(src), str(dst))
    assert dst.read_bytes() == data


def test_copy_refuses_existing_destination_and_leaves_it(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    write_file(src, 10)
    dst.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        copy_with_hashes(src, dst)
    assert dst.read_bytes() == b"precious"


def test_copy_refuses_dangling_symlink_destination(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "link"
    write_file(src, 10)
    dst.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(FileExistsError):
        copy_with_hashes(src, dst)
    assert not (tmp_path / "elsewhere").exists()


def test_missing_destination_dir(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    write_file(src, 10)
    with pytest.raises(FileNotFoundError):
        copy_with_hashes(src, tmp_path / "nope" / "dst.bin")


def test_copy_of_copy_mode_is_plain_new_file(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    write_file(src, 10)
    os.chmod(src, 0o600)
    os.utime(src, ns=(10**9, 10**9))
    copy_with_hashes(src, dst)
    assert os.stat(dst).st_mtime_ns != 10**9  # only bytes are copied
    assert stat.S_IMODE(os.stat(src).st_mode) == 0o600


@pytest.mark.parametrize("size", [BUF // 2, PAST_PIPELINE])
def test_failure_mid_copy_removes_partial_destination(tmp_path: Path, size: int) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    write_file(src, size)
    before = file_identity(src)

    def explode(_delta: int) -> None:
        assert dst.exists()  # the partial copy is there while copying
        raise RuntimeError("consumer of progress failed")

    with pytest.raises(RuntimeError, match="progress failed"):
        copy_with_hashes(src, dst, progress=explode)
    assert not dst.exists()
    assert file_identity(src) == before


def test_cancel_mid_copy(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    write_file(src, PAST_PIPELINE)
    before = file_identity(src)
    token = CancelToken()
    with pytest.raises(OperationCancelled):
        copy_with_hashes(src, dst, progress=lambda _d: token.cancel(), cancel=token)
    assert not dst.exists()
    assert file_identity(src) == before


def test_source_modified_during_copy(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    write_file(src, PAST_PIPELINE)
    os.utime(src, ns=(10**9, 10**9))
    done: list[bool] = []

    def modify(_delta: int) -> None:
        if not done:
            with open(src, "r+b") as f:
                f.seek(PAST_PIPELINE - 1)
                f.write(b"!")
            done.append(True)

    with pytest.raises(SourceChanged):
        copy_with_hashes(src, dst, progress=modify)
    assert not dst.exists()


def test_source_truncated_during_copy(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    write_file(src, PAST_PIPELINE)
    with pytest.raises(SourceChanged):
        copy_with_hashes(src, dst, progress=lambda _d: os.truncate(src, BUF))
    assert not dst.exists()


def test_disk_full_detected_before_copying(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    write_file(src, 20 * MIB)
    before = file_identity(src)
    with small_filesystem(tmp_path / "small", 8 * MIB) as small:
        dst = small / "dst.bin"
        with pytest.raises(DiskFull) as info:
            copy_with_hashes(src, dst)
        assert not dst.exists()
        assert list(small.iterdir()) in ([], [small / "lost+found"])
    assert info.value.code == "disk_full"
    assert str(small) in info.value.message and str(20 * MIB) in info.value.message
    assert info.value.details["needed_bytes"] == 20 * MIB
    assert file_identity(src) == before


def test_disk_full_mid_copy_removes_partial(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    write_file(src, PAST_PIPELINE)
    before = file_identity(src)
    with small_filesystem(tmp_path / "small", PAST_PIPELINE + 8 * MIB) as small:
        dst, filler = small / "dst.bin", small / "filler"

        def fill_disk(_delta: int) -> None:  # someone else takes the space mid-copy
            if filler.exists():
                return
            with open(filler, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * MIB)
                        f.flush()
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC

        with pytest.raises(DiskFull) as info:
            copy_with_hashes(src, dst, progress=fill_disk)
        assert not dst.exists()
        assert isinstance(info.value.__cause__, OSError)
        assert info.value.__cause__.errno == errno.ENOSPC
    assert str(PAST_PIPELINE) in info.value.message
    assert file_identity(src) == before


def test_ensure_free_space_and_free_bytes(tmp_path: Path) -> None:
    # a filesystem of its own: nothing else writing to it changes its free space meanwhile
    with small_filesystem(tmp_path / "fs", FREE_SPACE_FS_BYTES) as fs:
        assert free_bytes(fs / "not" / "yet") == free_bytes(fs) > 0
        assert nearest_existing(fs / "not" / "yet") == fs
        ensure_free_space(fs, 1)
        with pytest.raises(DiskFull, match="needs"):
            ensure_free_space(fs, FREE_SPACE_FS_BYTES + 1)


# ---- the writer sink's direct-I/O path ------------------------------------------------------


def _writer(path: Path) -> tuple[int, FdWriterSink]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    return fd, FdWriterSink(fd, direct=True)


def test_writer_direct_io_with_aligned_buffers_and_unaligned_tail(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    fd, writer = _writer(path)
    started_direct = writer.direct
    block = aligned_buffer(2 * settings.DIRECT_IO_ALIGN_BYTES)
    block[:] = pattern_bytes(len(block))
    try:
        writer.consume(block)
        assert writer.direct == started_direct  # aligned: stays direct if it could start
        writer.consume(block[:100])  # the tail
        assert not writer.direct
        writer.consume(block)  # and later buffers still land in order
    finally:
        os.close(fd)
    assert path.read_bytes() == bytes(block) + bytes(block[:100]) + bytes(block)


def test_writer_falls_back_on_misaligned_memory(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    fd, writer = _writer(path)
    data = pattern_bytes(settings.DIRECT_IO_ALIGN_BYTES * 3)
    misaligned = memoryview(bytearray(b"-" + data))[1:]  # right length, odd address
    try:
        writer.consume(misaligned)
    finally:
        os.close(fd)
    assert path.read_bytes() == data


def test_writer_without_direct_io(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    writer = FdWriterSink(fd, direct=False)
    try:
        assert not writer.direct
        writer.consume(memoryview(b"abc"))
    finally:
        os.close(fd)
    assert path.read_bytes() == b"abc"


def test_copy_onto_tmpfs_and_back(tmp_path: Path) -> None:
    """Real filesystems with different direct-I/O behaviour give identical copies."""
    src = tmp_path / "src.bin"
    data = write_file(src, 3 * BUF + 4097)
    with small_filesystem(tmp_path / "small", 64 * MIB) as small:
        there = copy_with_hashes(src, small / "copy.bin")
        back = copy_with_hashes(small / "copy.bin", tmp_path / "back.bin")
    assert there == back and (tmp_path / "back.bin").read_bytes() == data
