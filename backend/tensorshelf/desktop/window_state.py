"""Remembering the desktop window's size in settings.json."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from tensorshelf import settings

log = logging.getLogger(__name__)

SaveFn = Callable[[dict[str, Any]], Any]  # ShelfApi.update_settings


def clamp_size(width: int, height: int) -> tuple[int, int]:
    return max(int(width), settings.WINDOW_MIN_WIDTH), max(int(height), settings.WINDOW_MIN_HEIGHT)


class WindowSizeKeeper:
    """Collects resize events and saves the size once the user has stopped resizing (and
    on close). A maximized window's size is not remembered as the normal size."""

    def __init__(
        self,
        save: SaveFn,
        width: int,
        height: int,
        delay_s: float = settings.WINDOW_SIZE_SAVE_DELAY_S,
    ) -> None:
        self._save = save
        self._saved = clamp_size(width, height)
        self._latest = self._saved
        self._delay_s = delay_s
        self._maximized = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def on_resized(self, width: int, height: int) -> None:
        with self._lock:
            if self._maximized:
                return
            self._latest = clamp_size(width, height)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._delay_s, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def on_maximized(self) -> None:
        with self._lock:
            self._maximized = True

    def on_restored(self) -> None:
        with self._lock:
            self._maximized = False

    def flush(self) -> None:
        """Write the latest size if it changed (also called on close)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._latest == self._saved:
                return
            width, height = self._latest
            try:
                self._save({"window_width": width, "window_height": height})
                self._saved = self._latest
            except Exception:
                log.exception("could not remember the window size")
