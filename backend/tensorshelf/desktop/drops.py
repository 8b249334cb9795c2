"""Files dropped on the desktop window → `files.dropped` with their absolute paths.

Browsers never reveal a dropped file's path to the page; pywebview's Qt backend records the
paths from Qt's drop event and adds them as `pywebviewFullPath` to the DOM event it hands
to *Python* handlers (in a worker thread, never the GUI thread). We forward them to the UI
as an event; the UI opens its import dialog with them."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from tensorshelf.api.events_schema import EVENT_FILES_DROPPED, FilesDropped
from tensorshelf.jobs.events import EventBus

log = logging.getLogger(__name__)

FULL_PATH_KEY = "pywebviewFullPath"


def dropped_paths(event: dict[str, Any]) -> list[str]:
    """Absolute, existing paths of the files/folders of one DOM drop event, in drop order,
    without duplicates (names with spaces or non-ASCII characters are kept as they are)."""
    files = (event.get("dataTransfer") or {}).get("files") or []
    paths: list[str] = []
    for item in files:
        raw = item.get(FULL_PATH_KEY) if isinstance(item, dict) else None
        if not raw:
            name = item.get("name") if isinstance(item, dict) else item
            log.warning("dropped item without a path: %r", name)
            continue
        path = os.path.abspath(raw)
        if not Path(path).exists():
            log.warning("dropped path does not exist: %s", path)
            continue
        if path not in paths:
            paths.append(path)
    return paths


class DropForwarder:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    def on_drop(self, event: dict[str, Any]) -> None:
        """pywebview DOM `drop` handler (runs in a worker thread)."""
        paths = dropped_paths(event)
        if paths:
            log.info("dropped: %s", paths)
            self._bus.publish(EVENT_FILES_DROPPED, FilesDropped(paths=paths))

    def attach(self, window: Any) -> None:
        """Listen to drops on the page's document. Call after each page load: a reload
        loses the page's listener (pywebview gives the new page fresh DOM objects, so one
        drop still makes one event — the desktop smoke test checks that)."""
        from webview.dom import DOMEventHandler

        # preventDefault: the window must not navigate to a dropped file. Propagation is
        # left alone so the UI's own drop-zone listeners still see the event end.
        window.dom.document.events.drop += DOMEventHandler(self.on_drop, prevent_default=True)
