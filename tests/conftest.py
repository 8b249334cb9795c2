"""Shared pytest set-up: isolated state dirs and a hypothesis profile suited to CI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test reaches the Hub; the fake hub's opt in
sys.path.insert(0, str(ROOT))  # import shared helpers as tests.fixtures.<module>

from tests.fixtures import repo_guard  # noqa: E402 - needs the sys.path entry above

repo_guard.install()  # a test may read nothing beside the clone

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=150,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


pytest_plugins = ["tests.fixtures.mounts"]


@pytest.fixture
def locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh state dir + library, also exported through the environment variables."""
    from tensorshelf.settings import ENV_HOME, ENV_LIBRARY, resolve_locations

    home, library = tmp_path / "home", tmp_path / "library"
    monkeypatch.setenv(ENV_HOME, str(home))
    monkeypatch.setenv(ENV_LIBRARY, str(library))
    return resolve_locations(home, library)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Keep temp files only for runs that failed: a passing run (each xdist worker decides
    for its own part) removes its whole base temp dir, module-scoped multi-GB fixtures
    included — `tmp_path_retention_policy = "failed"` covers only per-test `tmp_path`s."""
    if exitstatus != 0:
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    import shutil

    shutil.rmtree(factory.getbasetemp(), ignore_errors=True)
