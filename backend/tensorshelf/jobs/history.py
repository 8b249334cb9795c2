"""Import history: every import job is a batch — where its files came from, when, how many
were new, duplicates or failed, and the models it added (which "Undo this import" removes).

Read from ops.db (each import job's results and checkpoints), with the library's index
saying which of a batch's models are still there."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument
from tensorshelf.jobs.import_task import SOURCE_PATHS_KEY
from tensorshelf.jobs.models import JobInfo, JobStatus
from tensorshelf.library.models import RemoveResult

if TYPE_CHECKING:
    from tensorshelf.jobs.store import JobStore
    from tensorshelf.library.service import LibraryService

UNDOABLE: frozenset[str] = frozenset({"done", "failed", "cancelled", "interrupted"})


class BatchModel(BaseModel):
    """A model an import batch added."""

    id: str
    path: str | None  # where the import put it
    in_library: bool  # False once deleted or undone


class ImportBatch(BaseModel):
    batch_id: str  # the import job's id
    status: JobStatus
    started_at: str
    finished_at: str
    title: str
    source: str | None  # the folder its files came from (their common folder)
    new: int
    duplicates: int
    failed: int
    models: list[BatchModel] = Field(default_factory=list)  # the new ones, in plan order
    duplicate_of: list[str] = Field(default_factory=list)  # models already in the library
    in_library: int = 0  # of `models`, how many are still in the library (what undo removes)


class UndoReport(BaseModel):
    batch_id: str
    results: list[RemoveResult]  # one per model the batch added that was still there

    @property
    def failed(self) -> list[RemoveResult]:
        return [r for r in self.results if not r.removed]


def _results(job: JobInfo) -> list[dict[str, Any]]:
    result = job.result
    return [r for r in result if isinstance(r, dict)] if isinstance(result, list) else []


def _source(keys: list[str]) -> str | None:
    folders = [os.path.dirname(k) for k in keys if os.path.isabs(k)]
    if not folders:
        return None
    try:
        return os.path.commonpath(folders)
    except ValueError:  # different drives (Windows)
        return folders[0]


def _batch(job: JobInfo, checkpoints: dict[str, dict[str, Any]], present: set[str]) -> ImportBatch:
    results = _results(job) or list(checkpoints.values())  # a running job: its checkpoints
    new = [r for r in results if r.get("ok") and r.get("id") and not r.get("duplicate_of")]
    duplicates = [r for r in results if r.get("ok") and r.get("duplicate_of")]
    models = [BatchModel(id=r["id"], path=r.get("path"), in_library=r["id"] in present)
              for r in new]  # fmt: skip
    return ImportBatch(
        batch_id=job.job_id,
        status=job.status,
        started_at=job.created_at,
        finished_at=job.updated_at,
        title=job.title,
        source=_source([str(r["key"]) for r in results if r.get("key")]),
        new=len(new),
        duplicates=len(duplicates),
        failed=sum(1 for r in results if not r.get("ok")),
        models=models,
        duplicate_of=list(dict.fromkeys(str(r["duplicate_of"]) for r in duplicates)),
        in_library=sum(1 for m in models if m.in_library),
    )


def import_batches(
    store: JobStore, service: LibraryService, limit: int = settings.HISTORY_LIMIT
) -> list[ImportBatch]:
    """The newest import batches, newest first."""
    jobs = store.recent(limit, kind="import")
    checkpoints = {j.job_id: store.checkpoints(j.job_id) for j in jobs if j.result is None}
    ids = [
        str(r["id"])
        for j in jobs
        for r in (_results(j) or checkpoints.get(j.job_id, {}).values())
        if r.get("id")
    ]
    present = service.present_ids(ids)
    return [_batch(j, checkpoints.get(j.job_id, {}), present) for j in jobs]


def duplicates_found(store: JobStore, limit: int = settings.HISTORY_LIMIT) -> list[str]:
    """The models the newest import batches found already in the library (each once per
    batch): the statistics' duplicates avoided, without building the batches."""
    found: list[str] = []
    for job in store.recent(limit, kind="import"):
        results = _results(job) or list(store.checkpoints(job.job_id).values())
        dupes = (str(r["duplicate_of"]) for r in results if r.get("ok") and r.get("duplicate_of"))
        found += dict.fromkeys(dupes)
    return found


def batch_job(store: JobStore, ref: str) -> JobInfo:
    """The import job a batch reference names: its id, or a unique start or end of it
    (the short reference `history` prints). JobNotFound / InvalidArgument otherwise."""
    ref = ref.strip().lower()
    if len(ref) < settings.SHORT_REF_MIN_CHARS:
        raise InvalidArgument(
            f"{ref!r} is too short to name an import: give at least "
            f"{settings.SHORT_REF_MIN_CHARS} characters of its id",
            batch=ref,
        )
    jobs = store.recent(settings.HISTORY_LIMIT, kind="import")
    found = [j for j in jobs if j.job_id == ref] or [
        j for j in jobs if j.job_id.startswith(ref) or j.job_id.endswith(ref)
    ]
    if len(found) > 1:
        raise InvalidArgument(f"{ref!r} names {len(found)} imports: give more of it", batch=ref)
    if not found:
        job = store.get(ref)  # JobNotFound for an unknown id; an older import by its full id
        if job.kind != "import":
            raise InvalidArgument(f"job {ref} is a {job.kind} job, not an import", job=ref)
        return job
    return found[0]


def short_batch(batch_id: str) -> str:
    """The end of a batch id (its random part): what `history` prints and accepts."""
    return batch_id[-settings.SHORT_BATCH_CHARS :]


def import_batch(store: JobStore, service: LibraryService, ref: str) -> ImportBatch:
    job = batch_job(store, ref)
    batch_id = job.job_id
    checkpoints = store.checkpoints(batch_id)
    ids = [str(r["id"]) for r in (_results(job) or checkpoints.values()) if r.get("id")]
    return _batch(job, checkpoints, service.present_ids(ids))


def undo_batch(store: JobStore, service: LibraryService, batch_id: str, unlink: Any) -> UndoReport:
    """Remove exactly the models the batch added that are still in the library (their app
    links first, through `unlink(model_id)`); a moved model's files go back where they
    came from. Never touches a source, nor a model the batch found already there."""
    batch = import_batch(store, service, batch_id)
    batch_id = batch.batch_id
    if batch.status not in UNDOABLE:
        raise InvalidArgument(
            f"import {batch_id} is still running: cancel it or wait for it to finish, then undo it",
            job=batch_id,
        )
    checkpoints = store.checkpoints(batch_id)
    sources = {str(r.get("id")): list(r.get(SOURCE_PATHS_KEY) or []) for r in checkpoints.values()}
    results = []
    for model in batch.models:
        if not model.in_library:
            continue
        unlink(model.id)
        results.append(service.undo_import_model(model.id, sources.get(model.id, [])))
    return UndoReport(batch_id=batch_id, results=results)
