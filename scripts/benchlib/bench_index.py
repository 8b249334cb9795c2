"""Index: deep scan (rebuild) and incremental scan of a 10,000-model library, plus list and
search latency on it.

The library comes from tests/fixtures/library_factory (small weight files with real
headers, realistic metadata.json). Targets (issue 2): rebuild <= 2 s; scan of the unchanged
library <= 0.5 s reading zero weight bytes. Weight reads are counted with an audit hook
on "open" (every file opened that is not a metadata.json or models.db counts), and the
process's total read() bytes come from /proc/self/io (rchar)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from tests.fixtures.library_factory import build_library

from benchlib.harness import Row
from tensorshelf.library.index.store import Index
from tensorshelf.library.maintenance.scan import rebuild, scan
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import METADATA_FILE, MODELS_DB

SECTION = "index"
FULL_MODELS = 10_000
QUICK_MODELS = 1_000
REBUILD_TARGET_S = 2.0
SCAN_TARGET_S = 0.5
EDITED_MODELS = 100
REPEATS = 3
SEARCH_QUERIES = (
    "lla",
    "llama",
    "qwen 7b",
    "café",
    "pixel art",
    "sdxl lora",
    "ghibli",
    "meta-llama",
    "q4",
    "detail",
    "xl",
    "anime",
    "trigger12",
    "mistral instruct",
)
PCT_95 = 0.95


class _OpenCounter:
    """Counts opened files other than metadata.json / models.db while `active`."""

    def __init__(self) -> None:
        self.active = False
        self.others: list[str] = []
        self.metadata = 0
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple) -> None:
        if not self.active or event != "open" or not args or args[0] is None:
            return
        path = os.fsdecode(args[0]) if isinstance(args[0], (str, bytes, os.PathLike)) else ""
        name = os.path.basename(path)
        if name == METADATA_FILE:
            self.metadata += 1
        elif not name.startswith(MODELS_DB) and path:
            self.others.append(path)

    def start(self) -> None:
        self.others.clear()
        self.metadata = 0
        self.active = True

    def stop(self) -> None:
        self.active = False


def _rchar() -> int:
    try:
        with open("/proc/self/io", encoding="ascii") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("rchar:"))
    except (OSError, StopIteration):
        return -1


def _best(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(workdir: Path, quick: bool) -> list[Row]:
    n = QUICK_MODELS if quick else FULL_MODELS
    rebuild_target = "" if quick else f"<= {REBUILD_TARGET_S} s"  # targets are for 10,000
    scan_target = "" if quick else f"<= {SCAN_TARGET_S} s"
    root = workdir / "library"
    db = root / MODELS_DB
    t0 = time.perf_counter()
    models = build_library(root, n)
    built_s = time.perf_counter() - t0
    files = sum(len(m.meta.files) for m in models)
    rows = [
        Row(
            SECTION,
            "library built",
            float(n),
            "models",
            "",
            f"{files} files, {built_s:.1f} s to create",
        )
    ]

    report = None

    def do_rebuild() -> None:
        nonlocal report
        if db.exists():
            db.unlink()
        report = rebuild(root, db)

    rebuild_s = _best(do_rebuild)
    assert report is not None and report.models_indexed == n, report
    rows.append(
        Row(
            SECTION,
            "rebuild (no models.db)",
            rebuild_s,
            "s",
            rebuild_target,
            f"best of {REPEATS}; {n} models indexed",
        )
    )
    swap_s = _best(lambda: rebuild(root, db))
    rows.append(
        Row(
            SECTION,
            "rebuild (swap over live models.db)",
            swap_s,
            "s",
            rebuild_target,
            f"best of {REPEATS}",
        )
    )

    counter = _OpenCounter()
    with Index(db) as index:
        scan(root, index)  # warm
        rchar0 = _rchar()
        counter.start()
        t0 = time.perf_counter()
        result = scan(root, index)
        scan_s = time.perf_counter() - t0
        counter.stop()
        rchar = _rchar() - rchar0
        rows.append(
            Row(
                SECTION,
                "scan (unchanged library)",
                scan_s,
                "s",
                scan_target,
                f"{result.unchanged} unchanged; weight files opened: "
                f"{len(counter.others)}, metadata.json read: {counter.metadata}",
            )
        )
        rows.append(
            Row(
                SECTION,
                "scan: weight bytes read",
                float(len(counter.others)),
                "files",
                "0",
                f"all read() bytes incl. SQLite: {rchar} B",
            )
        )

        for m in models[:EDITED_MODELS]:  # an edit = a rewritten metadata.json
            path = m.dir / METADATA_FILE
            path.write_bytes(path.read_bytes().replace(b'"notes": "', b'"notes": "edited ', 1))
        t0 = time.perf_counter()
        result = scan(root, index)
        rows.append(
            Row(
                SECTION,
                f"scan ({EDITED_MODELS} edited metadata.json)",
                time.perf_counter() - t0,
                "s",
                "",
                f"{len(result.updated)} updated",
            )
        )

        page_s = _best(lambda: index.list_models(ListQuery(limit=200)))
        rows.append(
            Row(SECTION, "list first page (200, total counted)", page_s * 1000, "ms", "", "")
        )
        all_s = _best(lambda: index.list_models(ListQuery(limit=100_000)))
        rows.append(Row(SECTION, f"list all {n} models", all_s * 1000, "ms", "", ""))
        tag_s = _best(
            lambda: index.list_models(ListQuery(tag="anime", family="sdxl", offset=50, limit=50))
        )
        rows.append(Row(SECTION, "list tag+family filter, page 2", tag_s * 1000, "ms", "", ""))
        latencies = []
        for q in SEARCH_QUERIES * 5:
            t0 = time.perf_counter()
            index.list_models(ListQuery(text=q, sort="relevance", limit=50))
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        rows.append(
            Row(
                SECTION,
                "search p95 (50 hits, ranked)",
                latencies[int(len(latencies) * PCT_95) - 1],
                "ms",
                "< 20 ms",
                f"median {statistics.median(latencies):.2f} ms over {len(latencies)}",
            )
        )
    return rows
