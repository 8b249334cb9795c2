"""Lint: the `network` package is the only code that can reach the network — no other module
imports httpx, urllib or socket, except the two that listen or look locally (named here with
their reason)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "backend" / "tensorshelf"
FORBIDDEN = {"httpx", "urllib", "socket", "http", "requests", "aiohttp", "h2", "httpcore"}
LOCAL_ONLY = {
    "api/web.py": "serves web mode on a loopback socket and parses its query strings",
    "desktop/display.py": "looks for the X display's local socket",
}


def _imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_network_package_imports_network_modules() -> None:
    offenders = {}
    for source in sorted(PACKAGE.rglob("*.py")):
        rel = source.relative_to(PACKAGE).as_posix()
        if rel.startswith("network/") or rel in LOCAL_ONLY:
            continue
        bad = _imports(source) & FORBIDDEN
        if bad:
            offenders[rel] = sorted(bad)
    assert offenders == {}, f"only tensorshelf.network may reach the network: {offenders}"
    for rel in LOCAL_ONLY:  # the exceptions still exist and still need it
        assert _imports(PACKAGE / rel) & FORBIDDEN, f"{rel} no longer needs its exception"
    assert "httpx" in _imports(PACKAGE / "network" / "client.py")
