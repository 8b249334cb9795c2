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
from contextlib import contextmanager
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

    @contextmanager
    def holding(self, devices: Iterable[int]) -> Iterator[None]:
        """Hold one stream on each device (taken in device order: no two holders deadlock)."""
        taken = [self._semaphore(d) for d in sorted(set(devices))]
        for semaphore in taken:
            semaphore.acquire()
        try:
            yield
        finally:
            for semaphore in reversed(taken):
                semaphore.release()


class StreamedBatch(Generic[T, R]):
    """Runs `work(item)` for each item on a worker thread while holding its drives' streams,
    at most `width` at once, and hands each (item, result) back in `results()`."""

    def __init__(
        self,
        work: Callable[[T], R],
        devices_of: Callable[[T], Iterable[int]],
        streams: DriveStreams,
        cancel: CancelToken,
    ) -> None:
        self._work, self._devices_of = work, devices_of
        self._streams, self._cancel = streams, cancel

    def width(self, items: Sequence[T]) -> int:
        """Workers worth starting: the most streams any involved drive takes, within cores."""
        devices = {d for item in items for d in self._devices_of(item)}
        widest = max((self._streams.streams(d) for d in devices), default=1)
        return max(1, min(widest, self._streams.cores, len(items) or 1))

    def _run_one(self, item: T) -> R:
        with self._streams.holding(self._devices_of(item)):
            self._cancel.raise_if_cancelled()
            return self._work(item)

    def results(self, items: Sequence[T]) -> Iterator[tuple[T, Future[R]]]:
        """(item, finished future) as each completes; no new item starts once cancelled."""
        width = self.width(items)
        pending = iter(items)
        running: dict[Future[R], T] = {}
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="import") as pool:

            def top_up() -> None:
                while len(running) < width and not self._cancel.cancelled:
                    item = next(pending, None)
                    if item is None:
                        return
                    running[pool.submit(self._run_one, item)] = item

            top_up()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield running.pop(future), future
                top_up()
