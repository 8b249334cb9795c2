"""Start-and-wait for jobs from the CLI: events drive the progress view and signal
completion; Ctrl-C cancels the jobs cleanly (a second Ctrl-C stops waiting)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

from tensorshelf.errors import JobPaused, OperationCancelled
from tensorshelf.settings import CLI_JOB_CHECK_INTERVAL_S

if TYPE_CHECKING:
    from tensorshelf.api.shelf import ShelfApi
    from tensorshelf.cli.progress import ProgressView
    from tensorshelf.jobs.events import Event
    from tensorshelf.jobs.models import JobDone


log = logging.getLogger(__name__)

_TERMINAL = frozenset({"done", "failed", "cancelled", "interrupted"})  # ours: paused


class JobWatcher:
    """Subscribe before starting a job (so no event is missed), then `wait` for it.

    with JobWatcher(api) as watcher:
        ref = api.start_rebuild()
        done = watcher.wait([ref.job_id])
    """

    def __init__(
        self, api: ShelfApi, view: ProgressView | None = None, pause: bool = False
    ) -> None:
        """`pause`: Ctrl-C pauses the jobs (a download keeps its partial files) instead."""
        from tensorshelf.cli.progress import make_view

        self._api = api
        self._pause = pause
        self._view = view or make_view()
        self._done: dict[str, JobDone] = {}
        self._changed = threading.Event()
        self._unsubscribe: Callable[[], None] | None = None

    def __enter__(self) -> Self:
        self._unsubscribe = self._api.bus.subscribe(self._on_event)
        self._view.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._view.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: Event) -> None:
        from tensorshelf.jobs.models import EVENT_JOB_DONE, JobDone

        self._view.on_event(event)
        if event.type == EVENT_JOB_DONE:
            done = JobDone.model_validate(event.payload)
            self._done[done.job_id] = done
            self._changed.set()

    def _check_store(self, pending: set[str]) -> None:
        """Safety net: a job that ended without us seeing its `job.done` event."""
        from tensorshelf.jobs.models import JobDone

        for info in self._api.list_jobs():
            if info.job_id in pending and info.status in _TERMINAL:
                self._done.setdefault(
                    info.job_id,
                    JobDone(
                        job_id=info.job_id,
                        kind=info.kind,
                        status=info.status,
                        result=info.result,
                        error=info.error,
                    ),
                )

    def _wait_until_done(self, job_ids: list[str]) -> None:
        while True:
            pending = {j for j in job_ids if j not in self._done}
            if not pending:
                return
            if not self._changed.wait(CLI_JOB_CHECK_INTERVAL_S):
                self._check_store(pending)
            self._changed.clear()

    def wait(self, job_ids: list[str]) -> dict[str, JobDone]:
        """Block until every job has ended; Ctrl-C cancels them and raises OperationCancelled."""
        try:
            self._wait_until_done(job_ids)
        except KeyboardInterrupt:
            if self._pause:
                self._pause_all(job_ids)
            self._view.note("cancelling… (Ctrl-C again to stop waiting)")
            for job_id in job_ids:
                if job_id not in self._done:
                    try:
                        self._api.cancel_job(job_id)
                    except Exception:  # best effort: it may just have ended
                        log.debug("cancel of %s failed", job_id, exc_info=True)
            self._wait_until_done(job_ids)
            raise OperationCancelled(
                "cancelled by the user; nothing partial was kept", jobs=job_ids
            ) from None
        return {j: self._done[j] for j in job_ids}

    def _pause_all(self, job_ids: list[str]) -> None:
        self._view.note("pausing… (Ctrl-C again to stop waiting)")
        for job_id in job_ids:
            if job_id not in self._done:
                self._api.pause_job(job_id=job_id)
        self._wait_until_done(job_ids)
        raise JobPaused(
            "paused; the partial download is kept — resume it with: tensorshelf jobs --resume",
            jobs=job_ids,
        ) from None


def run_job(api: ShelfApi, start: Callable[[], Any], pause: bool = False) -> JobDone:
    """Start one job with `start()` (returns a JobRef) and wait for it with progress
    (`pause`: Ctrl-C pauses it rather than cancelling it)."""
    with JobWatcher(api, pause=pause) as watcher:
        ref = start()
        return watcher.wait([ref.job_id])[ref.job_id]
