"""The bodies of the job kinds (reclassify's, sync's and lookup's have modules of their
own). Each runs in its job's worker thread, reports through the context's ProgressTracker,
checkpoints every completed model and returns the job's final status with its JSON result.
Unexpected exceptions propagate to the runner (the job ends `failed`); OperationCancelled
from a service call ends it `cancelled`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tensorshelf import settings
from tensorshelf.error_info import ErrorInfo, error_info
from tensorshelf.errors import ModelNotFound, OperationCancelled, ShelfError
from tensorshelf.io.types import CancelToken
from tensorshelf.jobs.adopt_task import run_adopt
from tensorshelf.jobs.download_task import run_download
from tensorshelf.jobs.events import EventBus
from tensorshelf.jobs.import_task import run_import
from tensorshelf.jobs.lookup_task import run_lookup
from tensorshelf.jobs.models import (
    EVENT_JOB_ITEM_DONE,
    EVENT_LIBRARY_CHANGED,
    ChangeReason,
    JobItemDone,
    JobKind,
    JobStatus,
    LibraryChanged,
)
from tensorshelf.jobs.progress import ProgressTracker
from tensorshelf.jobs.reclassify_task import run_reclassify
from tensorshelf.jobs.store import JobStore
from tensorshelf.jobs.sync_task import run_sync
from tensorshelf.library.models import ModelVerification, VerifyReport
from tensorshelf.library.query_models import ListQuery

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.library.service import LibraryService
    from tensorshelf.mapping.service import MappingService

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    job_id: str
    kind: JobKind
    params: dict[str, Any]
    service: LibraryService
    store: JobStore
    bus: EventBus
    cancel: CancelToken
    tracker: ProgressTracker
    mapping: MappingService | None = None
    hub: HubSession | None = None

    def save_progress(self) -> None:
        t = self.tracker
        self.store.update_progress(
            self.job_id,
            items_done=t.items_done,
            items_total=t.items_total,
            bytes_done=t.bytes_done,
            bytes_total=t.bytes_total,
        )

    def item_done(
        self, result: dict[str, Any], error: ErrorInfo | None = None, key: str = ""
    ) -> None:
        self.tracker.finish_item(key)
        self.save_progress()
        self.bus.publish(
            EVENT_JOB_ITEM_DONE,
            JobItemDone(job_id=self.job_id, kind=self.kind, result=result, error=error),
        )

    def retitle(self, title: str) -> None:
        """Record a better title (ops.db) and carry it on the following `job.progress`."""
        self.store.set_title(self.job_id, title)
        self.tracker.set_title(title)

    def library_changed(self, ids: list[str], reason: ChangeReason) -> None:
        self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=ids, reason=reason))


Outcome = tuple[JobStatus, Any]
TaskFn = Callable[[JobContext], Outcome]


# --- rebuild ---------------------------------------------------------------------------------
def run_rebuild(ctx: JobContext) -> Outcome:
    tracker = ctx.tracker

    tracker.publish()
    report = ctx.service.rebuild(tracker.set_items, ctx.cancel)  # counts models, not bytes
    tracker.publish()
    ctx.save_progress()
    ctx.library_changed([], "rebuild")
    return "done", report.model_dump(mode="json")


# --- verify ----------------------------------------------------------------------------------
def _verify_targets(ctx: JobContext) -> list[tuple[str, int]]:
    """(model id, size) of every model to verify."""
    refs = ctx.params.get("refs")
    if refs is None:
        targets: list[tuple[str, int]] = []
        while True:
            page = ctx.service.list_models(
                ListQuery(limit=settings.JOB_VERIFY_PAGE_SIZE, offset=len(targets))
            )
            targets += [(m.id, m.size_bytes) for m in page.models]
            if not page.models or len(targets) >= page.total:
                return targets
    targets = []
    for ref in refs:
        try:
            meta = ctx.service.get_model(ref)
        except ModelNotFound:
            log.warning("job %s: model %s no longer exists; not verified", ctx.job_id, ref)
            continue
        targets.append((meta.id, meta.size_bytes))
    return targets


def run_verify(ctx: JobContext) -> Outcome:
    full = bool(ctx.params.get("full"))
    targets = _verify_targets(ctx)
    done = ctx.store.checkpoints(ctx.job_id)
    ctx.tracker.set_totals(len(targets), sum(size for _, size in targets))
    ctx.tracker.skip(
        sum(1 for m, _ in targets if m in done), sum(size for m, size in targets if m in done)
    )
    ctx.save_progress()
    ctx.tracker.publish()
    results = {m: ModelVerification.model_validate(r) for m, r in done.items()}
    status: JobStatus = "done"
    for model_id, size in targets:
        if model_id in done:
            continue
        if ctx.cancel.cancelled:
            status = "cancelled"
            break
        ctx.tracker.start_item(size)
        error: ErrorInfo | None = None
        try:
            result = ctx.service.verify_model(model_id, full, ctx.tracker.on_bytes, ctx.cancel)
        except OperationCancelled:
            status = "cancelled"
            break
        except Exception as exc:
            log.warning(
                "job %s: verify of %s failed: %s",
                ctx.job_id,
                model_id,
                exc,
                exc_info=not isinstance(exc, ShelfError),
            )
            error = error_info(exc, key=model_id)
            result = ModelVerification(id=model_id, path="", ok=False, files=[])
        results[model_id] = result
        data = result.model_dump(mode="json")
        ctx.store.add_checkpoint(ctx.job_id, model_id, data)
        ctx.item_done(data, error)
    models = [results[m] for m, _ in targets if m in results]
    if models:  # each verdict was recorded in its metadata.json (the list shows it)
        ctx.library_changed([m.id for m in models if m.path], "verify")
    report = VerifyReport(models=models, bytes_read=sum(m.bytes_read for m in models))
    return status, report.model_dump(mode="json")


TASKS: dict[JobKind, TaskFn] = {
    "import": run_import,
    "rebuild": run_rebuild,
    "verify": run_verify,
    "reclassify": run_reclassify,
    "sync": run_sync,
    "lookup": run_lookup,
    "download": run_download,
    "adopt": run_adopt,
}
