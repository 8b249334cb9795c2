"""One writer at a time, across processes: a `flock` on `<library>/.tensorshelf-lock`.

Every change to the library (an import's publish, rm, edit, re-file, scan's index writes, a
rebuild's swap) runs inside `WriterLock.hold(doing)`. Readers never take it. The lock is
re-entrant within a process (threads queue on an RLock first, so one flock per process).
Whoever holds it writes who it is (pid, host, what it is doing) into the lock file, so a
second process can say "waiting for another Tensorshelf (pid N, importing X)" — listeners
registered with `on_wait` hear when waiting starts (and whom for) and when it ends. The
kernel drops a flock when its process dies, so a killed writer never leaves it stuck.

On a shared (network or FUSE) filesystem a lease file is taken as well (library.lease),
because flock there may not reach other machines."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import platform
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ValidationError

from tensorshelf import settings
from tensorshelf.errors import FileAccessError, OperationCancelled, ReadOnlyLibrary
from tensorshelf.library.metadata.document import utc_now

log = logging.getLogger(__name__)


class LockHolder(BaseModel):
    """Who holds (or last held) a library's writer lock."""

    pid: int
    host: str
    doing: str
    since: str

    @classmethod
    def this_process(cls, doing: str) -> LockHolder:
        return cls.model_construct(
            pid=os.getpid(), host=platform.node(), doing=doing, since=utc_now()
        )

    def describe(self) -> str:
        where = "" if self.host == platform.node() else f" on {self.host}"
        return f"pid {self.pid}{where}, {self.doing}"


class LockWait(BaseModel):
    """What a waiting writer tells its listeners: `waiting` true with the holder when it
    starts waiting, false when it got the lock (or gave up)."""

    waiting: bool
    doing: str
    holder: LockHolder | None = None
    message: str = ""


WaitListener = Callable[[LockWait], None]


class Lease(Protocol):
    """A second, cross-machine lock taken after the flock (see library.lease)."""

    def acquire(self, holder: LockHolder, should_stop: Callable[[], bool]) -> None: ...
    def try_acquire(self, holder: LockHolder) -> bool: ...
    def current_holder(self) -> LockHolder | None: ...
    def release(self) -> None: ...


def lock_path(root: Path) -> Path:
    return root / settings.WRITER_LOCK_FILE


def read_holder(root: Path) -> LockHolder | None:
    try:
        return LockHolder.model_validate_json(lock_path(root).read_bytes())
    except (OSError, ValidationError, json.JSONDecodeError):
        return None


def waiting_message(holder: LockHolder | None) -> str:
    who = holder.describe() if holder is not None else "pid unknown"
    return f"waiting for another Tensorshelf ({who}) to finish writing the library"


class WriterLock:
    def __init__(self, root: Path, lease: Lease | None = None) -> None:
        self.root = root
        self.lease = lease
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None  # set while held
        self._file: int | None = None  # the lock file, kept open
        self._listeners: list[WaitListener] = []
        self.holder: LockHolder | None = None  # set while this process holds it

    def on_wait(self, listener: WaitListener) -> Callable[[], None]:
        self._listeners = [*self._listeners, listener]

        def remove() -> None:
            self._listeners = [x for x in self._listeners if x is not listener]

        return remove

    def _tell(self, event: LockWait) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("writer-lock listener failed")

    @contextlib.contextmanager
    def hold(self, doing: str, cancel: Callable[[], bool] | None = None) -> Iterator[None]:
        """Hold the library's writer lock for the block (waiting for another process if
        needed; `cancel()` true while waiting raises OperationCancelled)."""
        with self._thread_lock:
            if self._depth == 0:
                self._acquire(doing, cancel or _never)
            with self._nested():
                yield

    @contextlib.contextmanager
    def hold_if_free(self, doing: str) -> Iterator[bool]:
        """Hold the lock for the block if no other process has it (yields True), else run
        the block without it (yields False) — for housekeeping that may be skipped."""
        with self._thread_lock:
            if self._depth == 0 and not self._try_acquire(doing):
                yield False
                return
            with self._nested():
                yield True

    @contextlib.contextmanager
    def _nested(self) -> Iterator[None]:
        """One more holder in this process (the lock is held); the last one releases it."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._release()

    @property
    def held(self) -> bool:
        return self._depth > 0

    # --- the flock -----------------------------------------------------------------------
    def _open(self) -> int:
        """The lock file's descriptor, opened once (each hold then costs one flock)."""
        if self._file is not None:
            return self._file
        path = lock_path(self.root)
        try:
            self._file = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            return self._file
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise ReadOnlyLibrary(
                    f"the library at {self.root} is read-only ({exc.strerror}): nothing can be "
                    "imported, edited or removed; remount it writable or open another library",
                    path=str(self.root),
                ) from exc
            raise FileAccessError(
                f"cannot open the library's lock file {path}: {exc.strerror or exc}",
                path=str(path),
            ) from exc

    def _try_acquire(self, doing: str) -> bool:
        """Take the lock (and the lease) only if both are free now."""
        fd = self._open()
        if not _try_flock(fd):
            return False
        me = LockHolder.this_process(doing)
        try:
            if self.lease is not None and not self.lease.try_acquire(me):
                fcntl.flock(fd, fcntl.LOCK_UN)
                return False
            self._taken(fd, me)
        except BaseException:
            fcntl.flock(fd, fcntl.LOCK_UN)
            raise
        return True

    def _acquire(self, doing: str, cancel: Callable[[], bool]) -> None:
        fd = self._open()
        try:
            if not _try_flock(fd):
                self._wait(fd, doing, cancel)
            me = LockHolder.this_process(doing)
            if self.lease is not None and not self.lease.try_acquire(me):
                self._wait_for_lease(self.lease, me, cancel)
            self._taken(fd, me)
        except BaseException:
            fcntl.flock(fd, fcntl.LOCK_UN)
            raise

    def _taken(self, fd: int, me: LockHolder) -> None:
        _write_holder(fd, me)
        self._fd, self.holder = fd, me

    def _wait(self, fd: int, doing: str, cancel: Callable[[], bool]) -> None:
        holder = read_holder(self.root)
        message = waiting_message(holder)
        log.info("%s", message)
        self._tell(LockWait(waiting=True, doing=doing, holder=holder, message=message))
        next_look = time.monotonic() + settings.WRITER_LOCK_HOLDER_REFRESH_S
        try:
            while not _try_flock(fd):
                if cancel():
                    raise OperationCancelled(f"cancelled while {message}")
                time.sleep(settings.WRITER_LOCK_RETRY_S)
                if time.monotonic() >= next_look:
                    next_look = time.monotonic() + settings.WRITER_LOCK_HOLDER_REFRESH_S
                    current = read_holder(self.root)
                    if current is not None and current != holder:
                        holder, message = current, waiting_message(current)
                        self._tell(
                            LockWait(waiting=True, doing=doing, holder=holder, message=message)
                        )
        finally:
            self._tell(LockWait(waiting=False, doing=doing, holder=holder))

    def _wait_for_lease(self, lease: Lease, me: LockHolder, cancel: Callable[[], bool]) -> None:
        holder = lease.current_holder()
        message = waiting_message(holder)
        log.info("%s", message)
        self._tell(LockWait(waiting=True, doing=me.doing, holder=holder, message=message))
        try:
            lease.acquire(me, cancel)
        finally:
            self._tell(LockWait(waiting=False, doing=me.doing, holder=holder))

    def _release(self) -> None:
        fd, self._fd, self.holder = self._fd, None, None
        if fd is None:
            return
        try:
            if self.lease is not None:
                self.lease.release()
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file (at shutdown; a held lock is released with it)."""
        with self._thread_lock:
            file, self._file = self._file, None
            self._fd, self.holder, self._depth = None, None, 0
        if file is not None:
            os.close(file)


def _never() -> bool:
    return False


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _write_holder(fd: int, holder: LockHolder) -> None:
    """Say who holds the lock (written in place: waiters read it without locking)."""
    data = holder.model_dump_json().encode()
    try:
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
    except OSError as exc:  # informational only: the flock is what serialises
        log.debug("could not record the lock holder: %s", exc)
