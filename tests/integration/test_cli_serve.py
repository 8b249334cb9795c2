"""`tensorshelf serve` and `tensorshelf` (no command, no display → web mode) are wired to
the web server: the printed URL/token answers API calls; SIGINT/SIGTERM stop it cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx

from tests.fixtures.cli_runner import Cli, StderrWatcher, make_cli, write_lora

TIMEOUT_S = 60


def _first_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, f"no output; stderr: {proc.stderr.read() if proc.stderr else ''}"
    return line.strip()


def _call(base: str, token: str, method: str, **kwargs: object) -> httpx.Response:
    return httpx.post(
        f"{base}/api/call/{method}",
        json=kwargs,
        timeout=TIMEOUT_S,
        headers={"Authorization": f"Bearer {token}"},
    )


def _stop(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    proc.send_signal(sig)
    proc.wait(timeout=TIMEOUT_S)  # little output is left in the pipes; nothing blocks
    assert proc.returncode == 0


def test_serve_json_prints_url_and_token_and_serves_the_api(tmp_path: Path) -> None:
    cli: Cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", 1)))
    proc = cli.spawn("--json", "serve", "--no-open")
    try:
        info = json.loads(_first_line(proc))
        assert set(info) == {"url", "port", "token"}
        base = f"http://127.0.0.1:{info['port']}"
        assert info["url"].startswith(base) and info["url"].endswith(f"#token={info['token']}")
        status = _call(base, info["token"], "get_status").json()
        assert status["ok"] is True and status["result"]["bridge"] == "web"
        assert status["result"]["model_count"] == 1
        assert _call(base, "wrong-token", "get_status").status_code == 401
    finally:
        if proc.poll() is None:
            _stop(proc, signal.SIGINT)


def test_no_command_without_a_display_starts_web_mode(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    proc = cli.spawn(env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    try:
        watcher = StderrWatcher(proc)
        watcher.wait_for("No display available", TIMEOUT_S)
        url = _first_line(proc)
        base, _, fragment = url.partition("/#token=")
        assert base.startswith("http://127.0.0.1:") and fragment
        page = _call(base, fragment, "list_models").json()
        assert page == {"ok": True, "result": {"total": 0, "models": []}}
    finally:
        if proc.poll() is None:
            _stop(proc, signal.SIGTERM)
