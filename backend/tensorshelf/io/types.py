"""Small shared types of the io package."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pydantic import BaseModel

# Called with the number of *new* bytes processed since the previous call (a delta).
ProgressFn = Callable[[int], None]


class FileHashes(BaseModel):
    sha256: str
    blake3: str | None  # None: not computed yet (a file adopted with a trusted SHA-256)
    size: int
    git_sha1: str | None = None  # the git blob SHA-1, for small files (GIT_SHA1_MAX_BYTES)


class CancelToken:
    """A thread-safe cancellation flag passed down to long I/O loops."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.paused = False  # cancelled to be resumed later: keep what was done so far

    def cancel(self) -> None:
        self._event.set()

    def pause(self) -> None:
        self.paused = True
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        from tensorshelf.errors import OperationCancelled

        if self._event.is_set():
            raise OperationCancelled("operation cancelled")
