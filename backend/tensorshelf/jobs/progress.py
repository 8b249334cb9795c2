"""Aggregates a job's progress (items, bytes, rate, ETA) from per-item callbacks and turns
it into throttled `job.progress` payloads.

Several items may be under way at once (an import streams one file per core on an SSD);
each is known by its key. Byte callbacks arrive from worker threads; everything is locked. An
event is published at most every `JOB_EVENT_MIN_INTERVAL_S`, except that a new item, file
or stage is always published at once (the UI shows stages) and so is every item boundary.
Throttled-away updates are simply superseded by the next one: no timer runs."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tensorshelf import settings
from tensorshelf.jobs.models import JobKind, JobProgress
from tensorshelf.library.models import ImportProgress


@dataclass
class _Item:
    """An item under way: its planned size and the bytes done so far."""

    size: int
    files: dict[str, int] = field(default_factory=dict)  # file -> bytes done (imports)
    deltas: int = 0  # bytes reported as deltas (verify)

    @property
    def done(self) -> int:
        current = sum(self.files.values()) + self.deltas
        return min(current, self.size) if self.size else current


class ProgressTracker:
    def __init__(
        self,
        job_id: str,
        kind: JobKind,
        emit: Callable[[JobProgress], None],
        *,
        min_interval_s: float = settings.JOB_EVENT_MIN_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.kind: JobKind = kind
        self._emit = emit
        self._min_interval = min_interval_s
        self._clock = clock
        self._lock = threading.Lock()  # guards the counters
        self._emit_lock = threading.RLock()  # orders publications; re-entrant for listeners
        self.items_total = 0
        self.items_done = 0
        self.bytes_total = 0
        self._bytes_finished = 0  # bytes of the items already completed
        self._bytes_skipped = 0  # of those, completed by an earlier run (not in the rate)
        self._active: dict[str, _Item] = {}  # items under way, by key
        self._item: ImportProgress | None = None  # the latest item progress (for the UI)
        self._last_stage: tuple[str, str, str] | None = None
        self._started = clock()
        self._last_emit = -math.inf
        self._title: str | None = None

    # --- counters --------------------------------------------------------------------------
    def set_totals(self, items_total: int, bytes_total: int) -> None:
        with self._lock:
            self.items_total, self.bytes_total = items_total, bytes_total
            self._started = self._clock()

    def set_title(self, title: str) -> None:
        """The job's title changed (carried by every later `job.progress`)."""
        with self._lock:
            self._title = title

    def skip(self, items: int, bytes_: int) -> None:
        """Count items completed by an earlier run (checkpoints) as done."""
        with self._lock:
            self.items_done += items
            self._bytes_finished += bytes_
            self._bytes_skipped += bytes_

    def start_item(self, size_bytes: int, key: str = "") -> None:
        """An item (`key`: an import's plan item key; one item at a time may use "") starts."""
        with self._lock:
            self._active[key] = _Item(size_bytes)

    def finish_item(self, key: str = "") -> None:
        """The item is complete (whatever its outcome): publish at once."""
        with self._emit_lock:
            with self._lock:
                item = self._active.pop(key, None)
                self.items_done += 1
                self._bytes_finished += item.size if item is not None else 0
                if self._item is not None and self._item.key == key:
                    self._item = None
                snap = self._due_locked(True)
            self._send(snap)

    def on_import_progress(self, progress: ImportProgress) -> None:
        """ImportProgress of an item under way; `bytes_done` is cumulative per file."""
        with self._emit_lock:
            with self._lock:
                item = self._active.setdefault(progress.key, _Item(0))
                previous = item.files.get(progress.file, 0)
                done = progress.bytes_done
                if progress.bytes_total:
                    done = min(done, progress.bytes_total)
                item.files[progress.file] = max(previous, done)
                self._item = progress
                stage = (progress.key, progress.file, progress.stage)
                force = stage != self._last_stage
                self._last_stage = stage
                snap = self._due_locked(force)
            self._send(snap)

    def set_items(self, done: int, total: int) -> None:
        """Item counts reported directly (rebuild's `on_progress(done, total)`)."""
        with self._emit_lock:
            with self._lock:
                self.items_done, self.items_total = done, total
                snap = self._due_locked(False)
            self._send(snap)

    def on_bytes(self, delta: int) -> None:
        """A byte delta of the one item under way with key "" (ProgressFn, as verify reports)."""
        with self._emit_lock:
            with self._lock:
                self._active.setdefault("", _Item(0)).deltas += delta
                snap = self._due_locked(False)
            self._send(snap)

    def publish(self) -> None:
        """Publish the current state now (start of a job, after resuming)."""
        with self._emit_lock:
            with self._lock:
                snap = self._due_locked(True)
            self._send(snap)

    # --- snapshots -------------------------------------------------------------------------
    @property
    def bytes_done(self) -> int:
        with self._lock:
            return self._bytes_done_locked()

    def _bytes_done_locked(self) -> int:
        return self._bytes_finished + sum(item.done for item in self._active.values())

    def snapshot(self) -> JobProgress:
        with self._lock:
            return self._snapshot_locked()

    def _snapshot_locked(self) -> JobProgress:
        bytes_done = self._bytes_done_locked()
        elapsed = self._clock() - self._started
        moved = bytes_done - self._bytes_skipped
        rate = moved / elapsed if elapsed > 0 and moved > 0 else 0.0
        remaining = max(self.bytes_total - bytes_done, 0)
        eta = remaining / rate if rate > 0 else None
        return JobProgress(
            job_id=self.job_id,
            kind=self.kind,
            items_done=self.items_done,
            items_total=self.items_total,
            bytes_done=bytes_done,
            bytes_total=self.bytes_total,
            rate_bps=rate,
            eta_s=eta,
            item=self._item,
            title=self._title,
        )

    def _due_locked(self, force: bool) -> JobProgress | None:
        """The snapshot to publish now, or None while throttled."""
        now = self._clock()
        if not force and now - self._last_emit < self._min_interval:
            return None
        self._last_emit = now
        return self._snapshot_locked()

    def _send(self, snap: JobProgress | None) -> None:
        # Outside the state lock (a listener may ask for a snapshot) but inside the emit
        # lock, so snapshots from different threads are published in the order taken.
        if snap is not None:
            self._emit(snap)
