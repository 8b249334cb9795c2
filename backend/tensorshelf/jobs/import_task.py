"""The import job: the reviewed plan's items, imported as many at a time as the drives take.

The plan comes from ops.db (`plan_id`), so a resumed job imports the same items; items a
previous run finished (checkpoints) are skipped. Items run on worker threads through
`StreamedBatch` (one stream per spinning disk, one per core on an SSD); their results come
back here, on the job's thread, which alone writes checkpoints, events and index
checkpoints. Results are reported in plan order whatever order the items finish in."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from tensorshelf import settings
from tensorshelf.error_info import error_info
from tensorshelf.errors import InvalidArgument, OperationCancelled
from tensorshelf.io.drives import device_of
from tensorshelf.jobs.models import JobStatus
from tensorshelf.jobs.streams import DriveStreams, StreamedBatch
from tensorshelf.jobs.titles import import_plan_title
from tensorshelf.library.models import ImportOptions, ImportPlan, ImportPlanItem, ImportResult

if TYPE_CHECKING:
    from tensorshelf.jobs.tasks import JobContext

log = logging.getLogger(__name__)

SOURCE_PATHS_KEY = "source_paths"  # extra key stored with an import checkpoint


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
    """The job's plan and chosen items (a job from before plans were kept re-plans its
    paths, with its per-item options for the items that still plan the same)."""
    params = ctx.params
    raw = params.get("items", params.get("per_item") or None)
    items = None if raw is None else {k: ImportOptions.model_validate(v) for k, v in raw.items()}
    if "plan_id" in params:
        return ctx.store.plan(params["plan_id"]), items
    plan = ctx.service.plan_import(params["paths"])
    keys = {item.key for item in plan.items}
    kept = {k: v for k, v in (items or {}).items() if k in keys}
    return plan, kept or None


class _Batch:
    """One run of the import job over the items still to do."""

    def __init__(self, ctx: JobContext, options: ImportOptions, items: dict[str, ImportOptions]):
        self.ctx, self.options, self.items = ctx, options, items
        self.library_device = device_of(ctx.service.root)

    def devices(self, item: ImportPlanItem) -> set[int]:
        try:
            return {device_of(item.root), self.library_device}
        except OSError:
            return {self.library_device}  # a vanished source fails fast inside import_item

    def import_one(self, item: ImportPlanItem) -> ImportResult:
        """Import one planned model (an item the plan marked unimportable comes back as a
        failed result from the service). Only OperationCancelled escapes."""
        ctx = self.ctx
        ctx.tracker.start_item(item.size_bytes, item.key)
        options = self.items.get(item.key, self.options)
        try:
            return ctx.service.import_item(
                item, options, ctx.tracker.on_import_progress, ctx.cancel, ctx.job_id
            )
        except OperationCancelled:
            raise
        except Exception as exc:  # the service promises not to raise; one item never stops a batch
            log.exception("import of %s failed unexpectedly", item.key)
            return ImportResult(ok=False, key=item.key, error=error_info(exc, key=item.key))

    def record(self, item: ImportPlanItem, outcome: Future[ImportResult]) -> ImportResult | None:
        """Checkpoint, events and library.changed for one finished item (None: cancelled)."""
        ctx = self.ctx
        try:
            result = outcome.result()
        except OperationCancelled:
            return None
        if result.key is None:
            result.key = item.key
        data = result.model_dump(mode="json")
        if result.ok:
            ctx.store.add_checkpoint(ctx.job_id, item.key, {**data, SOURCE_PATHS_KEY: item.paths})
        ctx.item_done(data, key=item.key)
        changed = list(dict.fromkeys(i for i in (result.id, result.duplicate_of) if i))
        if result.ok and changed:
            ctx.library_changed(changed, "import")
        return result


def run_import(ctx: JobContext) -> tuple[JobStatus, Any]:
    options = ImportOptions.model_validate(ctx.params.get("options") or {})
    plan, items = _planned(ctx)
    chosen = plan_items(plan, items)
    title = import_plan_title(chosen)
    if title is not None:
        ctx.retitle(title)
    done = ctx.store.checkpoints(ctx.job_id)  # from an interrupted earlier run
    done_paths = {p for r in done.values() for p in r.get(SOURCE_PATHS_KEY, [])} | set(done)
    results = {k: ImportResult.model_validate(r) for k, r in done.items()}
    pending = [item for item in chosen if item.key not in done]
    skipped_bytes = sum(item.size_bytes for item in chosen if item.key in done)
    ctx.tracker.set_totals(
        len(done) + len(pending), skipped_bytes + sum(item.size_bytes for item in pending)
    )
    ctx.tracker.skip(len(done), skipped_bytes)
    if done:
        log.info("job %s: resuming, %d of %d models already imported", ctx.job_id,
                 len(done), len(done) + len(pending))  # fmt: skip
    ctx.save_progress()
    ctx.tracker.publish()

    batch = _Batch(ctx, options, items or {})
    streamed = StreamedBatch(batch.import_one, batch.devices, DriveStreams(), ctx.cancel)
    status: JobStatus = "done"
    finished = 0
    for item, outcome in streamed.results(pending):
        result = batch.record(item, outcome)
        if result is None:
            status = "cancelled"
            continue
        results[item.key] = result
        finished += 1
        if finished % settings.INDEX_CHECKPOINT_EVERY_MODELS == 0:
            ctx.service.checkpoint_index()
    if ctx.cancel.cancelled:
        status = "cancelled"

    ctx.service.checkpoint_index()
    order = {item.key: position for position, item in enumerate(chosen)}
    ordered = [
        r.model_dump(mode="json")
        for r in sorted(results.values(), key=lambda r: order.get(r.key or "", len(order)))
    ]
    for rejected in plan.rejected if items is None else []:  # the whole plan: say what it left
        path = rejected.details.get("path")
        if path in done_paths:
            continue  # an input an earlier run already imported (and moved away)
        ordered.append(ImportResult(ok=False, key=path, error=rejected).model_dump(mode="json"))
    return status, ordered
