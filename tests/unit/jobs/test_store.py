"""JobStore on a real ops.db: rows, checkpoints, interrupted detection, claiming."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import InvalidArgument, JobNotFound, PlanNotFound
from tensorshelf.io.processes import process_start
from tensorshelf.jobs.store import MIGRATIONS, JobStore, new_job_id, process_alive
from tensorshelf.library.models import ImportPlan


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _set_owner(db: Path, job_id: str, pid: int, pid_start: float | None) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE jobs SET pid = ?, pid_start = ? WHERE id = ?", (pid, pid_start, job_id)
        )


@pytest.fixture
def ops_db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "ops.db"


def test_create_get_list_and_finish(ops_db: Path) -> None:
    store = JobStore(ops_db)
    a = store.create("import", {"paths": ["/x/a.safetensors"]}, "Import a")
    b = store.create("rebuild", {}, "Rebuild index")
    assert a.status == "running" and a.kind == "import" and a.title == "Import a"
    assert store.params(a.job_id) == {"paths": ["/x/a.safetensors"]}
    assert [j.job_id for j in store.recent()] == [b.job_id, a.job_id]  # newest first
    store.update_progress(a.job_id, items_done=2, items_total=5, bytes_done=20, bytes_total=50)
    info = store.get(a.job_id)
    assert (info.items_done, info.items_total, info.bytes_done, info.bytes_total) == (2, 5, 20, 50)
    done = store.finish(a.job_id, "done", result=[{"ok": True, "id": "m1"}])
    assert done.status == "done" and done.result == [{"ok": True, "id": "m1"}]
    failed = store.finish(b.job_id, "failed", error=ErrorInfo(code="job_failed", message="boom"))
    assert (
        failed.status == "failed"
        and failed.error is not None
        and failed.error.message == "boom"
        and failed.result is None
    )
    with pytest.raises(InvalidArgument):
        store.finish(b.job_id, "running")
    with pytest.raises(JobNotFound):
        store.get("nope")


def test_database_is_wal_and_versioned(ops_db: Path) -> None:
    JobStore(ops_db).close()
    with sqlite3.connect(ops_db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    JobStore(ops_db).close()  # reopening an existing db is fine


V1_DDL = """
CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    items_total INTEGER NOT NULL DEFAULT 0, items_done INTEGER NOT NULL DEFAULT 0,
    bytes_total INTEGER NOT NULL DEFAULT 0, bytes_done INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL DEFAULT '', error TEXT, result TEXT, pid INTEGER, pid_start REAL);
CREATE INDEX jobs_status ON jobs(status);
CREATE TABLE checkpoints (job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    item_key TEXT NOT NULL, result TEXT NOT NULL, done_at TEXT NOT NULL,
    PRIMARY KEY (job_id, item_key));
INSERT INTO jobs (id, kind, status, created_at, updated_at) VALUES
    ('old', 'rebuild', 'done', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
PRAGMA user_version = 1;
"""


def test_a_version_1_ops_db_is_migrated_and_keeps_its_jobs(ops_db: Path) -> None:
    ops_db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(ops_db) as conn:
        conn.executescript(V1_DDL)
    store = JobStore(ops_db)
    try:
        assert store.get("old").status == "done"
        kept = store.save_plan(ImportPlan(items=[]))
        assert kept.plan_id and store.plan(kept.plan_id) == kept
    finally:
        store.close()
    with sqlite3.connect(ops_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_plans_are_kept_by_id_and_unknown_ones_are_a_clear_error(ops_db: Path) -> None:
    store = JobStore(ops_db)
    try:
        first, second = store.save_plan(ImportPlan(items=[])), store.save_plan(ImportPlan(items=[]))
        assert first.plan_id != second.plan_id
        with pytest.raises(PlanNotFound, match="plan the import again"):
            store.plan("nope")
    finally:
        store.close()


def test_job_ids_are_unique_and_time_ordered() -> None:
    ids = [new_job_id() for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(len(i) == 32 for i in ids)
    assert [i[:12] for i in ids] == sorted(i[:12] for i in ids)


def test_checkpoints_keep_completion_order_and_results(ops_db: Path) -> None:
    store = JobStore(ops_db)
    job = store.create("import", {}, "")
    other = store.create("import", {}, "")
    for key in ["/b", "/a", "/c"]:
        store.add_checkpoint(job.job_id, key, {"ok": True, "key": key})
    store.add_checkpoint(other.job_id, "/a", {"ok": True})
    assert list(store.checkpoints(job.job_id)) == ["/b", "/a", "/c"]
    assert store.checkpoints(job.job_id)["/a"] == {"ok": True, "key": "/a"}
    assert store.checkpoints(other.job_id) == {"/a": {"ok": True}}
    assert store.checkpoints("unknown") == {}


def test_running_job_of_a_dead_process_is_interrupted(ops_db: Path) -> None:
    store = JobStore(ops_db)
    job = store.create("import", {"paths": []}, "")
    assert store.get(job.job_id).status == "running"  # our own process: alive
    _set_owner(ops_db, job.job_id, _dead_pid(), None)
    assert store.get(job.job_id).status == "interrupted"
    assert [j.job_id for j in store.interrupted()] == [job.job_id]
    store.close()
    reopened = JobStore(ops_db)  # opening records the status
    with sqlite3.connect(ops_db) as conn:
        assert conn.execute("SELECT status FROM jobs").fetchone()[0] == "interrupted"
    assert reopened.get(job.job_id).status == "interrupted"


def test_reused_pid_is_not_mistaken_for_the_owner(ops_db: Path) -> None:
    store = JobStore(ops_db)
    job = store.create("verify", {}, "")
    started = process_start(os.getpid())
    assert started is not None
    # our pid, but recorded by a process that started an hour earlier (pid reuse)
    _set_owner(ops_db, job.job_id, os.getpid(), started - 3600)
    assert store.get(job.job_id).status == "interrupted"
    assert process_alive(os.getpid(), started)
    assert not process_alive(None, None)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="a boot-relative start: /proc")
def test_a_step_of_the_wall_clock_leaves_a_living_owner_alive(
    ops_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NTP stepping the clock moves psutil's create_time (boot time + ticks since boot) while
    the process lives: a running job of this very process looked interrupted, and another
    process could have claimed it (seen in the full suite, a 9-minute worker)."""
    import psutil

    store = JobStore(ops_db)
    job = store.create("import", {"paths": ["/p"]}, "")
    boot = psutil.boot_time()
    monkeypatch.setattr(psutil._pslinux, "boot_time", lambda: boot + 30)  # the clock moved
    assert store.get(job.job_id).status == "running"
    with pytest.raises(InvalidArgument):
        store.claim(job.job_id)


def test_finished_jobs_are_never_interrupted(ops_db: Path) -> None:
    store = JobStore(ops_db)
    job = store.create("import", {}, "")
    store.finish(job.job_id, "cancelled")
    _set_owner(ops_db, job.job_id, _dead_pid(), None)
    assert store.get(job.job_id).status == "cancelled"
    assert store.interrupted() == []


def test_claim_takes_over_an_interrupted_job_exactly_once(ops_db: Path) -> None:
    store = JobStore(ops_db)
    job = store.create("import", {"paths": ["/p"]}, "")
    store.add_checkpoint(job.job_id, "/p", {"ok": True})
    with pytest.raises(InvalidArgument):
        store.claim(job.job_id)  # still running here
    _set_owner(ops_db, job.job_id, _dead_pid(), None)
    stores = [JobStore(ops_db) for _ in range(4)]
    wins: list[str] = []
    losses: list[str] = []

    def try_claim(s: JobStore) -> None:
        try:
            wins.append(s.claim(job.job_id).status)
        except InvalidArgument:
            losses.append("lost")

    threads = [threading.Thread(target=try_claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins == ["running"] and len(losses) == 3
    assert store.checkpoints(job.job_id) == {"/p": {"ok": True}}  # kept for the resumed run
    with sqlite3.connect(ops_db) as conn:
        assert conn.execute("SELECT pid FROM jobs").fetchone()[0] == os.getpid()
    with pytest.raises(JobNotFound):
        store.claim("missing")
