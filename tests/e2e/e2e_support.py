"""End-to-end helpers: `tensorshelf serve` as a subprocess on a temp library; screenshots;
polling; reading metadata.json files."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.cli_runner import Cli

ROOT = Path(__file__).resolve().parents[2]
# e2e runs write screenshots to a build folder; `scripts/screenshots` points this at
# docs/screenshots to refresh the README's pictures on purpose.
SCREENSHOTS = Path(os.environ.get("TENSORSHELF_SCREENSHOTS_DIR") or ROOT / "build" / "screenshots")
UI_INDEX = ROOT / "frontend" / "dist" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
UI_TIMEOUT_MS = 15_000


@dataclass
class Served:
    """A running `tensorshelf serve` and the CLI bound to the same library."""

    cli: Cli
    proc: subprocess.Popen[str]
    url: str
    port: int
    token: str
    stderr: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, method: str, **kwargs: Any) -> Any:
        response = httpx.post(
            f"{self.base_url}/api/call/{method}",
            json=kwargs,
            timeout=30,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        envelope = response.json()
        assert envelope["ok"], envelope
        return envelope["result"]


def _drain(stream: Any, sink: list[str]) -> None:
    for line in stream:
        sink.append(line.rstrip("\n"))


def start_serve(cli: Cli) -> Served:
    proc = cli.spawn("--json", "serve", "--no-open")
    stderr: list[str] = []
    threading.Thread(target=_drain, args=(proc.stderr, stderr), daemon=True).start()
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
    line = proc.stdout.readline() if ready else ""
    if not line:
        proc.kill()
        proc.wait(STOP_TIMEOUT_S)
        raise AssertionError("tensorshelf serve printed nothing:\n" + "\n".join(stderr))
    info = json.loads(line)
    assert set(info) == {"url", "port", "token"}, line
    assert info["url"] == f"http://127.0.0.1:{info['port']}/#token={info['token']}"
    return Served(cli, proc, info["url"], info["port"], info["token"], stderr)


def stop_serve(served: Served) -> int:
    served.proc.send_signal(signal.SIGTERM)
    try:
        return served.proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait(STOP_TIMEOUT_S)
        raise AssertionError("tensorshelf serve ignored SIGTERM") from None


@contextmanager
def serving(cli: Cli) -> Iterator[Served]:
    """`tensorshelf serve` for the duration of a fixture; it must stop cleanly on SIGTERM."""
    served = start_serve(cli)
    try:
        yield served
    finally:
        code = stop_serve(served)
        assert code == 0, "\n".join(served.stderr)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(250)  # let transitions settle
    page.screenshot(path=str(path))
    return path


def wait_until(predicate: Any, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def metadata_files(library: Path) -> list[dict[str, Any]]:
    out = []
    for path in library.rglob("metadata.json"):
        if ".staging" not in path.parts:
            out.append(json.loads(path.read_text("utf-8")))
    return out
