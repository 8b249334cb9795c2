"""Smoke test of the real desktop window (pywebview + Qt WebEngine) under Xvfb, run in a
subprocess with a timeout so a hang cannot stall the suite. Skipped (with the reason) only
when Xvfb or Qt cannot start here."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.e2e_support import SCREENSHOTS, UI_INDEX
from tests.fixtures.cli_runner import make_cli, write_lora

pytestmark = pytest.mark.desktop

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).with_name("desktop_smoke_app.py")
SMOKE_TIMEOUT_S = 90
XVFB_START_TIMEOUT_S = 10
SCREEN = "1600x1000x24"


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private X server; yields its DISPLAY."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        import select

        ready, _, _ = select.select([read_fd], [], [], XVFB_START_TIMEOUT_S)
        number = os.read(read_fd, 64).decode().strip() if ready else ""
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        os.close(read_fd)
        proc.terminate()
        proc.wait(XVFB_START_TIMEOUT_S)


def _qt_problem() -> str | None:
    probe = subprocess.run(
        [sys.executable, "-c", "from PySide6 import QtWebEngineWidgets"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return None if probe.returncode == 0 else probe.stderr.strip().splitlines()[-1]


def test_desktop_window_smoke(xvfb: str, tmp_path: Path) -> None:
    problem = _qt_problem()
    if problem:
        pytest.skip(f"Qt WebEngine cannot load here: {problem}")
    if not UI_INDEX.exists():
        pytest.fail(f"UI not built ({UI_INDEX} missing): run `npm run build` or ./scripts/run")
    cli = make_cli(tmp_path)
    cli.json(
        "import",
        str(write_lora(tmp_path / "in" / "Pixel Art XL.safetensors", seed=5)),
        "--no-lookup",
    )
    drops = [
        write_lora(tmp_path / "to drop" / "my lora (v2) ü.safetensors", seed=6),
        tmp_path / "to drop" / "Modèles 日本",
    ]
    drops[1].mkdir()
    write_lora(drops[1] / "inner.safetensors", seed=7)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "desktop.png"
    shot.unlink(missing_ok=True)

    env = {**cli.env, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.Popen(
        [sys.executable, str(APP), str(cli.home), str(cli.library), str(shot), *map(str, drops)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=SMOKE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the app and its QtWebEngineProcess children
        out, err = proc.communicate()
        pytest.fail(f"the desktop window hung (> {SMOKE_TIMEOUT_S} s)\n{err[-4000:]}")
    lines = [ln for ln in out.splitlines() if ln.startswith("SMOKE_RESULT ")]
    assert lines, f"exit {proc.returncode}\n{out[-2000:]}\n{err[-4000:]}"
    result = json.loads(lines[-1][len("SMOKE_RESULT ") :])
    assert "error" not in result, f"{result}\n{err[-4000:]}"

    status = result["get_status"]
    assert status["ok"] is True
    assert status["result"]["bridge"] == "desktop"
    assert status["result"]["model_count"] == 1
    assert result["unknown_method"] == "undefined"  # only allowlisted methods exist in JS
    assert result["hook_before_spy"] == "function"  # the UI installed its event hook
    assert result["pushed"] == [
        {
            "type": "network.status",
            "payload": {"online": True, "host": None, "state": "ok", "reason": "", "since": None},
        }
    ]
    assert result["dropped"] == [
        {"type": "files.dropped", "payload": {"paths": [str(p) for p in drops]}}
    ]
    assert result["dropped_after_reload"] == [
        {"type": "files.dropped", "payload": {"paths": [str(drops[0])]}}
    ]
    assert result["import_dialog"] is True  # the UI opened its import dialog for the drop
    assert result["picked_file"] == {"ok": True, "result": [str(drops[0])]}  # native dialogs
    assert result["picked_folder"] == {"ok": True, "result": [str(drops[1])]}
    assert shot.exists() and shot.stat().st_size > 10_000

    saved = json.loads((cli.home / "settings.json").read_text())
    assert (saved["window_width"], saved["window_height"]) == (1400, 900)
