"""`tensorshelf` with no arguments: the desktop window (pywebview, Qt backend on Linux).

The window shows the built UI (frontend/dist, served by pywebview's own local HTTP server)
and talks to ShelfApi through a js_api bridge that exposes only the allowlisted methods.
Events reach the page through `evaluate_js`; dropped files and folders are forwarded as
`files.dropped`; the native file dialogs back `pick_paths`; the window size is remembered.
Without a display it says so and starts web mode instead."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from tensorshelf import settings
from tensorshelf.api.shelf import ShelfApi
from tensorshelf.api.web import serve
from tensorshelf.api.web_static import NOT_BUILT_PAGE, ui_dist_dir, ui_index
from tensorshelf.desktop.bridge import make_js_api
from tensorshelf.desktop.display import display_problem, gui_toolkit_problem, prepare_qt_environment
from tensorshelf.desktop.drops import DropForwarder
from tensorshelf.desktop.events import EventPusher
from tensorshelf.desktop.file_dialog import MODEL_FILE_TYPES, remembered_folder, start_folder
from tensorshelf.desktop.window_state import WindowSizeKeeper
from tensorshelf.settings import Locations

log = logging.getLogger(__name__)

WINDOW_TITLE = "Tensorshelf"
GUI_BACKEND: Final = "qt"


class DesktopShell:
    """One Tensorshelf window around one ShelfApi. `run()` blocks until it is closed."""

    def __init__(self, api: ShelfApi, index: Path | None = None) -> None:
        prepare_qt_environment()
        import webview

        self.api = api
        self._webview = webview
        prefs = api.get_settings()
        self.size = WindowSizeKeeper(api.update_settings, prefs.window_width, prefs.window_height)
        self.drops = DropForwarder(api.bus)
        index = index if index is not None else ui_index()
        page: dict[str, Any] = (
            {"url": str(index)} if index else {"html": NOT_BUILT_PAGE.format(dist=ui_dist_dir())}
        )
        window = webview.create_window(
            WINDOW_TITLE,
            js_api=make_js_api(api),
            width=prefs.window_width,
            height=prefs.window_height,
            min_size=(settings.WINDOW_MIN_WIDTH, settings.WINDOW_MIN_HEIGHT),
            **page,
        )
        if window is None:
            raise RuntimeError("pywebview created no window")
        self.window = window
        self.events = EventPusher(self.window, api.bus)
        self.window.events.loaded += self._on_loaded
        self.window.events.resized += self.size.on_resized
        self.window.events.maximized += self.size.on_maximized
        self.window.events.restored += self.size.on_restored
        self.window.events.closing += self._on_closing
        api.path_picker = self.pick_paths

    def _on_loaded(self) -> None:
        """Each page load (runs in a pywebview worker thread)."""
        try:
            self.drops.attach(self.window)
        except Exception:
            log.exception("file drops will not work: could not listen to the page's drops")
        self.events.page_loaded()

    def _on_closing(self) -> None:
        self.size.flush()  # runs on the GUI thread: a quick settings write, nothing more

    def pick_paths(self, folder: bool) -> list[str]:
        """The native "Add files…" / "Add folder…" dialog (called from a bridge thread)."""
        kind = self._webview.FileDialog.FOLDER if folder else self._webview.FileDialog.OPEN
        chosen = self.window.create_file_dialog(
            kind,
            directory=start_folder(self.api.settings.get().last_pick_folder),
            allow_multiple=True,
            file_types=() if folder else MODEL_FILE_TYPES,
        )
        paths = [str(Path(p).absolute()) for p in chosen or ()]
        remembered = remembered_folder(paths)
        if remembered is not None:
            self.api.settings.update({"last_pick_folder": remembered})
        return paths

    def run(self, func: Callable[..., None] | None = None, args: tuple[Any, ...] = ()) -> None:
        """Start the GUI loop on this (main) thread; `func(*args)` runs in a thread."""
        try:
            self._webview.start(func, args or None, gui=GUI_BACKEND, http_server=True)
        finally:
            self.events.stop()
            self.size.flush()
            self.api.path_picker = None


def desktop_problem() -> str | None:
    """Why the desktop window cannot open here, or None."""
    return display_problem() or gui_toolkit_problem()


def run_desktop(locations: Locations) -> int:
    """Open the window (web mode when no display is available); returns the exit code."""
    prepare_qt_environment()
    problem = desktop_problem()
    if problem:
        message = f"No display available — starting web mode ({problem})"
        log.info(message)  # printed below, always; a warning-level log would say it twice
        print(message, file=sys.stderr, flush=True)
        api = ShelfApi(locations, bridge="web")
        try:
            return serve(api, port=0, open_browser=True)
        finally:
            api.close()
    api = ShelfApi(locations, bridge="desktop")
    try:
        DesktopShell(api).run()
    finally:
        api.close()
    return 0
