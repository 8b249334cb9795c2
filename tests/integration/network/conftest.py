"""These tests talk to the fake Hub on loopback: the suite's HF_HUB_OFFLINE=1 is lifted."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
