"""Can a desktop window open here? And the environment Qt WebEngine needs."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import MutableMapping
from pathlib import Path

_X11_SOCKET_DIR = "/tmp/.X11-unix"
_X11_TCP_BASE_PORT = 6000
_CONNECT_TIMEOUT_S = 1.0


def _x_display_reachable(display: str) -> bool:
    """True when an X server answers on `display` (":N", "unix:N", "host:N[.screen]")."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"{_X11_SOCKET_DIR}/X{number}"
        for address in (path, "\0" + path):  # filesystem socket, then Linux abstract socket
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(_CONNECT_TIMEOUT_S)
                try:
                    sock.connect(address)
                    return True
                except OSError:
                    continue
        return False
    try:
        with socket.create_connection(
            (host, _X11_TCP_BASE_PORT + int(number)), timeout=_CONNECT_TIMEOUT_S
        ):
            return True
    except OSError:
        return False


def _wayland_reachable(env: MutableMapping[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY", "")
    if not name:
        return False
    path = Path(name) if name.startswith("/") else Path(env.get("XDG_RUNTIME_DIR", "")) / name
    return path.exists()


def display_problem(
    env: MutableMapping[str, str] | None = None, platform: str = sys.platform
) -> str | None:
    """Why no window can be shown (None when a display is there). Only Linux/BSD can lack one."""
    env = os.environ if env is None else env
    if platform in ("win32", "darwin"):
        return None
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if not display and not wayland:
        return "neither DISPLAY nor WAYLAND_DISPLAY is set"
    if wayland and _wayland_reachable(env):
        return None
    if display and _x_display_reachable(display):
        return None
    return f"cannot connect to display {display or wayland!r}"


def gui_toolkit_problem() -> str | None:
    """Why pywebview's Qt backend cannot load (None when it can)."""
    try:
        import webview  # noqa: F401
        from PySide6 import QtWebEngineWidgets  # noqa: F401
    except (ImportError, OSError, RuntimeError) as exc:  # OSError: a missing system library
        return f"pywebview/Qt WebEngine unavailable: {exc.__class__.__name__}: {exc}"
    return None


def prepare_qt_environment(env: MutableMapping[str, str] | None = None) -> None:
    """Settings Qt WebEngine needs before it starts (never overrides the user's own)."""
    env = os.environ if env is None else env
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses root otherwise
    env.setdefault("QT_API", "pyside6")  # pywebview's qtpy: use the binding we install
