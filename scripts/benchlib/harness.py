"""scripts/bench: discover `benchlib/bench_*.py`, run them, print one table.

Each module exposes `run(workdir: Path, quick: bool) -> list[Row]`. Speed and memory are
measured here, never asserted in unit tests (DESIGN.md "Tests and measurements").
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("bench")

BENCH_PREFIX = "bench_"
_SCRIPTS_DIR = Path(__file__).resolve().parents[1]
_REPO_DIR = _SCRIPTS_DIR.parent  # bench modules import tests.fixtures.* helpers


@dataclass(frozen=True)
class Row:
    """One measurement line of the table."""

    section: str
    measurement: str
    value: float | str
    unit: str = ""
    target: str = ""
    baseline_note: str = ""


def discover() -> list[str]:
    """Names ('import', 'index', …) of every benchlib/bench_*.py module, sorted."""
    import benchlib

    return sorted(
        m.name[len(BENCH_PREFIX) :]
        for m in pkgutil.iter_modules(benchlib.__path__)
        if m.name.startswith(BENCH_PREFIX)
    )


def run_module(name: str, workdir: Path, quick: bool) -> list[Row]:
    module = importlib.import_module(f"benchlib.{BENCH_PREFIX}{name}")
    moddir = workdir / name
    moddir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        rows = list(module.run(moddir, quick))
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
        log.error("benchmark %s failed:\n%s", name, traceback.format_exc())
        rows = [Row(name, "FAILED", type(exc).__name__, "", "", str(exc)[:120])]
    finally:
        shutil.rmtree(moddir, ignore_errors=True)
    log.info("%s done in %.1f s", name, time.perf_counter() - started)
    return rows


def _fmt(value: float | str) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def print_table(rows: list[Row]) -> None:
    headers = ("section", "measurement", "value", "unit", "target", "baseline / note")
    cells = [
        (r.section, r.measurement, _fmt(r.value), r.unit, r.target, r.baseline_note) for r in rows
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [
            max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
            for i, h in enumerate(headers)
        ]
        for line in (headers, *cells):
            print("  ".join(col.ljust(w) for col, w in zip(line, widths, strict=False)))
        return
    table = Table(*headers, title="Tensorshelf benchmarks")
    for line in cells:
        table.add_row(*line)
    Console(width=max(160, shutil.get_terminal_size().columns)).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        help="run only this benchmark (e.g. import); repeatable",
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where temp files go (default: system temp dir)"
    )
    parser.add_argument("--list", action="store_true", help="list benchmarks and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s", stream=sys.stderr)

    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    wanted = [n.removeprefix(BENCH_PREFIX).removesuffix(".py") for n in (args.only or [])]
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {available}")
    names = wanted or available

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tensorshelf-bench-", dir=args.workdir) as tmp:
        for name in names:
            log.info("running %s%s", name, " (quick)" if args.quick else "")
            rows.extend(run_module(name, Path(tmp), args.quick))
    print_table(rows)
    return 1 if any(r.measurement == "FAILED" for r in rows) else 0


if __name__ == "__main__":
    sys.path[:0] = [str(_SCRIPTS_DIR), str(_REPO_DIR)]
    from benchlib import harness  # noqa: PLW0406 - the importable copy: one Row class for all

    sys.exit(harness.main())
