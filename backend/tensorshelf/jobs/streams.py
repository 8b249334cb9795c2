"""Run a batch's items concurrently: at most as many at once on a drive as that drive takes.

The plan's drive-aware I/O queue: each item names the devices it reads and writes (its
source and the library); it runs only while it holds a stream on each of them
(`io.drives.streams_for`: one on a spinning disk, one per core on an SSD), so two copies
never fight over one disk head while an SSD-to-SSD batch keeps every core hashing. Items
start in order; results come back on the calling thread as items finish, so checkpoints,
events and the index are written from one thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

from tensorshelf.io.drives import streams_for
from tensorshelf.io.types import CancelToken

T = TypeVar("T")
R = TypeVar("R")


class DriveStreams:
    """One semaphore per device, sized by `streams_for` when the device is first met."""

    def __init__(self, cores: int | None = None) -> None:
        self.cores = cores or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._streams: dict[int, threading.BoundedSemaphore] = {}

    def streams(self, device: int) -> int:
        return streams_for(device, self.cores)

    def _semaphore(self, device: int) -> threading.BoundedSemaphore:
        with self._lock:
            found = self._streams.get(device)
            if found is None:
                found = self._streams[device] = threading.BoundedSemaphore(self.streams(device))
            return found

    def try_hold(self, devices: Iterable[int]) -> bool:
        """Take one stream on every device at once, or none (never blocks)."""
        taken: list[threading.BoundedSemaphore] = []
        for device in sorted(set(devices)):
            semaphore = self._semaphore(device)
            if not semaphore.acquire(blocking=False):
                for held in reversed(taken):
                    held.release()
                return False
            taken.append(semaphore)
        return True

    def release(self, devices: Iterable[int]) -> None:
        for device in sorted(set(devices), reverse=True):
            self._semaphore(device).release()


class StreamedBatch(Generic[T, R]):
    """Runs `work(item)` for each item on a worker thread while holding its drives' streams
    (at most one item per core), and hands each (item, result) back in `results()`."""

    def __init__(
        self,
        work: Callable[[T], R],
        devices_of: Callable[[T], Iterable[int]],
        streams: DriveStreams,
        cancel: CancelToken,
    ) -> None:
        self._work, self._devices_of = work, devices_of
        self._streams, self._cancel = streams, cancel

    def _run_one(self, item: T, devices: set[int]) -> R:
        try:
            self._cancel.raise_if_cancelled()
            return self._work(item)
        finally:
            self._streams.release(devices)

    def results(self, items: Sequence[T]) -> Iterator[tuple[T, Future[R]]]:
        """(item, finished future) as each completes. Items start strictly in order, each as
        soon as its drives have a free stream; none starts once cancelled."""
        queue = list(items)
        running: dict[Future[R], T] = {}
        width = max(1, min(self._streams.cores, len(queue)))
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="import") as pool:
            while True:
                while queue and len(running) < width and not self._cancel.cancelled:
                    devices = set(self._devices_of(queue[0]))
                    if not self._streams.try_hold(devices):
                        break  # the next item's drive is busy: wait for something to finish
                    item = queue.pop(0)
                    running[pool.submit(self._run_one, item, devices)] = item
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield running.pop(future), future
