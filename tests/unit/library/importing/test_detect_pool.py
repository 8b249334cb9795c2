"""detect_many (library/detect_pool.py): a batch detected in worker processes gives exactly
what detect_path gives one file at a time, failures in place; no pool → in-process."""

from __future__ import annotations

import logging
import os
import shutil
import time
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import pytest

from tensorshelf import settings
from tensorshelf.detect import detect_path
from tensorshelf.detect.models import Detection
from tensorshelf.library.importing import detect_pool
from tensorshelf.library.importing.planning import plan_import
from tests.fixtures.detect_files import make_model_file

CASES = [
    "lora_sd15_kohya_r32",
    "flux1_dev_q4_k_s_gguf",
    "sd15_ckpt_torch_zip",
    "t5xxl_fp16",
    "sdxl_vae_named",
    "embedding_sd1_8vec",
    "sd15_diffusers_folder",
]
IDLE_SECONDS = 1.0
IDLE_MAX_TICKS = 2  # CPU clock ticks (1/100 s) all idle pool processes may use in IDLE_SECONDS


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """More targets than the pool threshold: real model files, a corrupt one, a missing one."""
    root = tmp_path_factory.mktemp("mixed")
    targets = [make_model_file(case, root / case) for case in CASES]
    corrupt = root / "corrupt" / "broken.safetensors"
    corrupt.parent.mkdir()
    corrupt.write_bytes((2**20).to_bytes(8, "little") + b'{"a": [')  # header cut short
    targets += [corrupt, root / "missing.safetensors"]
    out = targets * (settings.DETECT_POOL_MIN_TARGETS // len(targets) + 2)
    assert len(out) > settings.DETECT_POOL_MIN_TARGETS
    return out


@pytest.fixture(autouse=True)
def fresh_pool(monkeypatch: pytest.MonkeyPatch) -> Any:
    detect_pool.shutdown()
    monkeypatch.setattr(detect_pool, "_unavailable", False)
    detect_pool.last_worker_pids.clear()
    yield
    detect_pool.shutdown()


def _same(got: list[Any], paths: list[Path]) -> None:
    assert len(got) == len(paths)
    for outcome, path in zip(got, paths, strict=True):
        try:
            want: Detection | Exception = detect_path(path)
        except Exception as exc:  # noqa: BLE001
            want = exc
        if isinstance(want, Detection):
            assert isinstance(outcome, Detection), (path, outcome)
            assert outcome.model_dump() == want.model_dump(), path
        else:
            assert type(outcome) is type(want) and str(outcome) == str(want), path
            assert getattr(outcome, "details", None) == getattr(want, "details", None)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


@pytest.mark.skipif(detect_pool.worker_count() < 2, reason="needs two cores")
def test_a_big_batch_runs_in_workers_and_matches_detect_path(mixed: list[Path]) -> None:
    got = detect_pool.detect_many(mixed)
    assert detect_pool.last_worker_pids, "the pool was not used"
    assert os.getpid() not in detect_pool.last_worker_pids
    _same(got, mixed)
    assert sum(isinstance(o, Exception) for o in got) >= 2  # corrupt + missing, in place
    again = detect_pool.detect_many(mixed)  # the pool is reused
    assert [type(o) for o in again] == [type(o) for o in got]
    # Idle, nothing runs: the workers and the fork server block in a read.
    pool = detect_pool._pool
    assert pool is not None
    pids = [*pool._processes, forkserver._forkserver._forkserver_pid]
    before = sum(_cpu_ticks(pid) for pid in pids)
    time.sleep(IDLE_SECONDS)
    assert sum(_cpu_ticks(pid) for pid in pids) - before <= IDLE_MAX_TICKS


def test_a_small_batch_stays_in_process(mixed: list[Path]) -> None:
    few = mixed[: settings.DETECT_POOL_MIN_TARGETS - 1]
    _same(detect_pool.detect_many(few), few)
    assert not detect_pool.last_worker_pids and detect_pool._pool is None


def test_no_pool_falls_back_to_in_process_with_a_warning(
    mixed: list[Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_semaphores() -> Any:
        raise OSError(38, "Function not implemented")  # what a sandbox without /dev/shm says

    monkeypatch.setattr(detect_pool, "_context", no_semaphores)
    monkeypatch.setattr(detect_pool, "worker_count", lambda: 2)
    with caplog.at_level(logging.WARNING, logger=detect_pool.__name__):
        got = detect_pool.detect_many(mixed)
    _same(got, mixed)
    assert not detect_pool.last_worker_pids
    assert "detecting in-process" in caplog.text
    caplog.clear()
    detect_pool.detect_many(mixed)  # tried once per process, not on every batch
    assert "detecting in-process" not in caplog.text


def test_plan_import_gives_the_same_plan_pooled_or_sequential(
    mixed: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = mixed[0].parents[1]
    copies = settings.DETECT_POOL_MIN_TARGETS // (len(CASES) + 1) + 1
    for i in range(copies):  # every case's folder, several times: more units than the threshold
        shutil.copytree(src, tmp_path / f"copy{i}", copy_function=os.link)
    pooled = plan_import([str(tmp_path)])
    assert len(pooled.items) == copies * (len(CASES) + 1) > settings.DETECT_POOL_MIN_TARGETS
    if detect_pool.worker_count() >= 2:
        assert detect_pool.last_worker_pids, "the pool was not used"
    monkeypatch.setattr(settings, "DETECT_POOL_MIN_TARGETS", 10**9)
    sequential = plan_import([str(tmp_path)])
    assert pooled.model_dump() == sequential.model_dump()
    assert (
        sum(bool(i.error and "broken.safetensors" in i.error.message) for i in pooled.items)
        == copies
    )
    assert sum(i.detection is not None for i in pooled.items) == copies * len(CASES)
