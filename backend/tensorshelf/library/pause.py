"""Crash-test hook: with TENSORSHELF_TEST_PAUSE_AT=<point>[@<n>] set, the process announces
`tensorshelf-test-pause: <point>` on stderr the n-th time it reaches <point> and then waits
to be killed. Unset (always, outside tests) it costs one environment lookup.

Points: `before_publish` (all files staged, nothing published), `metadata_write` (about to
write metadata.json into the staged model dir)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter

from tensorshelf import settings

_reached: Counter[str] = Counter()
_lock = threading.Lock()


def pause_point(point: str) -> None:
    spec = os.environ.get(settings.ENV_TEST_PAUSE)
    if not spec:
        return
    name, _, nth = spec.partition("@")
    if name != point:
        return
    with _lock:
        _reached[point] += 1
        count = _reached[point]
    if count != (int(nth) if nth.isdigit() else 1):
        return
    sys.stderr.write(f"{settings.TEST_PAUSE_MARKER} {point}\n")
    sys.stderr.flush()
    while True:
        time.sleep(settings.TEST_PAUSE_SLEEP_S)
