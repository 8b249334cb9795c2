"""ops.db: jobs and their per-item checkpoints (SQLite, WAL).

A job row records the owning process (pid and its start time). A `running` job whose
process is gone is reported — and, when the store is opened, recorded — as `interrupted`,
which is what `JobRunner.resume` picks up."""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from tensorshelf import settings
from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import InvalidArgument, JobNotFound, PlanNotFound
from tensorshelf.io.processes import pid_alive, process_start
from tensorshelf.io.sqlite_schema import Migration, ensure_schema
from tensorshelf.io.sqlite_wal import enable_wal
from tensorshelf.jobs.models import JobInfo, JobKind, JobStatus, bytes_read_in, problems_in
from tensorshelf.library.metadata.document import utc_now
from tensorshelf.library.models import ImportPlan

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)


def _v1_jobs_and_checkpoints(db: Database) -> None:
    db.table("jobs").create(
        {
            "id": str,
            "kind": str,
            "status": str,
            "params": str,
            "created_at": str,
            "updated_at": str,
            "items_total": int,
            "items_done": int,
            "bytes_total": int,
            "bytes_done": int,
            "title": str,
            "error": str,
            "result": str,
            "pid": int,
            "pid_start": float,
        },
        pk="id",
        not_null={
            "kind",
            "status",
            "params",
            "created_at",
            "updated_at",
            "items_total",
            "items_done",
            "bytes_total",
            "bytes_done",
            "title",
        },
        defaults={
            "params": "{}",
            "items_total": 0,
            "items_done": 0,
            "bytes_total": 0,
            "bytes_done": 0,
            "title": "",
        },
        if_not_exists=True,
    )
    db.table("jobs").create_index(["status"], index_name="jobs_status", if_not_exists=True)
    db.table("checkpoints").create(
        {"job_id": str, "item_key": str, "result": str, "done_at": str},
        pk=("job_id", "item_key"),
        foreign_keys=[("job_id", "jobs", "id")],
        not_null={"job_id", "item_key", "result", "done_at"},
        if_not_exists=True,
    )


def _v2_import_plans(db: Database) -> None:
    """Reviewed import plans: `start_import(plan_id)` imports exactly what was reviewed."""
    db.table("plans").create(
        {"id": str, "created_at": str, "plan": str},
        pk="id",
        not_null={"created_at", "plan"},
        if_not_exists=True,
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_jobs_and_checkpoints, _v2_import_plans)
_TERMINAL: frozenset[str] = frozenset({"done", "failed", "cancelled"})


_OWN_PID = os.getpid()
_OWN_START = process_start(_OWN_PID)


def process_alive(pid: int | None, started: float | None) -> bool:
    """True when process `pid` exists, is not a zombie and (when `started` is known) is the
    same process that recorded the job, not a later one that reused the pid."""
    if pid is None:
        return False
    try:
        if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return False
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True
    if started is None:
        return True
    now = process_start(pid)
    if now is None:  # gone since, or not ours to inspect (then: as alive, never taken over)
        return pid_alive(pid)
    return abs(now - started) <= settings.JOB_PID_START_TOLERANCE_S


def _stored_error(raw: str | None) -> ErrorInfo | None:
    """The error column: an ErrorInfo as JSON (plain text from before it was one)."""
    if not raw:
        return None
    try:
        return ErrorInfo.model_validate_json(raw)
    except ValueError:
        return ErrorInfo(code="job_failed", message=raw)


def _iso_seconds(stamp: str) -> float:
    """Seconds since the epoch of a `utc_now()` stamp (0 for anything unreadable)."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def new_job_id() -> str:
    """Time-ordered id: 48-bit milliseconds + 80 random bits, as 32 hex digits."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


class JobStore:
    """Thread-safe access to ops.db (one connection, serialised by a lock)."""

    def __init__(self, ops_db: str | os.PathLike[str]) -> None:
        self.path = Path(ops_db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"PRAGMA busy_timeout = {settings.SQLITE_BUSY_TIMEOUT_MS}")
        enable_wal(self._db)
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        with self._lock:
            ensure_schema(self._db, MIGRATIONS, "ops.db")
        self.mark_dead_interrupted()

    # --- plumbing ------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE so concurrent processes queue up)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @staticmethod
    def _effective_status(row: sqlite3.Row) -> JobStatus:
        if row["status"] == "running" and not process_alive(row["pid"], row["pid_start"]):
            return "interrupted"
        status: JobStatus = row["status"]
        return status

    def _info(self, row: sqlite3.Row) -> JobInfo:
        result = json.loads(row["result"]) if row["result"] else None
        return JobInfo(
            job_id=row["id"],
            kind=row["kind"],
            status=self._effective_status(row),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            items_total=row["items_total"],
            items_done=row["items_done"],
            bytes_total=row["bytes_total"],
            bytes_done=row["bytes_done"],
            title=row["title"],
            error=_stored_error(row["error"]),
            result=result,
            problems=problems_in(row["kind"], result),
            bytes_read=bytes_read_in(row["kind"], result),
        )

    def _row(self, job_id: str) -> sqlite3.Row:
        rows = self._query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise JobNotFound(f"no job {job_id!r}", job_id=job_id)
        return rows[0]

    # --- jobs ----------------------------------------------------------------------------
    def create(self, kind: JobKind, params: dict[str, Any], title: str = "") -> JobInfo:
        """Record a new job as running in this process."""
        job_id, now = new_job_id(), utc_now()
        with self._tx() as db:
            db.execute(
                "INSERT INTO jobs (id, kind, status, params, created_at, updated_at, title, pid,"
                " pid_start) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)",
                (job_id, kind, json.dumps(params), now, now, title, _OWN_PID, _OWN_START),
            )
        return self.get(job_id)

    def get(self, job_id: str) -> JobInfo:
        return self._info(self._row(job_id))

    def params(self, job_id: str) -> dict[str, Any]:
        params: dict[str, Any] = json.loads(self._row(job_id)["params"])
        return params

    def recent(
        self, limit: int = settings.JOB_LIST_LIMIT, kind: JobKind | None = None
    ) -> list[JobInfo]:
        """The newest jobs (of one kind, with `kind`), newest first."""
        where, args = ("WHERE kind = ? ", (kind,)) if kind else ("", ())
        rows = self._query(
            f"SELECT * FROM jobs {where}ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (*args, limit),
        )
        return [self._info(r) for r in rows]

    def interrupted(self) -> list[JobInfo]:
        """Jobs to resume, oldest first."""
        rows = self._query(
            "SELECT * FROM jobs WHERE status IN ('running', 'interrupted')"
            " ORDER BY created_at, rowid"
        )
        return [info for info in map(self._info, rows) if info.status == "interrupted"]

    def mark_dead_interrupted(self) -> list[str]:
        """Record `interrupted` for running jobs whose process is gone."""
        with self._tx() as db:
            rows = db.execute("SELECT * FROM jobs WHERE status = 'running'").fetchall()
            dead = [r["id"] for r in rows if self._effective_status(r) == "interrupted"]
            for job_id in dead:
                db.execute(
                    "UPDATE jobs SET status = 'interrupted', updated_at = ? WHERE id = ?",
                    (utc_now(), job_id),
                )
        if dead:
            log.info("jobs interrupted by a previous process: %s", ", ".join(dead))
        return dead

    def claim(self, job_id: str) -> JobInfo:
        """Take over an interrupted job for this process (atomically: two processes
        resuming at once cannot both get it). Raises InvalidArgument otherwise."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise JobNotFound(f"no job {job_id!r}", job_id=job_id)
            status = self._effective_status(row)
            if status != "interrupted":
                raise InvalidArgument(
                    f"job {job_id} is {status}, not interrupted", job_id=job_id, status=status
                )
            db.execute(
                "UPDATE jobs SET status = 'running', pid = ?, pid_start = ?, error = NULL,"
                " result = NULL, updated_at = ? WHERE id = ?",
                (_OWN_PID, _OWN_START, utc_now(), job_id),
            )
        return self.get(job_id)

    def update_progress(
        self, job_id: str, *, items_done: int, items_total: int, bytes_done: int, bytes_total: int
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET items_done = ?, items_total = ?, bytes_done = ?,"
                " bytes_total = ?, updated_at = ? WHERE id = ?",
                (items_done, items_total, bytes_done, bytes_total, utc_now(), job_id),
            )

    def set_title(self, job_id: str, title: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET title = ?, updated_at = ? WHERE id = ?", (title, utc_now(), job_id)
            )

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        result: Any = None,
        error: ErrorInfo | None = None,
    ) -> JobInfo:
        if status not in _TERMINAL:
            raise InvalidArgument(f"{status!r} is not a final job status", status=status)
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status = ?, result = ?, error = ?, updated_at = ? WHERE id = ?",
                (
                    status,
                    None if result is None else json.dumps(result),
                    None if error is None else error.model_dump_json(),
                    utc_now(),
                    job_id,
                ),
            )
        return self.get(job_id)

    def suspend(self, job_id: str, *, error: ErrorInfo) -> JobInfo:
        """Record a job paused by the user: `interrupted` (so it can be resumed), with why."""
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status = 'interrupted', error = ?, updated_at = ? WHERE id = ?",
                (error.model_dump_json(), utc_now(), job_id),
            )
        return self.get(job_id)

    # --- import plans --------------------------------------------------------------------
    def save_plan(self, plan: ImportPlan) -> ImportPlan:
        """Keep `plan` under a new id (returned on the copy); plans older than the retention
        time that no unfinished job uses are dropped."""
        kept = plan.model_copy(update={"plan_id": new_job_id()})
        now = utc_now()
        with self._tx() as db:
            db.execute(
                "INSERT INTO plans (id, created_at, plan) VALUES (?, ?, ?)",
                (kept.plan_id, now, kept.model_dump_json()),
            )
            cutoff = time.time() - settings.IMPORT_PLAN_RETENTION_S
            for row in db.execute("SELECT id, created_at FROM plans").fetchall():
                if _iso_seconds(row["created_at"]) < cutoff and not self._plan_in_use(row["id"]):
                    db.execute("DELETE FROM plans WHERE id = ?", (row["id"],))
        return kept

    def plan(self, plan_id: str) -> ImportPlan:
        rows = self._query("SELECT plan FROM plans WHERE id = ?", (plan_id,))
        if not rows:
            raise PlanNotFound(
                f"no import plan {plan_id!r}: plan the import again (plans are kept for "
                f"{settings.IMPORT_PLAN_RETENTION_S // 3600} h)",
                plan_id=plan_id,
            )
        return ImportPlan.model_validate_json(rows[0]["plan"])

    def _plan_in_use(self, plan_id: str) -> bool:
        """An unfinished job refers to the plan (called inside a transaction)."""
        rows = self._db.execute(
            "SELECT params FROM jobs WHERE kind = 'import' AND status IN ('running', 'interrupted')"
        ).fetchall()
        return any(json.loads(r["params"]).get("plan_id") == plan_id for r in rows)

    # --- checkpoints ---------------------------------------------------------------------
    def add_checkpoint(self, job_id: str, item_key: str, result: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO checkpoints (job_id, item_key, result, done_at)"
                " VALUES (?, ?, ?, ?)",
                (job_id, item_key, json.dumps(result), utc_now()),
            )

    def checkpoints(self, job_id: str) -> dict[str, dict[str, Any]]:
        """item_key -> result, in the order the items completed."""
        rows = self._query(
            "SELECT item_key, result FROM checkpoints WHERE job_id = ? ORDER BY rowid", (job_id,)
        )
        return {r["item_key"]: json.loads(r["result"]) for r in rows}
