"""Pydantic models of the jobs package: what `list_jobs`/`get` return and the payloads of
the events a job publishes (docs/API.md "Events")."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from tensorshelf.error_info import ErrorInfo
from tensorshelf.library.models import ImportProgress

JobKind = Literal[
    "import", "rebuild", "verify", "reclassify", "sync", "lookup", "download", "adopt"
]
PAUSABLE_KINDS: frozenset[str] = frozenset({"download"})  # a pause keeps the partial files
PAUSED_CODE = "paused"  # the error code of a job paused by the user (status interrupted)
JobStatus = Literal["running", "done", "failed", "cancelled", "interrupted"]
ChangeReason = Literal[
    "import", "edit", "delete", "scan", "rebuild", "reclassify", "verify", "lookup"
]
CHANGE_REASONS: tuple[str, ...] = get_args(ChangeReason)

# Event types (docs/API.md)
EVENT_JOB_PROGRESS = "job.progress"
EVENT_JOB_ITEM_DONE = "job.item_done"
EVENT_JOB_DONE = "job.done"
EVENT_LIBRARY_CHANGED = "library.changed"
EVENT_LIBRARY_WAITING = "library.waiting"


class JobRef(BaseModel):
    job_id: str


class JobInfo(BaseModel):
    """One job as recorded in ops.db. `result` is the job's JSON result: a list of
    ImportResult for an import, a RebuildReport for a rebuild, a VerifyReport for a verify,
    a ReclassifyReport for a reclassify (partial when the job was cancelled)."""

    job_id: str
    kind: JobKind
    status: JobStatus
    created_at: str
    updated_at: str
    items_total: int = 0
    items_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    title: str = ""
    error: ErrorInfo | None = None
    result: Any = None
    problems: int = 0  # items that finished badly: failed imports, models verify found changed
    bytes_read: int | None = None  # a verify's bytes actually read (the rest the cache vouched for)


def problems_in(kind: JobKind, result: Any) -> int:
    """How many items of a finished job's result went wrong ("finished with problems")."""
    if kind == "verify" and isinstance(result, dict):
        return sum(1 for m in result.get("models", []) if not m.get("ok", True))
    if kind == "import" and isinstance(result, list):
        return sum(1 for r in result if isinstance(r, dict) and not r.get("ok", True))
    if kind == "reclassify" and isinstance(result, dict):
        return len(result.get("errors", []))
    if kind == "lookup" and isinstance(result, dict):
        return sum(
            1 for i in result.get("items", []) if i.get("problem") and i.get("status") != "pending"
        )
    if kind == "sync" and isinstance(result, dict):
        return sum(len(r.get("errors", [])) for r in result.get("results", []))
    return 0


def bytes_read_in(kind: JobKind, result: Any) -> int | None:
    if kind == "verify" and isinstance(result, dict):
        value = result.get("bytes_read")
        return int(value) if isinstance(value, int) else None
    return None


class JobProgress(BaseModel):
    """Payload of `job.progress`. `item` is the current import item's latest progress;
    `title` is the job's title when it changed after the start (an import's, once its
    inputs are planned into models)."""

    job_id: str
    kind: JobKind
    items_done: int
    items_total: int
    bytes_done: int
    bytes_total: int
    rate_bps: float = 0.0
    eta_s: float | None = None
    item: ImportProgress | None = None
    title: str | None = None


class JobItemDone(BaseModel):
    """Payload of `job.item_done`: one ImportResult, ModelVerification or ReclassifyItem
    (as JSON).
    `error` is set when the item could not be processed at all."""

    job_id: str
    kind: JobKind
    result: dict[str, Any]
    error: ErrorInfo | None = None


class JobDone(BaseModel):
    """Payload of `job.done`."""

    job_id: str
    kind: JobKind
    status: JobStatus
    result: Any = None
    error: ErrorInfo | None = None
    problems: int = 0  # see JobInfo.problems
    bytes_read: int | None = None


class LibraryChanged(BaseModel):
    """Payload of `library.changed`. An empty `ids` list means "anything may have changed"
    (a rebuild)."""

    ids: list[str] = Field(default_factory=list)
    reason: ChangeReason
    elsewhere: bool = False  # made by another process (the CLI, another window)
