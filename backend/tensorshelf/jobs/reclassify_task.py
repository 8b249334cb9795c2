"""The reclassify job: re-run detection on every model (or the named ones), one model at a
time through `LibraryService.reclassify_model`, counting models in `job.progress`.

A dry run moves nothing and keeps no checkpoints (re-running it is the resume). A real run
checkpoints every model it has handled, so a resumed run skips them, and publishes one
`library.changed` with the ids it re-filed when it ends (cancelled or not)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tensorshelf import settings
from tensorshelf.jobs.models import EVENT_JOB_ITEM_DONE, JobItemDone, JobStatus
from tensorshelf.library.models import ReclassifyItem, ReclassifyReport

if TYPE_CHECKING:
    from tensorshelf.jobs.tasks import JobContext, Outcome

log = logging.getLogger(__name__)


def _targets(ctx: JobContext) -> list[str]:
    refs = ctx.params.get("refs")
    return list(refs) if refs is not None else sorted(ctx.service.model_ids())


def run_reclassify(ctx: JobContext) -> Outcome:
    dry_run = bool(ctx.params.get("dry_run"))
    targets = _targets(ctx)
    done = {} if dry_run else ctx.store.checkpoints(ctx.job_id)
    items = {ref: ReclassifyItem.model_validate(r) for ref, r in done.items()}
    tracker = ctx.tracker
    tracker.set_totals(len(targets), 0)
    tracker.skip(sum(1 for ref in targets if ref in items), 0)
    ctx.save_progress()
    tracker.publish()
    if items:
        log.info(
            "job %s: resuming, %d of %d models already re-classified",
            ctx.job_id,
            len(items),
            len(targets),
        )

    status: JobStatus = "done"
    refiled: list[str] = []
    try:
        for ref in targets:
            if ref in items:
                continue
            if ctx.cancel.cancelled:
                status = "cancelled"
                break
            item = ctx.service.reclassify_model(ref, dry_run)
            items[ref] = item
            data = item.model_dump(mode="json")
            if not dry_run:
                ctx.store.add_checkpoint(ctx.job_id, ref, data)
                if item.change is not None:
                    refiled.append(item.change.id)
                    if len(refiled) % settings.INDEX_CHECKPOINT_EVERY_MODELS == 0:
                        ctx.service.checkpoint_index()
            tracker.set_items(tracker.items_done + 1, len(targets))  # throttled
            if not dry_run:
                ctx.save_progress()
            ctx.bus.publish(
                EVENT_JOB_ITEM_DONE,
                JobItemDone(job_id=ctx.job_id, kind=ctx.kind, result=data, error=item.error),
            )
    finally:
        tracker.publish()
        ctx.save_progress()
        if refiled:
            ctx.service.checkpoint_index()
            ctx.library_changed(refiled, "reclassify")

    report = ReclassifyReport(dry_run=dry_run)
    for ref in targets:
        if ref in items:
            report.add(items[ref])
    log.info(
        "job %s: reclassify%s %s: %d changed, %d unchanged, %d errors",
        ctx.job_id,
        " (dry run)" if dry_run else "",
        status,
        len(report.changed),
        report.unchanged,
        len(report.errors),
    )
    return status, report.model_dump(mode="json")
