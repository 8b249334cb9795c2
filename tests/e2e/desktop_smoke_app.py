"""Run by test_desktop_smoke.py in a subprocess under Xvfb: opens the real Tensorshelf window
(DesktopShell: pywebview + Qt WebEngine + the built UI), then from a worker thread
  1. waits for the UI, calls ShelfApi from JS (window.pywebview.api.get_status({})),
  2. checks that an EventBus event reaches the page's `__tensorshelf_event` hook,
  3. saves a screenshot of the screen,
  4. drops real files/folders on the window through Qt's drag-and-drop events and checks
     that `files.dropped` reaches the page with their full paths,
  5. resizes the window, closes it,
and prints one line `SMOKE_RESULT {json}` for the test to check.

    python desktop_smoke_app.py HOME LIBRARY SCREENSHOT [DROP_PATH...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tensorshelf.api.events_schema import NetworkStatus
from tensorshelf.api.shelf import ShelfApi
from tensorshelf.desktop.window import DesktopShell
from tensorshelf.settings import resolve_locations

STEP_TIMEOUT_S = 30.0
RESIZED_TO = (1400, 900)
UI_READY_JS = "!!document.querySelector('[data-testid=library-row],[data-testid=empty-state]')"
IMPORT_ITEMS_JS = (
    "document.querySelectorAll('[data-testid=import-dialog] [data-testid=import-item]').length"
)
SPY_JS = """(function () {
  var hook = window.__tensorshelf_event;
  window.__smokeEvents = [];
  document.addEventListener('dragover', function () { window.__smokeDragover = true; }, true);
  window.__tensorshelf_event = function (e) {
    window.__smokeEvents.push(e);
    if (typeof hook === 'function') hook(e);
  };
  return typeof hook;
})()"""


def _poll(fn: Any, timeout_s: float = STEP_TIMEOUT_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    return None


def _js_promise(window: Any, script: str) -> Any:
    done, box = threading.Event(), {}

    def callback(value: Any) -> None:
        box["value"] = value
        done.set()

    window.evaluate_js(script, callback)
    if not done.wait(STEP_TIMEOUT_S):
        raise TimeoutError(script)
    return box["value"]


class GuiThread:
    """Runs callables on the Qt GUI thread (queued signal from a worker thread)."""

    def __init__(self) -> None:
        from PySide6 import QtCore

        class Invoker(QtCore.QObject):
            call = QtCore.Signal(object)

        self._invoker = Invoker()
        self._invoker.call.connect(lambda fn: fn(), QtCore.Qt.ConnectionType.QueuedConnection)

    def run(self, fn: Any) -> None:
        self._invoker.call.emit(fn)


GRAB_ATTEMPTS = 10
GRAB_RETRY_S = 0.5
PAINTED_PNG_BYTES = 10_000  # a blank or half-painted window compresses to less


def grab_window(gui: GuiThread, window: Any, path: Path) -> None:
    """Screenshot of the window's contents (Qt grab); the whole screen as a fallback."""
    from webview.platforms.qt import BrowserView

    done = threading.Event()

    def grab() -> None:
        try:
            BrowserView.instances[window.uid].grab().save(str(path))
        finally:
            done.set()

    gui.run(grab)
    done.wait(STEP_TIMEOUT_S)
    if not path.exists():
        subprocess.run(
            ["import", "-window", "root", str(path)], check=False, timeout=STEP_TIMEOUT_S
        )


def pick_with_native_dialog(gui: GuiThread, window: Any, path: str, folder: bool) -> Any:
    """Call pick_paths from the page; answer the Qt file dialog it opens with `path`."""
    from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

    answered = threading.Event()

    def answer() -> None:
        for dialog in QApplication.topLevelWidgets():
            if not answered.is_set() and isinstance(dialog, QFileDialog) and dialog.isVisible():
                name_edit = dialog.findChild(QLineEdit, "fileNameEdit")
                name_edit.setText(path)  # as if typed: the file name box takes full paths
                dialog.accept()
                answered.set()

    def answer_soon() -> None:
        while not answered.wait(0.25):  # until the dialog is up
            gui.run(answer)

    threading.Thread(target=answer_soon, daemon=True).start()
    flag = "true" if folder else "false"
    return _js_promise(window, f"window.pywebview.api.pick_paths({{folder: {flag}}})")


def drag_and_drop(gui: GuiThread, window: Any, paths: list[str]) -> None:
    """A real Qt drag-enter / drag-move / drop sequence on the web view, as a file manager's
    drag would deliver it (paths as file:// URLs)."""
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication
    from webview.platforms.qt import BrowserView

    view = BrowserView.instances[window.uid].webview
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
    at = QPoint(view.width() // 2, view.height() // 2)
    copy, no_button, no_mod = (
        Qt.DropAction.CopyAction,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )

    def enter() -> Any:
        return QDragEnterEvent(at, copy, mime, no_button, no_mod)

    def move() -> Any:
        return QDragMoveEvent(at, copy, mime, no_button, no_mod)

    def drop() -> Any:
        return QDropEvent(QPointF(at), copy, mime, no_button, no_mod)

    def send(make: Any) -> None:
        gui.run(lambda: QApplication.sendEvent(view, make()))

    # Chromium answers each step asynchronously: drop only once the page saw a dragover
    window.evaluate_js("window.__smokeDragover = false")
    send(enter)
    if not _poll(lambda: send(move) or window.evaluate_js("window.__smokeDragover")):
        raise TimeoutError("the page never saw the drag")
    send(drop)


def scenario(
    shell: DesktopShell, gui: GuiThread, screenshot: Path, drops: list[str], result: dict[str, Any]
) -> None:
    window = shell.window
    try:
        started = time.monotonic()
        if not window.events.loaded.wait(STEP_TIMEOUT_S):
            raise TimeoutError("the page never loaded")
        if not _poll(lambda: window.evaluate_js(UI_READY_JS)):
            raise TimeoutError("the UI never rendered the library")
        result["ui_ready_s"] = round(time.monotonic() - started, 2)

        result["get_status"] = _js_promise(window, "window.pywebview.api.get_status({})")
        result["unknown_method"] = window.evaluate_js("typeof window.pywebview.api.close")

        result["hook_before_spy"] = window.evaluate_js(SPY_JS)
        shell.api.bus.publish("network.status", NetworkStatus(online=True))
        result["pushed"] = _poll(
            lambda: window.evaluate_js(
                "window.__smokeEvents.filter(function (e) { return e.type === 'network.status'; })"
            )
        )

        for _attempt in range(GRAB_ATTEMPTS):  # a busy machine may grab before the paint
            grab_window(gui, window, screenshot)
            if screenshot.stat().st_size > PAINTED_PNG_BYTES:
                break
            time.sleep(GRAB_RETRY_S)

        if drops:
            drag_and_drop(gui, window, drops)
            result["dropped"] = _poll(
                lambda: window.evaluate_js(
                    "window.__smokeEvents.filter("
                    "function (e) { return e.type === 'files.dropped'; })"
                )
            )
            result["import_dialog"] = bool(_poll(lambda: window.evaluate_js(IMPORT_ITEMS_JS)))
            time.sleep(0.6)  # let the dialog's transition finish before the screenshot
            grab_window(gui, window, screenshot.with_name("desktop-drop.png"))
            window.evaluate_js(
                "document.dispatchEvent(new KeyboardEvent('keydown', "
                "{key: 'Escape', bubbles: true}))"
            )

            result["picked_file"] = pick_with_native_dialog(gui, window, drops[0], folder=False)
            result["picked_folder"] = pick_with_native_dialog(gui, window, drops[-1], folder=True)

            # after a reload one drop must still give exactly one event
            window.evaluate_js("location.reload()")
            if not _poll(
                lambda: window.evaluate_js("window.__smokeEvents === undefined && " + UI_READY_JS)
            ):
                raise TimeoutError("the UI did not come back after a reload")
            window.evaluate_js(SPY_JS)
            drag_and_drop(gui, window, drops[:1])
            _poll(lambda: window.evaluate_js("window.__smokeEvents.length"))
            time.sleep(1.0)  # a duplicate would arrive by now
            result["dropped_after_reload"] = window.evaluate_js("window.__smokeEvents")

        window.resize(*RESIZED_TO)
        time.sleep(0.5)
    except Exception as exc:  # noqa: BLE001 — reported to the test, which fails with it
        result["error"] = f"{exc.__class__.__name__}: {exc}"
    finally:
        window.destroy()


def main(argv: list[str]) -> int:
    home, library, screenshot, *drops = argv
    api = ShelfApi(resolve_locations(home, library), bridge="desktop")
    result: dict[str, Any] = {}
    try:
        shell = DesktopShell(api)
        gui = GuiThread()
        shell.run(scenario, (shell, gui, Path(screenshot), drops, result))
    finally:
        api.close()
    print("SMOKE_RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
