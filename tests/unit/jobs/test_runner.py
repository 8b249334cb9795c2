"""JobRunner against a real LibraryService on a temporary library with real files."""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument, JobNotFound, ModelNotFound, PlanNotFound
from tensorshelf.jobs.events import Event
from tensorshelf.jobs.import_task import import_params
from tensorshelf.library.models import ImportOptions
from tensorshelf.library.query_models import ListQuery
from tensorshelf.library.service import LibraryService
from tensorshelf.settings import Locations
from tests.fixtures.jobs_env import (
    WAIT_S,
    JobsEnv,
    dead_pid,
    open_env,
    set_job_owner,
    sha256_of,
    start_import_of,
)
from tests.fixtures.jobs_files import write_lora, write_loras


@pytest.fixture
def env(locations: Locations) -> Iterator[JobsEnv]:
    e = open_env(locations)
    yield e
    e.close()


def _src(locations: Locations) -> Path:
    return locations.home.parent / "src"


def _keys(events: list[Event]) -> list[str]:
    return [e.payload["result"]["key"] for e in events]


def test_import_batch_publishes_ordered_events_and_checkpoints(env: JobsEnv) -> None:
    files = write_loras(_src(env.locations), 3)
    job_id = start_import_of(env.runner, [str(f) for f in files])
    info = env.runner.wait(job_id, WAIT_S)
    assert info.status == "done" and info.error is None
    assert (info.items_done, info.items_total) == (3, 3)
    assert info.bytes_done == info.bytes_total == sum(f.stat().st_size for f in files)

    job_events = env.of(job_id)
    assert job_events[0].type == "job.progress" and job_events[-1].type == "job.done"
    assert _keys(env.of(job_id, "job.item_done")) == [str(f) for f in files]
    progress = [e.payload for e in env.of(job_id, "job.progress")]
    assert [p["items_done"] for p in progress] == sorted(p["items_done"] for p in progress)
    assert [p["bytes_done"] for p in progress] == sorted(p["bytes_done"] for p in progress)
    assert {p["item"]["stage"] for p in progress if p["item"]} >= {"copying", "done"}
    assert progress[-1]["bytes_done"] == progress[-1]["bytes_total"]

    results = env.of(job_id, "job.done")[0].payload["result"]
    assert [r["ok"] for r in results] == [True, True, True]
    assert [r["hashes"]["sha256"] for r in results] == [sha256_of(f) for f in files]
    assert info.result == results
    # library.changed follows each item_done with that item's model id
    order = [
        (e.type, e.payload.get("ids"))
        for e in env.events
        if e.type in ("job.item_done", "library.changed")
    ]
    assert order == [
        x for r in results for x in (("job.item_done", None), ("library.changed", [r["id"]]))
    ]
    assert list(env.store.checkpoints(job_id)) == [str(f) for f in files]
    assert env.service.list_models(ListQuery()).total == 3


def test_a_failing_item_does_not_stop_the_batch(env: JobsEnv) -> None:
    src = _src(env.locations)
    good = write_loras(src, 2)
    bad = src / "broken.safetensors"
    bad.write_bytes((10**9).to_bytes(8, "little") + b"{}")  # header longer than the file
    ckpt = src / "old.ckpt"
    ckpt.write_bytes(pickle.dumps({"state_dict": {}}, protocol=4))  # refused without consent
    missing = src / "nowhere.safetensors"
    job_id = start_import_of(
        env.runner, [str(good[0]), str(bad), str(ckpt), str(missing), str(good[1])]
    )
    info = env.runner.wait(job_id, WAIT_S)
    assert info.status == "done"
    by_key = {r["key"]: r for r in info.result}
    assert by_key[str(good[0])]["ok"] and by_key[str(good[1])]["ok"]
    assert not by_key[str(ckpt)]["ok"] and by_key[str(ckpt)]["error"]["code"] == "pickle_refused"
    assert not by_key[str(bad)]["ok"] and by_key[str(bad)]["error"]["message"]
    assert not by_key[str(missing)]["ok"] and by_key[str(missing)]["error"]["code"] == "rejected"
    assert env.service.list_models(ListQuery()).total == 2
    assert set(env.store.checkpoints(job_id)) == {str(good[0]), str(good[1])}  # failures retry
    assert env.staging_entries() == []


def test_each_chosen_item_gets_its_own_options(env: JobsEnv) -> None:
    files = write_loras(_src(env.locations), 3)
    items = {
        str(files[0]): ImportOptions(tags=["batch"]),
        str(files[1]): ImportOptions(name="Special One", tags=["keep"]),
    }  # files[2] was left out in review: it is not imported
    job_id = start_import_of(env.runner, [str(f) for f in files], ImportOptions(), items)
    info = env.runner.wait(job_id, WAIT_S)
    assert [r["key"] for r in info.result] == [str(files[0]), str(files[1])]
    first, second = (env.service.get_model(r["id"]) for r in info.result)
    assert second.name == "Special One"
    assert "keep" in second.tags and "batch" not in second.tags
    assert "batch" in first.tags
    params = env.store.params(job_id)
    assert params["items"][str(files[1])]["name"] == "Special One"
    assert env.store.plan(params["plan_id"]).items[2].key == str(files[2])  # kept, not imported


def test_a_key_that_is_not_in_the_plan_is_refused(env: JobsEnv) -> None:
    files = write_loras(_src(env.locations), 1)
    plan = env.runner.plan_import([str(files[0])])
    assert plan.plan_id is not None
    with pytest.raises(InvalidArgument, match="not in plan"):
        env.runner.start_import(plan.plan_id, None, {"/elsewhere.safetensors": ImportOptions()})
    with pytest.raises(PlanNotFound):
        env.runner.start_import("no-such-plan")
    assert env.runner.list_jobs() == []


def test_cancel_mid_import_cleans_staging_and_ends_cancelled(env: JobsEnv) -> None:
    src = _src(env.locations)
    big = write_lora(src / "big.safetensors", 1, sparse_tail=64 << 20)
    before = (big.stat().st_size, big.stat().st_mtime_ns, sha256_of(big))
    job: dict[str, Any] = {}
    seen_copying = threading.Event()

    def cancel_when_copying(event: Event) -> None:
        item = event.payload.get("item") or {}
        if (
            event.type == "job.progress"
            and item.get("stage") == "copying"
            and not seen_copying.is_set()
        ):
            seen_copying.set()
            env.runner.cancel(event.payload["job_id"], wait_s=0)

    env.bus.subscribe(cancel_when_copying)
    job["id"] = start_import_of(env.runner, [str(big)])
    info = env.runner.wait(job["id"], WAIT_S)
    assert seen_copying.is_set()
    assert info.status == "cancelled"
    assert env.of(job["id"], "job.done")[-1].payload["status"] == "cancelled"
    assert env.of(job["id"], "job.item_done") == []
    assert env.staging_entries() == []
    assert env.service.list_models(ListQuery()).total == 0
    assert (big.stat().st_size, big.stat().st_mtime_ns, sha256_of(big)) == before
    assert env.store.get(job["id"]).status == "cancelled"
    assert env.runner.cancel(job["id"]).status == "cancelled"  # idempotent


class _HeldService(LibraryService):
    """The real service, with imports held at the door until the test lets them in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entered = threading.Event()
        self.release = threading.Event()

    def import_item(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        assert self.release.wait(WAIT_S)
        return super().import_item(*args, **kwargs)


def test_imports_run_one_at_a_time_and_a_queued_one_can_be_cancelled(locations: Locations) -> None:
    env = open_env(locations, _HeldService)
    service: _HeldService = env.service  # type: ignore[assignment]
    try:
        a, b, c = write_loras(_src(locations), 3)
        job_a = start_import_of(env.runner, [str(a)])
        assert service.entered.wait(WAIT_S)
        job_b = start_import_of(env.runner, [str(b)])
        job_c = start_import_of(env.runner, [str(c)])
        assert env.of(job_b) == [] and env.of(job_c) == []  # waiting, not even planned
        assert env.runner.get(job_b).status == "running"
        cancelled = env.runner.cancel(job_b)
        assert cancelled.status == "cancelled"
        rebuild = env.runner.start_rebuild()  # not behind the import gate
        assert env.runner.wait(rebuild, WAIT_S).status == "done"
        assert env.of(job_c) == []
        service.release.set()
        assert env.runner.wait(job_a, WAIT_S).status == "done"
        assert env.runner.wait(job_c, WAIT_S).status == "done"
        a_done = env.events.index(env.of(job_a, "job.done")[0])
        assert env.events.index(env.of(job_c)[0]) > a_done
        assert env.service.list_models(ListQuery()).total == 2
    finally:
        service.release.set()
        env.close()


class _BrokenRebuild(LibraryService):
    def rebuild(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")


def test_runner_survives_an_exception_inside_a_job(
    locations: Locations, caplog: pytest.LogCaptureFixture
) -> None:
    env = open_env(locations, _BrokenRebuild)
    try:
        with caplog.at_level(logging.ERROR, logger="tensorshelf.jobs.runner"):
            job_id = env.runner.start_rebuild()
            info = env.runner.wait(job_id, WAIT_S)
        assert info.status == "failed"
        assert info.error is not None and "disk on fire" in info.error.message
        done = env.of(job_id, "job.done")[0].payload
        assert done["status"] == "failed" and "disk on fire" in done["error"]["message"]
        assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in caplog.records)
        files = write_loras(_src(locations), 1)
        after = start_import_of(env.runner, [str(files[0])])
        assert env.runner.wait(after, WAIT_S).status == "done"
        assert all(j.status != "running" for j in env.runner.list_jobs())
        # idle means idle: no worker thread outlives its job
        assert [t.name for t in threading.enumerate() if t.name.startswith("job-")] == []
    finally:
        env.close()


def test_resume_skips_checkpointed_items_even_after_a_move(env: JobsEnv) -> None:
    files = write_loras(_src(env.locations), 5)
    paths = [str(f) for f in files]
    move = ImportOptions(mode="move")
    # an earlier process planned all five, moved the first two in, then died
    plan = env.runner.plan_import(paths)
    assert plan.plan_id is not None
    first = env.runner.wait(start_import_of(env.runner, paths[:2], move), WAIT_S)
    assert first.status == "done" and not files[0].exists()
    crashed = env.store.create("import", import_params(plan.plan_id, move, None), "Import 5")
    for key, result in env.store.checkpoints(first.job_id).items():
        env.store.add_checkpoint(crashed.job_id, key, result)
    set_job_owner(env.locations.ops_db, crashed.job_id, dead_pid())
    assert env.runner.get(crashed.job_id).status == "interrupted"
    assert [j.job_id for j in env.runner.list_jobs() if j.status == "interrupted"] == [
        crashed.job_id
    ]

    assert env.runner.resume() == [crashed.job_id]
    info = env.runner.wait(crashed.job_id, WAIT_S)
    assert info.status == "done" and (info.items_done, info.items_total) == (5, 5)
    assert _keys(env.of(crashed.job_id, "job.item_done")) == paths[2:]
    touched = {
        e.payload["item"]["key"]
        for e in env.of(crashed.job_id, "job.progress")
        if e.payload["item"]
    }
    assert touched == set(paths[2:])
    assert [r["key"] for r in info.result] == paths  # no "no such file" for the moved ones
    assert all(r["ok"] and r["duplicate_of"] is None for r in info.result)
    assert info.result[:2] == first.result
    assert env.service.list_models(ListQuery()).total == 5
    first_progress = env.of(crashed.job_id, "job.progress")[0].payload
    assert (first_progress["items_done"], first_progress["items_total"]) == (2, 5)
    assert env.runner.resume() == []


def test_resume_and_cancel_of_jobs_in_other_states(env: JobsEnv) -> None:
    with pytest.raises(JobNotFound):
        env.runner.resume("no-such-job")
    files = write_loras(_src(env.locations), 1)
    done = env.runner.wait(start_import_of(env.runner, [str(files[0])]), WAIT_S)
    with pytest.raises(InvalidArgument):
        env.runner.resume(done.job_id)
    assert env.runner.cancel(done.job_id).status == "done"  # finished jobs stay as they are

    orphan = env.store.create("rebuild", {}, "Rebuild index")
    set_job_owner(env.locations.ops_db, orphan.job_id, dead_pid())
    assert env.runner.cancel(orphan.job_id).status == "cancelled"  # not to be resumed
    assert env.runner.resume() == []
    assert env.of(orphan.job_id, "job.done")[0].payload["status"] == "cancelled"


def test_verify_job_checks_every_model_and_reports_a_mismatch(env: JobsEnv) -> None:
    files = write_loras(_src(env.locations), 3)
    imported = env.runner.wait(start_import_of(env.runner, [str(f) for f in files]), WAIT_S)
    ids = [r["id"] for r in imported.result]
    with pytest.raises(ModelNotFound):
        env.runner.start_verify(["no-such-model"])
    rotten = env.service.model_dir(ids[1]) / files[1].name
    data = bytearray(rotten.read_bytes())
    data[-1] ^= 0xFF  # bit rot in the library copy
    rotten.write_bytes(bytes(data))

    job_id = env.runner.start_verify(None, full=True)
    info = env.runner.wait(job_id, WAIT_S)
    assert info.status == "done" and info.items_done == 3
    verdict = {m["id"]: m["ok"] for m in info.result["models"]}
    assert verdict == {ids[0]: True, ids[1]: False, ids[2]: True}
    assert info.result["bytes_read"] == sum(f.stat().st_size for f in files)
    assert set(env.store.checkpoints(job_id)) == set(ids)
    assert len(env.of(job_id, "job.item_done")) == 3

    one = env.runner.wait(env.runner.start_verify([ids[0][:-4]]), WAIT_S)  # a unique prefix
    assert [m["id"] for m in one.result["models"]] == [ids[0]]
    assert one.title == "Verify 1 model"


def test_rebuild_job_reports_counts_and_library_changed(env: JobsEnv) -> None:
    files = write_loras(_src(env.locations), 2)
    env.runner.wait(start_import_of(env.runner, [str(f) for f in files]), WAIT_S)
    job_id = env.runner.start_rebuild()
    info = env.runner.wait(job_id, WAIT_S)
    assert info.status == "done" and info.result["models_indexed"] == 2
    assert (info.items_done, info.items_total) == (2, 2)
    changed = [e for e in env.events if e.type == "library.changed"]
    assert changed[-1].payload == {"ids": [], "reason": "rebuild", "elsewhere": False}
    assert env.events[-1].type == "job.done"


def test_start_import_rejects_an_empty_batch_and_closed_runner(env: JobsEnv) -> None:
    with pytest.raises(InvalidArgument):
        env.runner.plan_import([])
    env.runner.close()
    with pytest.raises(InvalidArgument):
        env.runner.start_rebuild()


def test_batch_import_checkpoints_the_index_wal(env: JobsEnv) -> None:
    """IDX-04: a 12-model batch folds models.db's WAL back (every 5th model and at the end)."""
    calls: list[int] = []
    real = env.service.checkpoint_index

    def counting() -> None:
        calls.append(env.service.list_models(ListQuery(limit=1)).total)
        real()

    env.service.checkpoint_index = counting  # type: ignore[method-assign]
    files = write_loras(_src(env.locations), 12)
    job = start_import_of(env.runner, [str(f) for f in files], ImportOptions(lookup=False))
    assert env.runner.wait(job, timeout=WAIT_S).status == "done"
    assert calls == [5, 10, 12]
    wal = env.locations.library / "models.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


class _PairedService(LibraryService):
    """Each import waits until a second one is under way too (or gives up)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pair = threading.Barrier(2, timeout=WAIT_S / 4)

    def import_item(self, *args: Any, **kwargs: Any) -> Any:
        self.pair.wait()
        return super().import_item(*args, **kwargs)


def test_a_batch_imports_two_files_at_once_when_the_drive_takes_two(
    locations: Locations, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.ENV_IO_STREAMS, "2")
    env = open_env(locations, _PairedService)
    try:
        files = write_loras(_src(locations), 4)
        info = env.runner.wait(start_import_of(env.runner, [str(f) for f in files]), WAIT_S)
        assert info.status == "done", info.error
        assert [r["key"] for r in info.result] == [str(f) for f in files]  # plan order
        assert all(r["ok"] for r in info.result)
        assert env.service.list_models(ListQuery()).total == 4
        assert set(env.store.checkpoints(info.job_id)) == {str(f) for f in files}
        last = env.of(info.job_id, "job.progress")[-1].payload
        assert (last["items_done"], last["bytes_done"]) == (4, last["bytes_total"])
    finally:
        env.close()
