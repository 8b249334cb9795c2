"""A first-come-first-served, cancellable mutex for jobs that should not run side by side
(two imports would contend for the same disk). Waiting costs no CPU (a Condition)."""

from __future__ import annotations

import threading
from collections import deque

from tensorshelf.io.types import CancelToken


class Gate:
    def __init__(self, name: str) -> None:
        self.name = name
        self._cond = threading.Condition()
        self._holder: str | None = None
        self._waiting: deque[str] = deque()

    def acquire(self, job_id: str, cancel: CancelToken) -> bool:
        """Block until `job_id` holds the gate (True) or its token is cancelled (False).
        Whoever cancels the token must call `wake()` so a waiter notices."""
        with self._cond:
            self._waiting.append(job_id)
            try:
                while not (self._holder is None and self._waiting[0] == job_id):
                    if cancel.cancelled:
                        return False
                    self._cond.wait()
                if cancel.cancelled:
                    return False
                self._holder = job_id
                return True
            finally:
                self._waiting.remove(job_id)
                self._cond.notify_all()

    def release(self, job_id: str) -> None:
        with self._cond:
            if self._holder == job_id:
                self._holder = None
                self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    @property
    def holder(self) -> str | None:
        return self._holder

    @property
    def waiting(self) -> list[str]:
        with self._cond:
            return list(self._waiting)
