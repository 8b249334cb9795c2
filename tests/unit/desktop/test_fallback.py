"""`tensorshelf` without a display says so and serves web mode; SIGINT/SIGTERM end it with
exit 0."""

from __future__ import annotations

import select
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.fixtures.cli_runner import cli_command, make_cli

START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_no_display_falls_back_to_web_mode(tmp_path: Path, stop_signal: int) -> None:
    env = {
        k: v for k, v in make_cli(tmp_path).env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    # `tensorshelf` with no command opens the desktop window — or, here, web mode
    proc = subprocess.Popen(
        cli_command(),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
        url = proc.stdout.readline().strip() if ready else ""
        assert url.startswith("http://127.0.0.1:"), f"stdout: {url!r}"
        base, _, token = url.partition("/#token=")
        response = httpx.post(
            f"{base}/api/call/get_status",
            json={},
            timeout=10,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json()["result"]["bridge"] == "web"
        proc.send_signal(stop_signal)
        assert proc.wait(STOP_TIMEOUT_S) == 0
        assert proc.stderr.read().count("No display available — starting web mode") == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(STOP_TIMEOUT_S)
