"""JobRunner: starts long operations as jobs, one worker thread each, and answers questions
about them. `start_*` returns a job id at once; progress, per-item results, library changes
and the end of a job arrive as events on the bus (docs/API.md "Events").

Imports, verifies and reclassify runs share one "disk" gate (they run one at a time, first
come first served, so two of them never contend for the disk and a model is never re-filed
while it is being verified); rebuilds have their own gate and may run beside an import, and
so do reclassify dry runs (headers only, nothing moves). Nothing runs on a timer: idle threads
wait on Conditions/Events."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tensorshelf import settings
from tensorshelf.error_info import ErrorInfo, error_info
from tensorshelf.errors import InvalidArgument, OperationCancelled, ShelfError
from tensorshelf.io.types import CancelToken
from tensorshelf.jobs.download_task import discard_partials
from tensorshelf.jobs.events import EventBus
from tensorshelf.jobs.gate import Gate
from tensorshelf.jobs.models import (
    EVENT_JOB_DONE,
    EVENT_JOB_PROGRESS,
    PAUSABLE_KINDS,
    PAUSED_CODE,
    JobDone,
    JobInfo,
    JobKind,
    JobProgress,
    JobStatus,
    bytes_read_in,
    problems_in,
)
from tensorshelf.jobs.progress import ProgressTracker
from tensorshelf.jobs.starting import JobStarting
from tensorshelf.jobs.store import JobStore
from tensorshelf.jobs.tasks import TASKS, JobContext

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.library.service import LibraryService
    from tensorshelf.mapping.service import MappingService

log = logging.getLogger(__name__)


@dataclass
class _ActiveJob:
    job_id: str
    kind: JobKind
    params: dict[str, Any]
    tracker: ProgressTracker
    cancel: CancelToken = field(default_factory=CancelToken)
    finished: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class JobRunner(JobStarting):
    def __init__(
        self,
        service: LibraryService,
        store: JobStore,
        bus: EventBus,
        mapping: MappingService | None = None,
        hub: Callable[[], HubSession] | None = None,
    ) -> None:
        """`hub`: makes the process's Hugging Face session on the first lookup job (the
        network stack is not loaded by commands that never use it)."""
        self._service = service
        self._mapping = mapping
        self._hub = hub
        self._store = store
        self._bus = bus
        disk = Gate("disk")
        self._gates: dict[JobKind, Gate] = {
            "import": disk,
            "adopt": disk,
            "verify": disk,
            "reclassify": disk,
            "rebuild": Gate("index"),
            "sync": Gate("links"),  # links only: beside an import (the writer lock orders them)
            "lookup": Gate("network"),  # the network only: beside anything local
            "download": Gate("download"),  # one download at a time, beside lookups
        }
        self._preview_gate = Gate("preview")  # reclassify dry runs
        self._active: dict[str, _ActiveJob] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._drop_interrupted_previews()

    @property
    def store(self) -> JobStore:
        """ops.db: the jobs, their results and checkpoints (read by the import history)."""
        return self._store

    def resume(self, job_id: str | None = None) -> list[str]:
        """Resume one interrupted job, or (None) every interrupted job; returns the ids
        started. Completed items (checkpoints) are skipped."""
        if job_id is not None:
            info = self._store.claim(job_id)  # raises unless interrupted
            self._launch(job_id, info.kind, self._store.params(job_id))
            return [job_id]
        started = []
        for info in self._store.interrupted():
            try:
                self._store.claim(info.job_id)
            except InvalidArgument:  # another process resumed it first
                continue
            self._launch(info.job_id, info.kind, self._store.params(info.job_id))
            started.append(info.job_id)
        return started

    def _drop_interrupted_previews(self) -> None:
        """An interrupted reclassify dry run is not worth resuming (it changed nothing and
        its preview has no one left to show it to): record it as cancelled."""
        for info in self._store.interrupted():
            if info.kind != "reclassify" or not self._store.params(info.job_id).get("dry_run"):
                continue
            try:
                self._store.claim(info.job_id)
            except InvalidArgument:  # another process got to it first
                continue
            self._store.finish(
                info.job_id,
                "cancelled",
                error=ErrorInfo(
                    code="interrupted",
                    message="interrupted; a dry run is not resumed (run it again)",
                ),
            )

    def _start(self, kind: JobKind, params: dict[str, Any], title: str) -> str:
        self._check_open()
        info = self._store.create(kind, params, title)
        self._launch(info.job_id, kind, params)
        return info.job_id

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidArgument("the job runner is closed")

    def _launch(self, job_id: str, kind: JobKind, params: dict[str, Any]) -> None:
        def publish(progress: JobProgress) -> None:
            self._bus.publish(EVENT_JOB_PROGRESS, progress)

        tracker = ProgressTracker(job_id, kind, publish)
        active = _ActiveJob(job_id, kind, params, tracker)
        active.thread = threading.Thread(
            target=self._run, args=(active,), daemon=True, name=f"job-{kind}-{job_id[-8:]}"
        )
        with self._lock:
            self._check_open()
            self._active[job_id] = active
        log.info("job %s (%s) started", job_id, kind)
        active.thread.start()

    # --- the worker thread ---------------------------------------------------------------
    def _run(self, active: _ActiveJob) -> None:
        status: JobStatus = "failed"
        result: Any = None
        error: ErrorInfo | None = None
        gate = self._gate_of(active)
        acquired = False
        try:
            acquired = gate.acquire(active.job_id, active.cancel)
            if not acquired:
                status = "cancelled"
            else:
                ctx = JobContext(
                    active.job_id,
                    active.kind,
                    active.params,
                    self._service,
                    self._store,
                    self._bus,
                    active.cancel,
                    active.tracker,
                    self._mapping,
                    self._hub()
                    if self._hub is not None and active.kind in ("lookup", "download", "adopt")
                    else None,
                )
                status, result = TASKS[active.kind](ctx)
        except OperationCancelled:
            status = "cancelled"
        except ShelfError as exc:
            log.warning("job %s (%s) failed: %s", active.job_id, active.kind, exc.message)
            error = exc.info()
        except Exception as exc:
            log.exception("job %s (%s) failed unexpectedly", active.job_id, active.kind)
            error = error_info(exc, job_id=active.job_id)
        finally:
            try:
                self._finish(active, status, result, error)
            finally:
                # after job.done is out: a queued job's first event never comes before it
                if acquired:
                    gate.release(active.job_id)

    def _gate_of(self, active: _ActiveJob) -> Gate:
        if active.kind == "reclassify" and active.params.get("dry_run"):
            return self._preview_gate
        return self._gates[active.kind]

    def _finish(
        self, active: _ActiveJob, status: JobStatus, result: Any, error: ErrorInfo | None
    ) -> None:
        paused: ErrorInfo | None = None
        if status == "cancelled" and active.cancel.paused:
            paused = ErrorInfo(
                code=PAUSED_CODE, message="paused; resume continues from where it stopped"
            )
            status, error = "interrupted", paused
        try:
            if paused is not None:
                self._store.suspend(active.job_id, error=paused)
            else:
                self._store.finish(active.job_id, status, result=result, error=error)
        except Exception:
            log.exception("could not record the end of job %s", active.job_id)
        try:
            self._bus.publish(
                EVENT_JOB_DONE,
                JobDone(
                    job_id=active.job_id,
                    kind=active.kind,
                    status=status,
                    result=result,
                    error=error,
                    problems=problems_in(active.kind, result),
                    bytes_read=bytes_read_in(active.kind, result),
                ),
            )
        finally:
            with self._lock:
                self._active.pop(active.job_id, None)
            active.finished.set()
            log.info("job %s (%s) %s", active.job_id, active.kind, status)

    # --- questions and control -----------------------------------------------------------
    def _live(self, info: JobInfo) -> JobInfo:
        active = self._active.get(info.job_id)
        if active is None or info.status != "running":
            return info
        snap = active.tracker.snapshot()
        return info.model_copy(
            update={
                "items_done": snap.items_done,
                "items_total": snap.items_total,
                "bytes_done": snap.bytes_done,
                "bytes_total": snap.bytes_total,
            }
        )

    def get(self, job_id: str) -> JobInfo:
        return self._live(self._store.get(job_id))

    def list_jobs(self) -> list[JobInfo]:
        return [self._live(info) for info in self._store.recent()]

    def wait(self, job_id: str, timeout: float | None = None) -> JobInfo:
        """Block until the job ends (or `timeout` seconds pass); returns its info. A job not
        running in this process is returned as it is."""
        active = self._active.get(job_id)
        if (
            active is not None
            and active.finished.wait(timeout)
            and active.thread is not None
            and active.thread is not threading.current_thread()
        ):
            active.thread.join()  # already past its last step: no thread is left behind
        return self.get(job_id)

    def pause(self, job_id: str, wait_s: float | None = settings.JOB_CANCEL_WAIT_S) -> JobInfo:
        """Pause a running download: it stops at its next cancellation point, keeps its
        partial files and ends `interrupted` (error code `paused`), so `resume` continues it."""
        active = self._active.get(job_id)
        if active is None:
            info = self._store.get(job_id)
            raise InvalidArgument(
                f"job {job_id} is not running here ({info.status}); only a running job pauses",
                job_id=job_id,
                status=info.status,
            )
        if active.kind not in PAUSABLE_KINDS:
            raise InvalidArgument(
                f"a {active.kind} job cannot be paused (cancel it instead)", job_id=job_id
            )
        active.cancel.pause()
        if wait_s and threading.current_thread() is not active.thread:
            active.finished.wait(wait_s)
        return self.get(job_id)

    def cancel(self, job_id: str, wait_s: float | None = settings.JOB_CANCEL_WAIT_S) -> JobInfo:
        """Cancel a job: a running one stops at its next cancellation point (an in-flight
        import cleans its staging) and ends `cancelled`; this waits up to `wait_s` for that.
        An interrupted job is marked cancelled so it is not resumed. A finished job is
        returned unchanged."""
        active = self._active.get(job_id)
        if active is not None:
            active.cancel.cancel()
            for gate in {*self._gates.values(), self._preview_gate}:
                gate.wake()
            if wait_s and threading.current_thread() is not active.thread:
                active.finished.wait(wait_s)
            return self.get(job_id)
        info = self._store.get(job_id)
        if info.status == "interrupted":
            self._store.claim(job_id)
            info = self._store.finish(job_id, "cancelled")
            if info.kind == "download" and self._hub is not None:
                discard_partials(self._hub().state_dir, self._store.params(job_id))
            self._bus.publish(
                EVENT_JOB_DONE, JobDone(job_id=job_id, kind=info.kind, status="cancelled")
            )
        elif info.status == "running":
            raise InvalidArgument(
                f"job {job_id} runs in another process; cancel it there", job_id=job_id
            )
        return info

    def close(self, timeout: float = settings.JOB_CANCEL_WAIT_S) -> None:
        """Cancel running jobs, wait up to `timeout` for each, then close the store."""
        with self._lock:
            self._closed = True
            active = list(self._active.values())
        for job in active:
            self.cancel(job.job_id, wait_s=0)
        still_running = [job.job_id for job in active if not job.finished.wait(timeout)]
        if still_running:
            log.warning("jobs still running at close: %s", ", ".join(still_running))
            return
        self._store.close()
