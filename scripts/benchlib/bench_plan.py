"""plan: detection of many models at once (`tensorshelf inspect DIR`, `plan_import` of a folder).

The folder is built exactly as the `inspect` benchmark builds its mix (benchlib.bench_inspect:
every corpus case in a folder of its own, then hard-linked copies of those folders up to N
paths), and all of it is given as ONE folder. Measured, page cache warm (one untimed pass):
- `inspect DIR` (library.inspecting.inspect_path): models per second, detection spread over worker
  processes (library/detect_pool.py), target >= 500/s;
- the same with detection in-process, one model after another (the comparison);
- `plan_import` of the folder (grouping, header checks, detection, display names).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from benchlib.bench_inspect import FULL_FILES, QUICK_FILES, TARGET_FILES_PER_S, build
from benchlib.harness import Row
from tensorshelf import settings
from tensorshelf.library.importing import detect_pool
from tensorshelf.library.importing.planning import plan_import
from tensorshelf.library.inspecting import inspect_path

SECTION = "plan"
SEQUENTIAL_THRESHOLD = 10**9  # detect_many's pool threshold while timing the sequential path


def _best_of(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _sequential(fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        saved = settings.DETECT_POOL_MIN_TARGETS
        settings.DETECT_POOL_MIN_TARGETS = SEQUENTIAL_THRESHOLD
        try:
            return fn()
        finally:
            settings.DETECT_POOL_MIN_TARGETS = saved

    return run


def run(workdir: Path, quick: bool) -> list[Row]:
    n = QUICK_FILES if quick else FULL_FILES
    repeats = 1 if quick else 3
    build(workdir, n, quick)
    folder = str(workdir)

    def inspect() -> object:
        return inspect_path(folder)

    def plan() -> object:
        return plan_import([folder])

    result = inspect_path(folder)  # warm: page cache, lazy imports, worker pool start-up
    models = len(result.models or [])
    rejected = len(result.rejected or [])
    pooled = _best_of(inspect, repeats)
    workers = len(detect_pool.last_worker_pids)
    sequential = _best_of(_sequential(inspect), repeats)
    planned = _best_of(plan, repeats)
    target = f">= {TARGET_FILES_PER_S:.0f}/s"
    return [
        Row(
            SECTION,
            "inspect DIR: models found (built like the inspect mix)",
            float(models),
            "models",
            "",
            f"{rejected} rejected; {detect_pool.worker_count()} worker(s) "
            f"available, {workers} used",
        ),
        Row(
            SECTION,
            "inspect DIR, warm, worker pool",
            round(models / pooled, 1),
            "models/s",
            target,
            f"{pooled * 1000 / models:.2f} ms/model, {workers} worker process(es)",
        ),
        Row(
            SECTION,
            "inspect DIR, warm, sequential (comparison)",
            round(models / sequential, 1),
            "models/s",
            "",
            f"pool speed-up x{sequential / pooled:.2f}",
        ),
        Row(
            SECTION,
            "plan_import(DIR), warm, worker pool",
            round(models / planned, 1),
            "models/s",
            target,
            f"{planned:.2f} s for the folder",
        ),
    ]
