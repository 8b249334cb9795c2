"""inspect: detect_path over 1,000 model files built from the labelled corpus.

Every corpus case (tests/fixtures/corpus: vendored shared cases + ours) is built once as a real
sparse file (or folder) in a folder of its own, with what travels with it (the other shards
and the index.json of a set, config.json, adapter_config.json, sidecars); that folder is then
hard-linked as a whole into numbered folders until there are N paths. A copy must keep its
neighbours and its name: the detector reads them (a shard alone, renamed, is a broken set and
is classified differently from the corpus case), so every copy is detected exactly as its case.
Measured, page cache warm (one untimed pass first):
- files per second for the whole mix and per container format (target >= 500/s);
- bytes read per file, as reported by the detector and as counted by the kernel
  (/proc/self/io rchar), per case; target < 2 MiB for a file with a normal header (GGUF LLMs
  carry their whole tokenizer vocabulary in the header, so they are listed separately);
- baseline: the `gguf` package's GGUFReader on the same GGUF headers.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from tests.fixtures.detect_files import corpus_cases, make_model_file

from benchlib.harness import Row
from tensorshelf.detect import detect_path

SECTION = "inspect"
FULL_FILES = 1000
QUICK_FILES = 120
TARGET_FILES_PER_S = 500.0
NORMAL_HEADER_BYTES = 2 * 1024 * 1024
BIG_VOCAB = 100_000  # GGUF cases whose tokenizer arrays dominate the header
PROC_IO = Path("/proc/self/io")
KIB = 1024


def _rchar() -> int | None:
    try:
        for line in PROC_IO.read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _vocab(case: dict[str, Any]) -> int:
    md = case.get("metadata") or {}
    if not isinstance(md, dict):
        return 0
    return max(
        (
            v.get("length", 0)
            for v in md.values()
            if isinstance(v, dict) and isinstance(v.get("length"), int)
        ),
        default=0,
    )


def build(workdir: Path, n: int, quick: bool) -> list[tuple[dict[str, Any], Path]]:
    """(case, path to inspect) for n paths: the built cases first, then hard-linked copies of
    each case's whole folder (same file names, same neighbours), round-robin."""
    cases = [c for c in corpus_cases() if not (quick and _vocab(c) > BIG_VOCAB)]
    originals = []
    for c in cases:
        case_dir = workdir / "src" / c["case"]
        originals.append((c, case_dir, make_model_file(c, case_dir)))
    out: list[tuple[dict[str, Any], Path]] = []
    links = workdir / "files"
    links.mkdir(parents=True, exist_ok=True)
    i = 0
    while len(out) < n:
        case, case_dir, src = originals[i % len(originals)]
        if i < len(originals):
            out.append((case, src))
        else:
            dst = links / f"{i:05d}"
            shutil.copytree(case_dir, dst, copy_function=os.link)
            out.append((case, dst / src.relative_to(case_dir)))
        i += 1
    return out


def _timed(paths: list[Path]) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    dets = [detect_path(p) for p in paths]
    return time.perf_counter() - started, dets


def _cpu_timed(paths: list[Path]) -> float:
    """CPU seconds of this process for one pass (less sensitive to a busy machine)."""
    started = time.process_time()
    for p in paths:
        detect_path(p)
    return time.process_time() - started


def _kind(case: dict[str, Any]) -> str:
    kind = case["file_kind"]
    if kind == "gguf" and _vocab(case) > BIG_VOCAB:
        return "gguf (LLM, big vocabulary)"
    return {"torch_zip": "pickle", "torch_legacy": "pickle"}.get(kind, kind)


def _gguf_baseline(items: list[tuple[dict[str, Any], Path]]) -> list[Row]:
    try:
        import gguf
    except ImportError:
        return []
    rows = []
    seen: set[str] = set()
    for case, path in items:
        if case["file_kind"] != "gguf" or case["case"] in seen:
            continue
        seen.add(case["case"])
        t0 = time.perf_counter()
        detect_path(path)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        gguf.GGUFReader(str(path))
        theirs = time.perf_counter() - t0
        rows.append(
            Row(
                SECTION,
                f"GGUF {case['case']}: detect_path vs gguf.GGUFReader",
                round(ours * 1000, 1),
                "ms",
                "",
                f"GGUFReader {theirs * 1000:.0f} ms",
            )
        )
    return rows


def run(workdir: Path, quick: bool) -> list[Row]:
    n = QUICK_FILES if quick else FULL_FILES
    t0 = time.perf_counter()
    items = build(workdir, n, quick)
    built = time.perf_counter() - t0
    paths = [p for _, p in items]
    _timed(paths)  # warm: page cache and lazy imports
    before = _rchar()
    elapsed, dets = _timed(paths)
    after = _rchar()
    cpu = _cpu_timed(paths)
    rows = [
        Row(
            SECTION,
            "files built (corpus cases, then hard-linked copies of their folders)",
            float(len(paths)),
            "files",
            "",
            f"{len({c['case'] for c, _ in items})} cases, built in {built:.1f} s",
        ),
        Row(
            SECTION,
            "detect_path, warm, all files",
            round(len(paths) / elapsed, 1),
            "files/s",
            f">= {TARGET_FILES_PER_S:.0f}/s",
            f"{elapsed * 1000 / len(paths):.2f} ms/file",
        ),
        Row(
            SECTION,
            "detect_path, warm, all files, by CPU time",
            round(len(paths) / cpu, 1),
            "files/s",
            f">= {TARGET_FILES_PER_S:.0f}/s",
            f"{cpu * 1000 / len(paths):.2f} ms CPU/file (load-independent)",
        ),
    ]
    if before is not None and after is not None:
        rows.append(
            Row(
                SECTION,
                "kernel-counted bytes read per file (rchar)",
                round((after - before) / len(paths) / KIB, 1),
                "KiB",
            )
        )
    by_kind: dict[str, list[Path]] = {}
    for case, path in items:
        by_kind.setdefault(_kind(case), []).append(path)
    for kind, kpaths in sorted(by_kind.items()):
        t, _ = _timed(kpaths)
        rows.append(
            Row(
                SECTION,
                f"detect_path, warm, {kind}",
                round(len(kpaths) / t, 1),
                "files/s",
                f">= {TARGET_FILES_PER_S:.0f}/s",
                f"{len(kpaths)} files",
            )
        )
    normal = [
        d.header_bytes_read
        for (c, _), d in zip(items, dets, strict=False)
        if not (c["file_kind"] == "gguf" and _vocab(c) > 0)
    ]
    rows.append(
        Row(
            SECTION,
            "header bytes read, normal headers: median / max",
            round(statistics.median(normal) / KIB, 1),
            "KiB",
            f"< {NORMAL_HEADER_BYTES // KIB} KiB",
            f"max {max(normal) / KIB:.0f} KiB",
        )
    )
    seen: set[str] = set()
    for (case, path), det in zip(items, dets, strict=False):
        if case["case"] in seen:
            continue
        seen.add(case["case"])
        size = (
            sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            if path.is_dir()
            else path.stat().st_size
        )
        vocab = _vocab(case)
        target = f"< {NORMAL_HEADER_BYTES // KIB} KiB" if not vocab else "header incl. vocabulary"
        rows.append(
            Row(
                SECTION,
                f"bytes read: {case['case']}",
                round(det.header_bytes_read / KIB, 1),
                "KiB",
                target,
                f"file {size / 1e9:.2f} GB" + (f", vocab {vocab}" if vocab else ""),
            )
        )
    if not quick:
        rows.extend(_gguf_baseline(items))
    return rows
