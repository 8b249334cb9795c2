"""Kill a real import job process mid-batch and resume it: the finished models are not
copied again and the rest complete (issue 2, "Jobs and resume")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tensorshelf import settings
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import Locations
from tests.fixtures.jobs_env import WAIT_S, JobsEnv, open_env, sha256_of
from tests.fixtures.jobs_files import write_loras

ROOT = Path(__file__).resolve().parents[2]
BATCH = 20
KILL_AFTER = 7


def _child(
    locations: Locations, stop_after: int, paths: list[Path], **popen: Any
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != settings.ENV_TEST_PAUSE}
    env.update(popen.pop("env", {}))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fixtures.jobs_child",
            str(locations.home),
            str(locations.library),
            str(stop_after),
            *map(str, paths),
        ],
        cwd=ROOT,
        env=env,
        text=True,
        **popen,
    )


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(WAIT_S)


def _model_state(env: JobsEnv, model_id: str) -> tuple[int, int]:
    meta = env.service.model_dir(model_id) / settings.METADATA_FILE
    st = meta.stat()
    return st.st_ino, st.st_mtime_ns


@pytest.fixture
def batch(locations: Locations) -> list[Path]:
    return write_loras(locations.home.parent / "src", BATCH)


@pytest.fixture
def resumed_env(locations: Locations) -> Iterator[list[JobsEnv]]:
    holder: list[JobsEnv] = []
    yield holder
    for env in holder:
        env.close()


def test_killed_batch_import_resumes_without_recopying(
    locations: Locations, batch: list[Path], resumed_env: list[JobsEnv]
) -> None:
    proc = _child(locations, KILL_AFTER, batch, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    job_id, first_results = None, []
    try:
        for line in proc.stdout:
            event = json.loads(line)
            if event["type"] == "started":
                job_id = event["payload"]["job_id"]
            elif event["type"] == "job.item_done":
                first_results.append(event["payload"]["result"])
                if len(first_results) == KILL_AFTER:
                    break
    finally:
        _kill(proc)
    assert job_id is not None and len(first_results) == KILL_AFTER

    env = open_env(locations)  # a new process's view: the job is interrupted
    resumed_env.append(env)
    info = env.runner.get(job_id)
    assert info.status == "interrupted"
    assert info.items_done == KILL_AFTER and info.items_total == BATCH
    done_keys = [r["key"] for r in first_results]
    assert list(env.store.checkpoints(job_id)) == done_keys
    assert env.service.list_models(ListQuery()).total == KILL_AFTER
    before = {r["id"]: _model_state(env, r["id"]) for r in first_results}

    assert env.runner.resume() == [job_id]
    final = env.runner.wait(job_id, WAIT_S)
    assert final.status == "done", final.error
    assert (final.items_done, final.items_total) == (BATCH, BATCH)

    redone = [e.payload["result"]["key"] for e in env.of(job_id, "job.item_done")]
    assert len(redone) == BATCH - KILL_AFTER
    assert set(redone) == {str(p) for p in batch} - set(done_keys)
    touched = {
        e.payload["item"]["key"] for e in env.of(job_id, "job.progress") if e.payload["item"]
    }
    assert touched.isdisjoint(done_keys)  # the first 7 were not even read again
    assert {r["id"]: _model_state(env, r["id"]) for r in first_results} == before

    results = env.of(job_id, "job.done")[0].payload["result"]
    assert len(results) == BATCH and all(r["ok"] and r["duplicate_of"] is None for r in results)
    assert results[:KILL_AFTER] == first_results
    by_key = {r["key"]: r for r in results}
    assert {str(p): sha256_of(p) for p in batch} == {
        k: r["hashes"]["sha256"] for k, r in by_key.items()
    }
    assert env.service.list_models(ListQuery()).total == BATCH
    assert env.staging_entries() == []


def test_kill_inside_an_item_is_swept_and_that_item_resumed(
    locations: Locations, batch: list[Path], resumed_env: list[JobsEnv]
) -> None:
    few = batch[:4]
    with (locations.home.parent / "child.out").open("w") as out:
        proc = _child(
            locations,
            0,
            few,
            stdout=out,
            stderr=subprocess.PIPE,
            env={settings.ENV_TEST_PAUSE: "before_publish@3"},
        )
        assert proc.stderr is not None
        try:
            for line in proc.stderr:  # all files of item 3 staged, nothing published
                if line.startswith(settings.TEST_PAUSE_MARKER):
                    break
        finally:
            _kill(proc)

    env = open_env(locations)
    resumed_env.append(env)
    assert env.service.staging_swept  # the half-done third item was cleaned up at start
    assert env.staging_entries() == []
    [job] = env.store.interrupted()
    assert len(env.store.checkpoints(job.job_id)) == 2
    assert env.runner.resume(job.job_id) == [job.job_id]
    final = env.runner.wait(job.job_id, WAIT_S)
    assert final.status == "done"
    redone = [e.payload["result"]["key"] for e in env.of(job.job_id, "job.item_done")]
    assert redone == [str(p) for p in few[2:]]
    assert env.service.list_models(ListQuery()).total == len(few)
