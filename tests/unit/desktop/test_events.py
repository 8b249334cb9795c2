"""Desktop event push: the script runs in a real JS engine (node) and the pusher batches,
orders, waits for the page's hook and never blocks publishers."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time

import pytest

from tensorshelf.desktop.events import EventPusher, push_script
from tensorshelf.jobs.events import EventBus
from tests.fixtures.payloads import Payload

WAIT_S = 10.0
NODE = shutil.which("node")


def _run_in_node(script: str, with_hook: bool) -> tuple[object, list]:
    prelude = "var window = globalThis; var got = [];"
    if with_hook:
        prelude += "window.__tensorshelf_event = function (e) { got.push(e); };"
    program = prelude + f"var r = {script}; console.log(JSON.stringify([r, got]));"
    out = subprocess.run(
        [NODE, "-e", program], capture_output=True, text=True, check=True, timeout=WAIT_S
    )
    return tuple(json.loads(out.stdout))


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_script_delivers_events_intact_in_a_js_engine() -> None:
    events = [
        {"type": "files.dropped", "payload": {"paths": ["/a b/ünï\u2028cödé'\"</script>"]}},
        {"type": "network.status", "payload": {"online": True}},
    ]
    result, got = _run_in_node(push_script(events), with_hook=True)
    assert result == 2
    assert got == events


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_script_reports_a_missing_hook() -> None:
    result, got = _run_in_node(push_script([{"type": "x", "payload": {}}]), with_hook=False)
    assert result == -1
    assert got == []


class RecordingWindow:
    """Stands in for pywebview's Window.evaluate_js (the real one runs in the desktop smoke
    test): decodes each pushed batch; reports a missing hook until `hook` is set."""

    def __init__(self) -> None:
        self.batches: list[list[dict]] = []
        self.hook = threading.Event()
        self.calls = 0

    def evaluate_js(self, script: str) -> int:
        self.calls += 1
        if not self.hook.is_set():
            return -1
        batch = json.loads(script[script.rindex("})(") + 3 : -1])
        self.batches.append(batch)
        return len(batch)


def _wait(predicate) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_nothing_is_pushed_before_the_page_loaded() -> None:
    bus, window = EventBus(), RecordingWindow()
    window.hook.set()
    pusher = EventPusher(window, bus)
    try:
        bus.publish("network.status", Payload(online=True))
        time.sleep(0.1)
        assert window.calls == 0
        pusher.page_loaded()
        assert _wait(lambda: window.batches)
        assert window.batches[0] == [{"type": "network.status", "payload": {"online": True}}]
    finally:
        pusher.stop()


def test_events_wait_for_the_hook_then_arrive_in_order() -> None:
    bus, window = EventBus(), RecordingWindow()
    pusher = EventPusher(window, bus, batch_max=3)
    try:
        pusher.page_loaded()
        for i in range(7):
            bus.publish("library.changed", Payload(ids=[str(i)], reason="edit"))
        assert _wait(lambda: window.calls >= 1)
        window.hook.set()
        assert _wait(lambda: sum(map(len, window.batches)) == 7)
        delivered = [e["payload"]["ids"][0] for b in window.batches for e in b]
        assert delivered == [str(i) for i in range(7)]
        assert max(map(len, window.batches)) <= 3
    finally:
        pusher.stop()


def test_publishing_never_blocks_on_a_stuck_window() -> None:
    class StuckWindow:
        def __init__(self) -> None:
            self.release = threading.Event()

        def evaluate_js(self, script: str) -> int:
            self.release.wait(WAIT_S)
            return 1

    bus, window = EventBus(), StuckWindow()
    pusher = EventPusher(window, bus, queue_max=5)
    pusher.page_loaded()
    try:
        started = time.monotonic()
        for i in range(1000):
            bus.publish("job.progress", Payload(n=i))
        assert time.monotonic() - started < WAIT_S / 2
    finally:
        window.release.set()
        pusher.stop()


def test_stop_unsubscribes() -> None:
    bus, window = EventBus(), RecordingWindow()
    pusher = EventPusher(window, bus)
    assert bus.subscriber_count == 1
    pusher.stop()
    assert bus.subscriber_count == 0
