"""Import I/O: copy + SHA-256 + BLAKE3 + fsync in one pass, against its parts and the anchor.

(a) tensorshelf.io.copying.copy_with_hashes      (copy + sha256 + blake3 + fsync)
(b) hashlib.file_digest(f, "sha256")             (plain SHA-256, no copy)
(c) `cp SRC DST` + `sync DST`                     (plain copy, fsynced)
(d) the anchor's loop: 8 KiB chunks, both hashes and the write in one thread (+ fsync)
(e) tensorshelf.io.hashing.hash_file             (sha256 + blake3, no copy)

Target: time(a) / max(time(b), time(c)) <= 1.15 — doing everything in one pass costs at most
15 % more than the slowest single part. The source is read from the page cache ("warm",
as right after a download); the "cold" rows evict it first with POSIX_FADV_DONTNEED.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import blake3

from benchlib.harness import Row
from tensorshelf.io.copying import copy_with_hashes
from tensorshelf.io.hashing import hash_file
from tensorshelf.io.pipeline import SourceFile, pump
from tensorshelf.io.sinks import Blake3Sink, FdWriterSink, Sha256Sink, Sink

SECTION = "import"
BLOCK_BYTES = 64 * 1024 * 1024
FULL_BYTES = 2 * 1024 * 1024 * 1024
QUICK_BYTES = 256 * 1024 * 1024
FULL_REPEATS = 3
QUICK_REPEATS = 1
ANCHOR_CHUNK_BYTES = 8 * 1024
RATIO_TARGET = 1.15
GB = 1e9


def make_source(path: Path, size: int) -> None:
    """A real (non-sparse) file of incompressible bytes: one random block, repeated."""
    block = os.urandom(min(BLOCK_BYTES, size))
    with open(path, "wb") as f:
        left = size
        while left:
            left -= f.write(block[:left])
        f.flush()
        os.fsync(f.fileno())


def model_source(path: Path, size: int, seed: int = 0) -> Path:
    """A safetensors file whose header an import plan accepts, over `size` bytes of random
    data (written, not sparse: an import must read and hash every byte)."""
    from tests.fixtures.model_writer import write_safetensors

    write_safetensors({"tensors": {"w": ["U8", [size]]}, "metadata": {"seed": str(seed)}}, path)
    block = os.urandom(min(BLOCK_BYTES, size))
    fd = os.open(path, os.O_WRONLY)
    try:
        start = os.path.getsize(path) - size
        for offset in range(0, size, BLOCK_BYTES):
            os.pwrite(fd, block[: min(BLOCK_BYTES, size - offset)], start + offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def evict(path: Path) -> None:
    """Drop the file's clean pages from the page cache (this file only)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _copy_with_hashes(src: Path, dst: Path) -> None:
    copy_with_hashes(src, dst)


def _plain_sha256(src: Path, dst: Path) -> None:
    with open(src, "rb") as f:
        hashlib.file_digest(f, "sha256")


def _cp_sync(src: Path, dst: Path) -> None:
    subprocess.run(["cp", str(src), str(dst)], check=True)
    subprocess.run(["sync", str(dst)], check=True)  # fsyncs just that file


def _anchor_loop(src: Path, dst: Path) -> None:
    sha, b3 = hashlib.sha256(), blake3.blake3()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(ANCHOR_CHUNK_BYTES):
            sha.update(chunk)
            b3.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())


def _hash_file(src: Path, dst: Path) -> None:
    hash_file(src)


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class _TimedSink:
    """Wraps a sink and adds up the CPU time its thread spends in `consume`."""

    def __init__(self, inner: Sink) -> None:
        self.inner, self.name, self.cpu = inner, inner.name, 0.0

    def consume(self, data: memoryview) -> None:
        started = time.thread_time()
        self.inner.consume(data)
        self.cpu += time.thread_time() - started


def thread_breakdown(src: Path, dst: Path) -> dict[str, float]:
    """CPU seconds per pipeline thread for the copy_with_hashes pipeline (same code path)."""
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    sinks = [_TimedSink(Sha256Sink()), _TimedSink(Blake3Sink()), _TimedSink(FdWriterSink(fd))]
    try:
        with SourceFile(src) as source:
            started = time.thread_time()
            pump(source.file, sinks, expected_size=source.size)
            reader = time.thread_time() - started
        os.fsync(fd)
    finally:
        os.close(fd)
        dst.unlink(missing_ok=True)
    return {"reader": reader, **{s.name: s.cpu for s in sinks}}


def best_time(
    fn: Callable[[Path, Path], None], src: Path, dst: Path, repeats: int, cold: bool
) -> tuple[float, float]:
    """(wall, cpu) seconds of the fastest of `repeats` runs; dst removed between runs."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        if cold:
            evict(src)
        cpu0, started = _cpu_seconds(), time.perf_counter()
        fn(src, dst)
        wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu0
        best = min(best, (wall, cpu))
        dst.unlink(missing_ok=True)
    return best


def _rows(label: str, timing: tuple[float, float], size: int, note: str = "") -> list[Row]:
    wall, cpu = timing
    return [
        Row(SECTION, f"{label} time", wall, "s", "", note),
        Row(SECTION, f"{label} throughput", size / GB / wall, "GB/s", "", ""),
        Row(SECTION, f"{label} CPU time", cpu, "s", "", "user+sys, all threads"),
    ]


def run(workdir: Path, quick: bool) -> list[Row]:
    size = QUICK_BYTES if quick else FULL_BYTES
    repeats = QUICK_REPEATS if quick else FULL_REPEATS
    src, dst = workdir / "source.bin", workdir / "copy.bin"
    if shutil.disk_usage(workdir).free < 3 * size:
        return [Row(SECTION, "skipped", "no space", "", "", f"needs {3 * size} bytes free")]
    make_source(src, size)
    cases: dict[str, Callable[[Path, Path], None]] = {
        "(a) copy_with_hashes": _copy_with_hashes,
        "(b) hashlib sha256 only": _plain_sha256,
        "(c) cp + sync": _cp_sync,
        "(d) anchor 8 KiB loop": _anchor_loop,
        "(e) hash_file (no copy)": _hash_file,
    }
    load = os.getloadavg()[0]
    times = {label: best_time(fn, src, dst, repeats, cold=False) for label, fn in cases.items()}
    mib = size // (1024 * 1024)
    rows = [
        Row(SECTION, "file size", float(mib), "MiB", "", f"warm page cache, best of {repeats}"),
        Row(
            SECTION,
            "machine load at start (1 min)",
            load,
            "",
            "",
            f"{os.cpu_count()} cores; other load skews wall times",
        ),
    ]
    notes = {
        "(d) anchor 8 KiB loop": "anchor's approach (baseline)",
        "(c) cp + sync": "coreutils (copy_file_range), fsync of dst",
    }
    for label, timing in times.items():
        rows += _rows(label, timing, size, note=notes.get(label, ""))
    a = times["(a) copy_with_hashes"][0]
    floor = max(times["(b) hashlib sha256 only"][0], times["(c) cp + sync"][0])
    ratio = a / floor
    rows.append(
        Row(
            SECTION,
            "ratio (a)/max(b,c)",
            ratio,
            "x",
            f"<= {RATIO_TARGET}",
            "met" if ratio <= RATIO_TARGET else "NOT met",
        )
    )
    rows.append(
        Row(
            SECTION,
            "speed-up vs anchor (d)/(a)",
            times["(d) anchor 8 KiB loop"][0] / a,
            "x",
            "",
            "",
        )
    )
    per_thread = thread_breakdown(src, dst)
    for thread, cpu in per_thread.items():
        rows.append(Row(SECTION, f"(a) CPU in {thread} thread", cpu, "s", "", "one run"))
    busiest = max(per_thread, key=per_thread.__getitem__)
    rows.append(
        Row(
            SECTION,
            "CPU floor: busiest (a) thread / (b) CPU",
            per_thread[busiest] / times["(b) hashlib sha256 only"][1],
            "x",
            f"<= {RATIO_TARGET}",
            f"{busiest}; ~ the wall ratio on an idle {os.cpu_count()}-core machine",
        )
    )
    if not quick:
        cold = {
            label: best_time(cases[label], src, dst, 1, cold=True)
            for label in ("(a) copy_with_hashes", "(b) hashlib sha256 only", "(c) cp + sync")
        }
        for label, timing in cold.items():
            rows += _rows(f"{label}, cold", timing, size)
        cold_floor = max(cold["(b) hashlib sha256 only"][0], cold["(c) cp + sync"][0])
        rows.append(
            Row(
                SECTION,
                "ratio cold (a)/max(b,c)",
                cold["(a) copy_with_hashes"][0] / cold_floor,
                "x",
                f"<= {RATIO_TARGET}",
                "informative (disk-bound)",
            )
        )
    src.unlink()
    return rows
