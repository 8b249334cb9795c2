"""Idle means idle (anchor lesson: "Idle must mean 0 % CPU"): the web server's thread does
not wake up while nothing happens (stock uvicorn ticks ten times a second), and it still
stops promptly when asked."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.web_server import call, web_server

IDLE_S = 1.0
MAX_IDLE_WAKEUPS = 2  # a tick every 100 ms would be ~10
STOP_WITHIN_S = 2.0


def _wakeups(native_id: int) -> int:
    status = Path(f"/proc/self/task/{native_id}/status").read_text()
    line = next(ln for ln in status.splitlines() if ln.startswith("voluntary_ctxt_switches"))
    return int(line.split()[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_web_server_thread_sleeps_while_idle_and_stops_promptly(tmp_path: Path) -> None:
    with web_server(tmp_path) as server:
        assert call(server, "get_status").status_code == 200
        thread = next(t for t in threading.enumerate() if t.name == "tensorshelf-web")
        assert thread.native_id is not None
        time.sleep(0.2)  # let the request's aftermath settle
        before = _wakeups(thread.native_id)
        time.sleep(IDLE_S)
        assert _wakeups(thread.native_id) - before <= MAX_IDLE_WAKEUPS
        started = time.monotonic()
        server.stop()
        assert not thread.is_alive() and time.monotonic() - started < STOP_WITHIN_S
