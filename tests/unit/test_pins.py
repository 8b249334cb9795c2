"""Every Python dependency is pinned in constraints.txt (what scripts/lib/setup.sh installs)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_each_dependency_has_an_exact_pin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in ("test", "desktop"):
        wanted += project["optional-dependencies"][extra]
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    missing = [r for r in wanted if _name(r) not in pins]
    assert not missing, f"not pinned (run scripts/lock-python): {missing}"
    assert all(pins.values()), "every line is an exact `name==version` pin"
