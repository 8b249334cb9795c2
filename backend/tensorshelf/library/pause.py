"""Named pause points for the crash tests, passed explicitly (`LibraryContext.pause`).

With TENSORSHELF_TEST_PAUSE_AT=<point>[@<n>] in the environment of a process,
`PausePoints.from_environment()` gives an object that announces `tensorshelf-test-pause:
<point>` on stderr the n-th time the code reaches <point>, then waits to be killed — or, with
TENSORSHELF_TEST_RESUME_FILE=<path>, until that file exists, and then goes on (for races
between processes). Unset (always, outside tests) it gives `NO_PAUSE`, whose `reached` does
nothing. This module is the only place that reads the variables.

Points: `before_publish` (all files staged, nothing published), `metadata_write` (about to
write metadata.json into the staged model dir)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from typing import Protocol

from tensorshelf import settings


class PausePoints(Protocol):
    def reached(self, point: str) -> None: ...


class _NoPause:
    def reached(self, point: str) -> None:
        return None


NO_PAUSE: PausePoints = _NoPause()


class PauseAt:
    """Stops the process the `nth` time `point` is reached (after saying so on stderr)."""

    def __init__(self, point: str, nth: int = 1, resume_file: str | None = None) -> None:
        self.point, self.nth, self.resume_file = point, nth, resume_file
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def reached(self, point: str) -> None:
        if point != self.point:
            return
        with self._lock:
            self._seen[point] += 1
            count = self._seen[point]
        if count != self.nth:
            return
        sys.stderr.write(f"{settings.TEST_PAUSE_MARKER} {point}\n")
        sys.stderr.flush()
        if self.resume_file is None:
            while True:
                time.sleep(settings.TEST_PAUSE_SLEEP_S)
        while not os.path.exists(self.resume_file):
            time.sleep(settings.TEST_RESUME_CHECK_S)


def from_environment() -> PausePoints:
    spec = os.environ.get(settings.ENV_TEST_PAUSE)
    if not spec:
        return NO_PAUSE
    name, _, nth = spec.partition("@")
    return PauseAt(
        name, int(nth) if nth.isdigit() else 1, os.environ.get(settings.ENV_TEST_RESUME) or None
    )
