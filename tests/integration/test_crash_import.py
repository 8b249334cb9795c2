"""Crash safety of `tensorshelf import` on a multi-GB (sparse) file: SIGKILL during the
copy, after the copy before publishing, and while metadata.json is being written (in copy
and in move mode). After each crash the next command sweeps staging, nothing partial is
listed, the source is where it was and unchanged, and a re-import succeeds."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import (
    HASH_CHUNK,
    PAUSE_ENV,
    PAUSE_MARKER,
    Cli,
    StderrWatcher,
    kill_hard,
    make_cli,
    published_model_dirs,
    staging_entries,
    write_lora,
)

BIG_FILE_BYTES = 2 * 1024**3  # multi-GB; every full copy of it costs seconds of disk writes
COPY_STARTED_BYTES = 64 * 1024**2  # kill once the staged copy has grown past this
PAUSE_TIMEOUT_S = 120
POLL_S = 0.02

# (import mode, where to kill). Pause points are the importer's TENSORSHELF_TEST_PAUSE_AT
# hooks; "during_copy" watches the staged file grow instead.
KILL_POINTS = [
    ("copy", "during_copy"),
    ("copy", "before_publish"),  # the whole file copied into staging, no metadata.json yet
    ("move", "metadata_write"),  # move on one filesystem: the user's own file is in staging
]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sparse_sha256(path: Path) -> str:
    """SHA-256 of a file whose data ends at the first hole (the rest reads as zeros),
    without faulting gigabytes of holes into the page cache."""
    size = path.stat().st_size
    with path.open("rb") as f:
        data_end = os.lseek(f.fileno(), 0, os.SEEK_HOLE)
        f.seek(0)
        head = f.read(data_end)
    digest = hashlib.sha256(head)
    zeros = bytes(HASH_CHUNK)
    left = size - len(head)
    while left:
        digest.update(zeros[: min(left, HASH_CHUNK)])
        left -= min(left, HASH_CHUNK)
    return digest.hexdigest()


def _identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _largest_staged_file(library: Path) -> int:
    staging = library / ".staging"
    if not staging.exists():
        return 0
    return max((p.stat().st_size for p in staging.rglob("*") if p.is_file()), default=0)


def _kill(cli: Cli, source: Path, mode: str, point: str) -> None:
    args = ["import", "--no-lookup", *(["--move"] if mode == "move" else []), str(source)]
    if point == "during_copy":
        proc = cli.spawn(*args)
        deadline = time.monotonic() + PAUSE_TIMEOUT_S
        try:
            while _largest_staged_file(cli.library) < COPY_STARTED_BYTES:
                assert proc.poll() is None, "the import ended before it could be killed"
                assert time.monotonic() < deadline, "the staged copy never grew"
                time.sleep(POLL_S)
        finally:
            kill_hard(proc)
        assert _largest_staged_file(cli.library) < BIG_FILE_BYTES  # really mid-copy
        return
    proc = cli.spawn(*args, env={PAUSE_ENV: point})
    try:
        assert point in StderrWatcher(proc).wait_for(PAUSE_MARKER, PAUSE_TIMEOUT_S)
    finally:
        kill_hard(proc)


def _assert_recovered(cli: Cli, crashes: int) -> None:
    assert staging_entries(cli.library), "the crash should have left staging behind"
    listing = cli.json("list")  # the first command after the crash sweeps staging
    assert listing["total"] == 0 and listing["models"] == []
    assert staging_entries(cli.library) == []
    assert published_model_dirs(cli.library) == []
    jobs = cli.json("jobs")["jobs"]
    assert [j["status"] for j in jobs] == ["interrupted"] * crashes


@pytest.mark.slow
def test_import_survives_sigkill_at_every_stage(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    source = write_lora(
        tmp_path / "src" / "big model.safetensors", seed=3, total_size=BIG_FILE_BYTES
    )
    assert source.stat().st_size == BIG_FILE_BYTES
    assert source.stat().st_blocks * 512 < BIG_FILE_BYTES // 100  # sparse: cheap to make
    identity, ctime = _identity(source), source.stat().st_ctime_ns
    sha_before = _sparse_sha256(source)

    for crashes, (mode, point) in enumerate(KILL_POINTS, start=1):
        _kill(cli, source, mode, point)
        _assert_recovered(cli, crashes)
        assert _identity(source) == identity, (mode, point)  # same file, same place
        assert source.stat().st_nlink == 1
        if mode == "copy":  # ctime moves on any write or link change: none happened
            assert source.stat().st_ctime_ns == ctime, point

    doc = cli.json("import", "--no-lookup", str(source))
    (result,) = doc["results"]
    assert result["ok"] is True and result["duplicate_of"] is None
    assert result["hashes"]["sha256"] == sha_before
    assert cli.json("list")["total"] == 1
    assert staging_entries(cli.library) == []
    assert (cli.library / result["path"] / source.name).stat().st_size == BIG_FILE_BYTES
    assert _identity(source) == identity
    assert _sha256(source) == sha_before
