"""docs/ARCHITECTURE.md is generated from the code and current; no package imports upward."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "devtools"))

import architecture  # noqa: E402


def test_the_document_is_current_and_the_layers_hold() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "gen-architecture"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{result.stderr}\nrun ./scripts/gen-architecture"


def test_an_upward_import_is_reported() -> None:
    found = [architecture.Module("io.example", "x", {"library"})]
    assert architecture.upward_imports(found) == ["io.example imports library (layer 3 > 1)"]
    assert architecture.upward_imports([architecture.Module("cli.x", "x", {"io"})]) == []
