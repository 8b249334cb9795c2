"""The window size is remembered in settings.json (after resizing stops, and on close)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tensorshelf import settings
from tensorshelf.api.settings_store import SettingsStore
from tensorshelf.desktop.window_state import WindowSizeKeeper, clamp_size

DELAY_S = 0.05


def _keeper(tmp_path: Path) -> tuple[WindowSizeKeeper, SettingsStore]:
    store = SettingsStore(tmp_path / "settings.json")
    current = store.get()
    return WindowSizeKeeper(
        store.update, current.window_width, current.window_height, delay_s=DELAY_S
    ), store


def _saved(tmp_path: Path) -> tuple[int, int] | None:
    path = tmp_path / "settings.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return data["window_width"], data["window_height"]


def _wait_saved(tmp_path: Path, expected: tuple[int, int]) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if _saved(tmp_path) == expected:
            return True
        time.sleep(0.01)
    return False


def test_resizes_are_saved_once_quiet(tmp_path: Path) -> None:
    keeper, _ = _keeper(tmp_path)
    for width in range(1300, 1400, 10):
        keeper.on_resized(width, 900)
    assert _wait_saved(tmp_path, (1390, 900))
    assert SettingsStore(tmp_path / "settings.json").get().window_width == 1390


def test_close_flushes_immediately(tmp_path: Path) -> None:
    keeper = WindowSizeKeeper(
        SettingsStore(tmp_path / "settings.json").update, 1280, 800, delay_s=60
    )
    keeper.on_resized(1500, 1000)
    assert _saved(tmp_path) is None
    keeper.flush()
    assert _saved(tmp_path) == (1500, 1000)


def test_unchanged_size_writes_nothing(tmp_path: Path) -> None:
    keeper, _ = _keeper(tmp_path)
    keeper.on_resized(settings.WINDOW_DEFAULT_WIDTH, settings.WINDOW_DEFAULT_HEIGHT)
    keeper.flush()
    assert _saved(tmp_path) is None


def test_maximized_size_is_not_remembered(tmp_path: Path) -> None:
    keeper, _ = _keeper(tmp_path)
    keeper.on_resized(1400, 900)
    keeper.flush()
    keeper.on_maximized()
    keeper.on_resized(3840, 2160)
    keeper.flush()
    assert _saved(tmp_path) == (1400, 900)
    keeper.on_restored()
    keeper.on_resized(1410, 910)
    keeper.flush()
    assert _saved(tmp_path) == (1410, 910)


def test_sizes_are_clamped_to_the_minimum() -> None:
    assert clamp_size(10, 20) == (settings.WINDOW_MIN_WIDTH, settings.WINDOW_MIN_HEIGHT)
    assert clamp_size(2000, 1500) == (2000, 1500)
