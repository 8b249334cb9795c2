"""scripts/bench: discovers the bench_*.py modules and rejects unknown names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "scripts" / "bench"


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BENCH), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_lists_every_bench_module() -> None:
    result = _bench("--list")
    assert result.returncode == 0, result.stderr
    names = result.stdout.split()
    expected = sorted(
        p.stem.removeprefix("bench_") for p in (ROOT / "scripts" / "benchlib").glob("bench_*.py")
    )
    assert names == expected and "import" in names


def test_unknown_benchmark_is_a_usage_error() -> None:
    result = _bench("--only", "no_such_bench")
    assert result.returncode == 2
    assert "no_such_bench" in result.stderr


def test_rows_print_as_one_table(capsys: object) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from benchlib.harness import Row, print_table
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    print_table(
        [Row("import", "copy time", 2.5, "s", "<= 1.15", "note"), Row("import", "label", "text")]
    )
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "copy time" in out and "2.500" in out and "<= 1.15" in out and "text" in out
