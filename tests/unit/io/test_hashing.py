"""hash_file and the shared pipeline: hashes equal hashlib/blake3, one read, cancel, change."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path

import blake3
import pytest

from tensorshelf import settings
from tensorshelf.errors import OperationCancelled, SourceChanged
from tensorshelf.io.hashing import hash_file
from tensorshelf.io.pipeline import SourceFile, pump
from tensorshelf.io.sinks import Blake3Sink, Sha256Sink
from tensorshelf.io.types import CancelToken
from tests.fixtures.io_files import MIB, make_sparse, reference_hashes, write_file

BUF = settings.COPY_BUFFER_BYTES
SIZES = [0, 1, 2, BUF - 1, BUF, BUF + 1, 2 * BUF, 5 * BUF + 123]


@pytest.mark.parametrize("size", SIZES)
def test_hashes_equal_reference(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.bin"
    data = write_file(path, size, seed=size)
    got = hash_file(path)
    assert (got.sha256, got.blake3, got.size) == reference_hashes([data])
    assert got.sha256 == hashlib.sha256(data).hexdigest()
    assert got.blake3 == blake3.blake3(data).hexdigest()


@pytest.mark.parametrize(
    "buffer_bytes,depth,size",
    [(1, 1, 1_500), (7, 2, 3_001), (4096, 3, 200_003), (65536, 8, 1_000_003)],
)
def test_threaded_pipeline_with_tiny_buffers(
    tmp_path: Path, buffer_bytes: int, depth: int, size: int
) -> None:
    path = tmp_path / "f.bin"
    data = write_file(path, size)
    sha, b3 = Sha256Sink(), Blake3Sink()
    with SourceFile(path) as src:
        total = pump(src.file, [sha, b3], buffer_bytes=buffer_bytes, depth=depth)
    assert total == size
    assert (sha.hexdigest(), b3.hexdigest()) == reference_hashes([data])[:2]


def test_pump_with_no_sinks_reads_to_the_end(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, 3 * MIB)
    with SourceFile(path) as src:
        assert pump(src.file, [], buffer_bytes=MIB, depth=2) == 3 * MIB


class _CountingReader(io.RawIOBase):
    """Wraps a FileIO and counts how many bytes are read from it."""

    def __init__(self, inner: io.FileIO) -> None:
        self.inner, self.bytes_read = inner, 0

    def readinto(self, buf):  # type: ignore[no-untyped-def, override]
        n = self.inner.readinto(buf)
        self.bytes_read += n or 0
        return n


@pytest.mark.parametrize("expected_size", [None, 10 * MIB])
def test_every_byte_read_exactly_once(tmp_path: Path, expected_size: int | None) -> None:
    path = tmp_path / "f.bin"
    write_file(path, 10 * MIB)
    with SourceFile(path) as src:
        reader = _CountingReader(src.file)
        pump(reader, [Sha256Sink(), Blake3Sink()], expected_size=expected_size)  # type: ignore[arg-type]
    assert reader.bytes_read == 10 * MIB


def test_progress_deltas_sum_to_size(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, 3 * BUF + 5)
    deltas: list[int] = []
    hash_file(path, progress=deltas.append)
    assert deltas and all(d > 0 for d in deltas)
    assert sum(deltas) == 3 * BUF + 5


def test_progress_of_empty_file_is_silent(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.touch()
    deltas: list[int] = []
    assert hash_file(path, progress=deltas.append).size == 0
    assert deltas == []


def test_cancel_before_start(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, BUF // 2)
    token = CancelToken()
    token.cancel()
    with pytest.raises(OperationCancelled):
        hash_file(path, cancel=token)


def test_cancel_mid_way(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, (settings.PIPELINE_QUEUE_DEPTH + 3) * BUF)
    token = CancelToken()
    seen: list[int] = []

    def progress(delta: int) -> None:
        seen.append(delta)
        token.cancel()

    with pytest.raises(OperationCancelled):
        hash_file(path, progress=progress, cancel=token)
    assert seen, "progress should have fired before the end"


def test_sink_error_propagates_and_stops_reading(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, 20 * MIB)

    class Boom:
        name = "boom"

        def __init__(self) -> None:
            self.calls = 0

        def consume(self, data: memoryview) -> None:
            self.calls += 1
            raise RuntimeError("sink failed")

    boom = Boom()
    with SourceFile(path) as src, pytest.raises(RuntimeError, match="sink failed"):
        reader = _CountingReader(src.file)
        pump(reader, [Sha256Sink(), boom], buffer_bytes=MIB, depth=2)  # type: ignore[arg-type]
    assert boom.calls == 1
    assert reader.bytes_read < 20 * MIB


def test_threads_are_not_left_behind(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, 2 * BUF + 1)
    before = threading.active_count()
    hash_file(path)
    assert threading.active_count() == before


def test_source_growing_while_hashed_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, (settings.PIPELINE_QUEUE_DEPTH + 3) * BUF)

    def grow(_delta: int) -> None:
        with open(path, "ab") as f:
            f.write(b"more")

    with pytest.raises(SourceChanged) as info:
        hash_file(path, progress=grow)
    assert info.value.code == "source_changed"
    assert str(path) in info.value.message


def test_source_rewritten_in_place_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    write_file(path, (settings.PIPELINE_QUEUE_DEPTH + 3) * BUF)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # so a rewrite surely moves mtime
    rewritten: list[bool] = []

    def rewrite(_delta: int) -> None:
        if not rewritten:
            with open(path, "r+b") as f:
                f.write(b"X")
            rewritten.append(True)

    with pytest.raises(SourceChanged):
        hash_file(path, progress=rewrite)


def test_directory_and_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        hash_file(tmp_path)
    with pytest.raises(FileNotFoundError):
        hash_file(tmp_path / "missing")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        hash_file(fifo)


# Expected values checked independently (sha256sum on the same sparse file).
SPARSE_SIZE = 3 * 1024 * MIB
SPARSE_MARKS = {0: b"start", 1024 * MIB + 7: b"middle" * 1000, SPARSE_SIZE - 3: b"end"}
SPARSE_SHA256 = "46fe3a6a1ef6819ad67d0ce9412e5a9e13e4dcdb48e321accb9c96c603df2523"
SPARSE_BLAKE3 = "40f491d3f7cdb831984e6ead29b8e95d87b7ec2f6d19afdf8ec974dfaa8efbbf"


@pytest.mark.slow
def test_sparse_3gib_file(tmp_path: Path) -> None:
    path = tmp_path / "sparse.bin"
    make_sparse(path, SPARSE_SIZE, SPARSE_MARKS)
    assert os.stat(path).st_blocks * 512 < 64 * MIB, "fixture should be sparse"
    got = hash_file(path)
    assert (got.sha256, got.blake3, got.size) == (SPARSE_SHA256, SPARSE_BLAKE3, SPARSE_SIZE)
