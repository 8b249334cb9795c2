"""Named pause points for the crash tests, passed explicitly (`LibraryContext.pause`).

With TENSORSHELF_TEST_PAUSE_AT=<point>[@<n>] in the environment of a process,
`PausePoints.from_environment()` gives an object that announces `tensorshelf-test-pause:
<point>` on stderr the n-th time the code reaches <point>, then waits to be killed — or, with
TENSORSHELF_TEST_RESUME_FILE=<path>, until that file exists, and then goes on (for races
between processes). Unset (always, outside tests) it gives `NO_PAUSE`, whose `reached` does
nothing. This module is the only place that reads the variables.

The points are listed in `POINTS` (the crash matrix, tests/integration/crash/, kills a real
process at each and checks the library after the restart)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from typing import Protocol

from tensorshelf import settings

POINTS: dict[str, str] = {
    "mid_copy": "import: half of a file copied into staging",
    "before_publish": "import: every file staged and hashed, nothing published",
    "metadata_write": "import: about to write metadata.json into the staged model dir",
    "publish_rename": "import: publish intent written, the staged dir not renamed yet",
    "publish_before_index": "import: the model dir is in place, not indexed yet",
    "publish_before_journal": "import: indexed, not yet in the change journal",
    "move_before_source_removal": "move: published, the source names not removed yet",
    "save_after_rename": "edit/reclassify: re-filed dir renamed, metadata.json not rewritten",
    "save_before_index": "edit/reclassify/duplicate: metadata.json written, index not updated",
    "save_before_journal": "edit/reclassify: indexed, not yet in the change journal",
    "remove_after_rename": "rm: the model dir moved into staging, not deleted",
    "remove_before_journal": "rm: deleted and unindexed, not yet in the change journal",
    "rebuild_built": "rebuild: the new index built, the writer lock not taken",
    "rebuild_before_swap": "rebuild: holding the lock, the new index not swapped in",
    "rebuild_after_swap": "rebuild: swapped in, changes made meanwhile not re-scanned",
    "verify_model": "verify: about to verify a model (use @n for the n-th)",
    "reclassify_model": "reclassify: about to reclassify a model (use @n for the n-th)",
    "sync_link_made": "sync: a link made in an app, not yet in registry.db (use @n)",
}


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
