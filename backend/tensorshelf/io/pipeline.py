"""One sequential read of a file, fanned out to several consumers ("sinks") in parallel.

The calling thread is the reader: it fills preallocated buffers with ``readinto`` and hands
each filled buffer to every sink's queue; each sink runs in its own thread; a buffer goes
back to the free pool once every sink is done with it. So every byte is read exactly once,
memory stays bounded by ``PIPELINE_QUEUE_DEPTH * COPY_BUFFER_BYTES``, and the hashers
(which release the GIL on big buffers) and the writer run concurrently.

`hashing.hash_file` and `copying.copy_with_hashes` are thin users of `pump` and `SourceFile`.
"""

from __future__ import annotations

import errno
import io
import logging
import mmap
import os
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from tensorshelf import settings
from tensorshelf.errors import NotRegularFile, SourceChanged
from tensorshelf.io.regular import open_regular
from tensorshelf.io.sinks import Sink
from tensorshelf.io.types import CancelToken, ProgressFn

log = logging.getLogger(__name__)


def aligned_buffer(size: int) -> memoryview:
    """A writable, page-aligned buffer (anonymous mmap) — what O_DIRECT writes need."""
    return memoryview(mmap.mmap(-1, max(size, 1)))[:size]


def read_full(reader: io.RawIOBase, view: memoryview) -> int:
    """Fill `view` unless EOF comes first (so every buffer but the last is full-size)."""
    filled = 0
    while filled < len(view):
        n = reader.readinto(view[filled:]) or 0
        if n == 0:
            break
        filled += n
    return filled


@dataclass(eq=False)
class _Slot:
    view: memoryview
    length: int = 0
    pending: int = 0


class _Progress:
    """Turns completed-byte totals into throttled deltas for a ProgressFn."""

    def __init__(self, fn: ProgressFn | None) -> None:
        self._fn = fn
        self._reported = 0
        self._last = 0.0

    def update(self, done: int, *, final: bool = False) -> None:
        if self._fn is None or done <= self._reported:
            return
        now = time.monotonic()
        if not final and now - self._last < settings.PROGRESS_MIN_INTERVAL_S:
            return
        delta, self._reported, self._last = done - self._reported, done, now
        self._fn(delta)


@dataclass(eq=False)
class _Fanout:
    sinks: Sequence[Sink]
    buffer_bytes: int
    depth: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    failed: threading.Event = field(default_factory=threading.Event)
    errors: list[BaseException] = field(default_factory=list)
    done_bytes: int = 0

    def __post_init__(self) -> None:
        # Queues are unbounded in type but bounded in practice: only `depth` slots exist.
        self.free: queue.SimpleQueue[_Slot] = queue.SimpleQueue()
        for _ in range(self.depth):
            self.free.put(_Slot(aligned_buffer(self.buffer_bytes)))
        self.queues: list[queue.SimpleQueue[_Slot | None]] = [
            queue.SimpleQueue() for _ in self.sinks
        ]

    def fail(self, exc: BaseException) -> None:
        with self.lock:
            self.errors.append(exc)
        self.failed.set()

    def release(self, slot: _Slot) -> None:
        with self.lock:
            slot.pending -= 1
            last = slot.pending == 0
            if last:
                self.done_bytes += slot.length
        if last:
            self.free.put(slot)

    def run_sink(self, sink: Sink, inbox: queue.SimpleQueue[_Slot | None]) -> None:
        while (slot := inbox.get()) is not None:
            try:
                if not self.failed.is_set():  # after a failure, only drain
                    sink.consume(slot.view[: slot.length])
            except BaseException as exc:  # noqa: BLE001 - re-raised by the reader
                log.debug("pipeline sink %s failed: %r", sink.name, exc)
                self.fail(exc)
            finally:
                self.release(slot)

    def take_free(self, cancel: CancelToken | None) -> _Slot | None:
        while True:
            try:
                return self.free.get(timeout=settings.PIPELINE_POLL_S)
            except queue.Empty:
                if self.failed.is_set() or (cancel is not None and cancel.cancelled):
                    return None

    def read_all(
        self, reader: io.RawIOBase, cancel: CancelToken | None, progress: _Progress
    ) -> int:
        total = 0
        while not self.failed.is_set() and not (cancel is not None and cancel.cancelled):
            slot = self.take_free(cancel)
            if slot is None:
                break
            n = read_full(reader, slot.view)
            if n == 0:
                self.free.put(slot)
                break
            total += n
            slot.length, slot.pending = n, len(self.queues) + 1  # +1: the reader's own hold
            for inbox in self.queues:
                inbox.put(slot)
            self.release(slot)
            with self.lock:
                done = self.done_bytes
            progress.update(done)
        return total


def pump(
    reader: io.RawIOBase,
    sinks: Sequence[Sink],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    expected_size: int | None = None,
    buffer_bytes: int | None = None,
    depth: int | None = None,
) -> int:
    """Read `reader` to its end once, feeding every byte to every sink. Returns the byte count.

    Raises the first sink/reader error, or `OperationCancelled` when `cancel` fires (checked
    once per buffer). Small files (`expected_size` <= PIPELINE_INLINE_MAX_BYTES) run inline in
    the calling thread: same sinks, no thread start-up cost. The calling thread is the
    reader and the one that calls `progress`. Defaults: COPY_BUFFER_BYTES buffers,
    PIPELINE_QUEUE_DEPTH of them.
    """
    buffer_bytes = buffer_bytes or settings.COPY_BUFFER_BYTES
    depth = depth or settings.PIPELINE_QUEUE_DEPTH
    tracker = _Progress(progress)
    if expected_size is not None and expected_size <= settings.PIPELINE_INLINE_MAX_BYTES:
        total = _pump_inline(reader, sinks, cancel, tracker, buffer_bytes)
    else:
        total = _pump_threaded(reader, sinks, cancel, tracker, buffer_bytes, depth)
    tracker.update(total, final=True)
    return total


def _pump_inline(
    reader: io.RawIOBase,
    sinks: Sequence[Sink],
    cancel: CancelToken | None,
    tracker: _Progress,
    buffer_bytes: int,
) -> int:
    view = aligned_buffer(buffer_bytes)
    total = 0
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        n = read_full(reader, view)
        if n == 0:
            return total
        for sink in sinks:
            sink.consume(view[:n])
        total += n
        tracker.update(total)


def _pump_threaded(
    reader: io.RawIOBase,
    sinks: Sequence[Sink],
    cancel: CancelToken | None,
    tracker: _Progress,
    buffer_bytes: int,
    depth: int,
) -> int:
    fan = _Fanout(sinks, buffer_bytes, depth)
    threads = [
        threading.Thread(
            target=fan.run_sink, args=(sink, inbox), daemon=True, name=f"tensorshelf-{sink.name}"
        )
        for sink, inbox in zip(sinks, fan.queues, strict=True)
    ]
    for thread in threads:
        thread.start()
    total = 0
    try:
        total = fan.read_all(reader, cancel, tracker)
    except BaseException as exc:  # noqa: BLE001 - re-raised below, after the sinks stop
        fan.fail(exc)
    finally:
        for inbox in fan.queues:
            inbox.put(None)
        for thread in threads:
            thread.join()
    if fan.errors:
        raise fan.errors[0]
    if cancel is not None:
        cancel.raise_if_cancelled()
    return total


class SourceFile:
    """A regular file opened for one sequential read, with change detection."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:  # never opens (and blocks on) a FIFO; checked on the open descriptor itself
            self.file = open_regular(self.path)
        except NotRegularFile:
            raise OSError(errno.EINVAL, "not a regular file", str(self.path)) from None
        try:
            self.stat = os.fstat(self.file.fileno())
        except BaseException:
            self.file.close()
            raise
        if hasattr(os, "posix_fadvise"):
            try:
                os.posix_fadvise(self.file.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            except OSError:  # only a hint
                log.debug("posix_fadvise refused for %s", self.path)

    @property
    def size(self) -> int:
        return self.stat.st_size

    def ensure_unchanged(self, bytes_read: int) -> None:
        """Raise SourceChanged if size or mtime moved, or we read a different byte count."""
        after = os.fstat(self.file.fileno())
        before = self.stat
        if (after.st_size, after.st_mtime_ns) == (
            before.st_size,
            before.st_mtime_ns,
        ) and bytes_read == before.st_size:
            return
        raise SourceChanged(
            f"{self.path} changed while it was being read "
            f"(size {before.st_size} -> {after.st_size}, read {bytes_read} bytes)",
            path=str(self.path),
            size_before=before.st_size,
            size_after=after.st_size,
            mtime_ns_before=before.st_mtime_ns,
            mtime_ns_after=after.st_mtime_ns,
            bytes_read=bytes_read,
        )

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["SourceFile", "aligned_buffer", "pump", "read_full"]
