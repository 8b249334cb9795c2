"""Sync (issue 9): linking a 10,000-model library into three registered apps.

- Full sync into 3 apps (ComfyUI, a plain folder, LM Studio): target <= 3 s; the second,
  no-op run: <= 1 s (nothing rewritten).
- Incremental sync after importing one model, at 1,000 and at 10,000 models: target <= 20 ms
  at both (flat: it reads only that model's index rows, registry rows and targets).
- doctor over ~30,000 links (a fourth app, a second plain folder, is added first):
  target <= 2 s.
- Baseline: a naive sync that re-walks every app folder (os.walk + readlink of every entry)
  before deciding, as tools that keep no registry must — measured in the same run."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.fixtures.library_factory import build_library

from benchlib.harness import Row
from tensorshelf.library.service import LibraryService
from tensorshelf.mapping.health import Doctor
from tensorshelf.mapping.service import MappingService
from tensorshelf.settings import resolve_locations

SECTION = "sync"
FULL_MODELS, QUICK_MODELS = 10_000, 1_000
SMALL_MODELS = 1_000
FULL_TARGET_S, NOOP_TARGET_S = 3.0, 1.0
INCREMENTAL_TARGET_MS = 20.0
DOCTOR_TARGET_S = 2.0
INCREMENTAL_ROUNDS = 5


def _apps(root: Path) -> list[tuple[str, Path]]:
    comfy = root / "ComfyUI"
    (comfy / "comfy").mkdir(parents=True)
    (comfy / "main.py").write_text("")
    (comfy / "models").mkdir()
    folder, lms = root / "folder-app", root / "lmstudio"
    folder.mkdir()
    lms.mkdir()
    return [("comfyui", comfy), ("folder", folder), ("lmstudio", lms)]


def _world(workdir: Path, models: int, tag: str) -> tuple[LibraryService, MappingService]:
    library = workdir / f"library-{tag}"
    build_library(library, models)
    service = LibraryService(resolve_locations(workdir / f"home-{tag}", library))
    mapping = MappingService(service)
    for kind, path in _apps(workdir / f"apps-{tag}"):
        mapping.add_app(str(path), kind)  # type: ignore[arg-type]
    return service, mapping


def _naive_walk(mapping: MappingService) -> int:
    """What a registry-less sync must do first: walk every app folder and read each link."""
    seen = 0
    for app in mapping.list_apps():
        for current, _dirs, files in os.walk(app.models_dir):
            for name in files:
                path = os.path.join(current, name)
                if os.path.islink(path):
                    os.readlink(path)
                seen += 1
    return seen


def _symlink_floor(directory: Path, count: int) -> float:
    """Seconds to create `count` symlinks and nothing else: the filesystem's floor."""
    directory.mkdir()
    started = time.perf_counter()
    for i in range(count):
        os.symlink(f"../library/model-{i}.safetensors", directory / f"l{i}")
    return time.perf_counter() - started


def _incremental_ms(service: LibraryService, mapping: MappingService) -> float:
    ids = [m.id for m in service.mappable_models()][:INCREMENTAL_ROUNDS]
    times = []
    for model_id in ids:
        started = time.perf_counter()
        mapping.sync(None, [model_id])
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2] * 1000


def run(workdir: Path, quick: bool) -> list[Row]:
    n = QUICK_MODELS if quick else FULL_MODELS
    service, mapping = _world(workdir, n, "big")
    expected_links = 2 * n  # about: measured below, the floor is taken for this many
    os.sync()  # the library just written is flushed first: both timings start from a quiet disk
    floor_s = _symlink_floor(workdir / "floor", expected_links)
    os.sync()
    try:
        started = time.perf_counter()
        results = mapping.sync()
        full_s = time.perf_counter() - started
        links = sum(r.created for r in results)
        started = time.perf_counter()
        again = mapping.sync()
        noop_s = time.perf_counter() - started
        assert sum(r.created + r.removed for r in again) == 0
        started = time.perf_counter()
        walked = _naive_walk(mapping)
        naive_walk_s = time.perf_counter() - started
        big_ms = _incremental_ms(service, mapping)
        fourth = workdir / "apps-big" / "second-folder"
        fourth.mkdir()
        extra = mapping.sync([mapping.add_app(str(fourth), "folder").id])
        doctor_links = links + sum(r.created for r in extra)
        started = time.perf_counter()
        findings = Doctor(mapping).run()
        doctor_s = time.perf_counter() - started
        problems = findings.problems()
    finally:
        mapping.close()
        service.close()
    small_service, small_mapping = _world(workdir, SMALL_MODELS, "small")
    try:
        small_mapping.sync()
        small_ms = _incremental_ms(small_service, small_mapping)
    finally:
        small_mapping.close()
        small_service.close()
    scale = "target for 10,000" if quick else ""
    return [
        Row(SECTION, "library", float(n), "models", "", f"{links} links in 3 apps"),
        Row(
            SECTION,
            "full sync, 3 apps",
            full_s,
            "s",
            f"<= {FULL_TARGET_S}",
            scale or ("met" if full_s <= FULL_TARGET_S else "NOT met"),
        ),
        Row(
            SECTION,
            f"  os.symlink x {expected_links:,} alone",
            floor_s,
            "s",
            "",
            "the filesystem's floor for a first sync",
        ),
        Row(
            SECTION,
            "second sync (no-op)",
            noop_s,
            "s",
            f"<= {NOOP_TARGET_S}",
            scale or ("met" if noop_s <= NOOP_TARGET_S else "NOT met"),
        ),
        Row(
            SECTION,
            "naive: walk + readlink every app entry",
            naive_walk_s,
            "s",
            "",
            f"baseline, before any decision ({walked} entries)",
        ),
        Row(
            SECTION,
            f"incremental sync, {SMALL_MODELS:,} models",
            small_ms,
            "ms",
            f"<= {INCREMENTAL_TARGET_MS:.0f}",
            "met" if small_ms <= INCREMENTAL_TARGET_MS else "NOT met",
        ),
        Row(
            SECTION,
            f"incremental sync, {n:,} models",
            big_ms,
            "ms",
            f"<= {INCREMENTAL_TARGET_MS:.0f}",
            "met" if big_ms <= INCREMENTAL_TARGET_MS else "NOT met",
        ),
        Row(
            SECTION,
            f"doctor over {doctor_links:,} links, 4 apps",
            doctor_s,
            "s",
            f"<= {DOCTOR_TARGET_S}",
            (scale or ("met" if doctor_s <= DOCTOR_TARGET_S else "NOT met"))
            + f"; {problems} problems",
        ),
    ]
