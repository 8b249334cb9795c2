"""The sync job: apply every app's plan (or the named apps'), counting links removed and made
in `job.progress`. A sync is idempotent, so a resumed (interrupted) one simply runs again;
a cancelled one stops between links with what it made recorded."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from tensorshelf.errors import InvalidArgument
from tensorshelf.mapping.sync.apply import Resolution

if TYPE_CHECKING:
    from tensorshelf.jobs.tasks import JobContext, Outcome

log = logging.getLogger(__name__)


def run_sync(ctx: JobContext) -> Outcome:
    if ctx.mapping is None:
        raise InvalidArgument("this job runner has no app mapping")
    apps = ctx.params.get("apps")
    resolutions = cast(dict[str, Resolution], ctx.params.get("resolutions") or {})
    tracker = ctx.tracker

    def progress(done: int, total: int) -> None:
        if done == 0:
            tracker.set_totals(total, 0)
            tracker.publish()
        tracker.set_items(done, total)  # throttled

    results = ctx.mapping.sync(apps or None, None, resolutions or None, progress, ctx.cancel)
    tracker.publish()
    ctx.save_progress()
    status = "cancelled" if ctx.cancel.cancelled else "done"
    created = sum(r.created for r in results)
    log.info("job %s: sync %s, %d links made", ctx.job_id, status, created)
    report: dict[str, Any] = {"results": [r.model_dump(mode="json") for r in results]}
    return cast("Outcome", (status, report))
