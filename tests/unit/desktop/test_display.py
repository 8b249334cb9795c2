"""Deciding whether a desktop window can open, with real sockets standing in for a display."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from tensorshelf.desktop.display import display_problem, prepare_qt_environment

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux displays")


def _free_display_number() -> int:
    for n in range(4700, 4800):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            return n
    raise RuntimeError("no free display number")


def test_no_display_variables() -> None:
    assert "neither DISPLAY nor WAYLAND_DISPLAY" in display_problem({})


def test_unreachable_x_display() -> None:
    n = _free_display_number()
    assert "cannot connect" in display_problem({"DISPLAY": f":{n}"})
    assert "cannot connect" in display_problem({"DISPLAY": "garbage"})


def test_listening_x_socket_counts_as_a_display() -> None:
    n = _free_display_number()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(f"\0/tmp/.X11-unix/X{n}")  # abstract socket, as Xvfb also opens
        server.listen(1)
        assert display_problem({"DISPLAY": f":{n}"}) is None
        assert display_problem({"DISPLAY": f":{n}.0"}) is None


def test_wayland_socket(tmp_path: Path) -> None:
    (tmp_path / "wayland-7").touch()
    env = {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert display_problem(env) is None
    assert display_problem({**env, "WAYLAND_DISPLAY": "wayland-8"}) is not None


def test_other_platforms_always_have_a_display() -> None:
    assert display_problem({}, platform="win32") is None
    assert display_problem({}, platform="darwin") is None


def test_qt_environment_never_overrides_the_user() -> None:
    env = {"QTWEBENGINE_DISABLE_SANDBOX": "0", "QT_API": "pyqt6"}
    prepare_qt_environment(env)
    assert env == {"QTWEBENGINE_DISABLE_SANDBOX": "0", "QT_API": "pyqt6"}
    fresh: dict[str, str] = {}
    prepare_qt_environment(fresh)
    assert fresh["QT_API"] == "pyside6"
    assert ("QTWEBENGINE_DISABLE_SANDBOX" in fresh) == (os.geteuid() == 0)
