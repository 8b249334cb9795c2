"""The bodies of the job kinds (reclassify's is in jobs.reclassify_task). Each runs in its job's
worker thread, reports through
the context's ProgressTracker, checkpoints every completed model and returns the job's
final status with its JSON result. Unexpected exceptions propagate to the runner (the job
ends `failed`); OperationCancelled from a service call ends it `cancelled`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tensorshelf import settings
from tensorshelf.errors import (
    ErrorInfo,
    InvalidArgument,
    ModelNotFound,
    OperationCancelled,
    ShelfError,
)
from tensorshelf.io.types import CancelToken
from tensorshelf.jobs.events import EventBus
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
from tensorshelf.jobs.titles import import_plan_title
from tensorshelf.library.models import (
    ImportOptions,
    ImportPlan,
    ImportPlanItem,
    ImportResult,
    ListQuery,
    ModelVerification,
    VerifyReport,
)

if TYPE_CHECKING:
    from tensorshelf.library.service import LibraryService

log = logging.getLogger(__name__)

SOURCE_PATHS_KEY = "source_paths"  # extra key stored with an import checkpoint


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

    def save_progress(self) -> None:
        t = self.tracker
        self.store.update_progress(
            self.job_id,
            items_done=t.items_done,
            items_total=t.items_total,
            bytes_done=t.bytes_done,
            bytes_total=t.bytes_total,
        )

    def item_done(self, result: dict[str, Any], error: str | None = None) -> None:
        self.tracker.finish_item()
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


def _error_info(exc: BaseException, key: str) -> ErrorInfo:
    if isinstance(exc, ShelfError):
        return exc.info()
    return ErrorInfo(code="internal", message=f"{type(exc).__name__}: {exc}", details={"key": key})


# --- import ----------------------------------------------------------------------------------
def import_params(
    plan_id: str, options: ImportOptions, items: dict[str, ImportOptions] | None
) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "options": options.model_dump(mode="json"),
        "items": None
        if items is None
        else {k: v.model_dump(mode="json") for k, v in items.items()},
    }


def plan_items(plan: ImportPlan, items: dict[str, ImportOptions] | None) -> list[ImportPlanItem]:
    """The plan's items an import takes, in plan order (every item when `items` is None)."""
    if items is None:
        return list(plan.items)
    known = {item.key for item in plan.items}
    unknown = [key for key in items if key not in known]
    if unknown:
        raise InvalidArgument(
            f"not in plan {plan.plan_id}: {', '.join(unknown[:3])}"
            + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""),
            plan_id=plan.plan_id,
            keys=unknown,
        )
    if not items:
        raise InvalidArgument("no plan item chosen to import", plan_id=plan.plan_id)
    return [item for item in plan.items if item.key in items]


def _planned(ctx: JobContext) -> tuple[ImportPlan, dict[str, ImportOptions] | None]:
    """The job's plan and chosen items (a job from before plans were kept re-plans its paths)."""
    params = ctx.params
    raw_items = params.get("items", params.get("per_item") or None)
    items = (
        None
        if raw_items is None
        else {k: ImportOptions.model_validate(v) for k, v in raw_items.items()}
    )
    if "plan_id" in params:
        return ctx.store.plan(params["plan_id"]), items
    plan = ctx.service.plan_import(params["paths"])
    return plan, None if not items else {
        k: v for k, v in items.items() if k in {i.key for i in plan.items}
    } or None


def _import_one(ctx: JobContext, item: ImportPlanItem, options: ImportOptions) -> ImportResult:
    """Import one planned model (an item the plan marked unimportable comes back as a
    failed result from the service). Only OperationCancelled escapes."""
    try:
        return ctx.service.import_item(item, options, ctx.tracker.on_import_progress, ctx.cancel)
    except OperationCancelled:
        raise
    except Exception as exc:  # the service promises not to raise; never let one item stop a batch
        log.exception("import of %s failed unexpectedly", item.key)
        return ImportResult(ok=False, key=item.key, error=_error_info(exc, item.key))


def run_import(ctx: JobContext) -> Outcome:
    options = ImportOptions.model_validate(ctx.params.get("options") or {})
    plan, items = _planned(ctx)
    chosen = plan_items(plan, items)
    title = import_plan_title(chosen)
    if title is not None:
        ctx.retitle(title)
    done = ctx.store.checkpoints(ctx.job_id)  # from an interrupted earlier run
    done_paths = {p for r in done.values() for p in r.get(SOURCE_PATHS_KEY, [])} | set(done)
    results: dict[str, ImportResult] = {k: ImportResult.model_validate(r) for k, r in done.items()}
    pending = [item for item in chosen if item.key not in done]
    skipped_bytes = sum(item.size_bytes for item in chosen if item.key in done)
    ctx.tracker.set_totals(
        len(done) + len(pending), skipped_bytes + sum(item.size_bytes for item in pending)
    )
    ctx.tracker.skip(len(done), skipped_bytes)
    if done:
        log.info(
            "job %s: resuming, %d of %d models already imported",
            ctx.job_id,
            len(done),
            len(done) + len(pending),
        )
    ctx.save_progress()
    ctx.tracker.publish()

    status: JobStatus = "done"
    for position, item in enumerate(pending, start=1):
        if position > 1 and (position - 1) % settings.INDEX_CHECKPOINT_EVERY_MODELS == 0:
            ctx.service.checkpoint_index()
        if ctx.cancel.cancelled:
            status = "cancelled"
            break
        ctx.tracker.start_item(item.size_bytes)
        try:
            result = _import_one(ctx, item, (items or {}).get(item.key, options))
        except OperationCancelled:
            status = "cancelled"
            break
        if result.key is None:
            result.key = item.key
        results[item.key] = result
        data = result.model_dump(mode="json")
        if result.ok:
            ctx.store.add_checkpoint(ctx.job_id, item.key, {**data, SOURCE_PATHS_KEY: item.paths})
        ctx.item_done(data)
        changed = list(dict.fromkeys(i for i in (result.id, result.duplicate_of) if i))
        if result.ok and changed:
            ctx.library_changed(changed, "import")

    ctx.service.checkpoint_index()
    ordered = [r.model_dump(mode="json") for r in results.values()]
    for rejected in plan.rejected if items is None else []:  # the whole plan: say what it left
        if rejected.get("path") in done_paths:
            continue  # an input an earlier run already imported (and moved away)
        ordered.append(
            ImportResult(
                ok=False,
                key=rejected.get("path"),
                error=ErrorInfo(
                    code="rejected",
                    message=rejected.get("reason", "not importable"),
                    details={"path": rejected.get("path")},
                ),
            ).model_dump(mode="json")
        )
    return status, ordered


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
        error: str | None = None
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
            error = _error_info(exc, model_id).message
            result = ModelVerification(id=model_id, path="", ok=False, files=[])
        results[model_id] = result
        data = result.model_dump(mode="json")
        ctx.store.add_checkpoint(ctx.job_id, model_id, data)
        ctx.item_done(data, error)
    models = [results[m] for m, _ in targets if m in results]
    report = VerifyReport(models=models, bytes_read=sum(m.bytes_read for m in models))
    return status, report.model_dump(mode="json")


TASKS: dict[JobKind, TaskFn] = {
    "import": run_import,
    "rebuild": run_rebuild,
    "verify": run_verify,
    "reclassify": run_reclassify,
}
