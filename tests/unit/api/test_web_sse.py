"""The SSE stream at /api/events delivers what is published on the EventBus."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from tests.fixtures.payloads import Payload
from tests.fixtures.web_server import web_server

WAIT_S = 10.0


def _open_stream(server, stack):
    c = stack.enter_context(httpx.Client(base_url=server.base_url, timeout=WAIT_S))
    response = stack.enter_context(c.stream("GET", f"/api/events?token={server.token}"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = response.iter_lines()
    for line in lines:  # the subscription is live once ": connected" arrives
        if line == ": connected":
            break
    return lines


def _next_data(lines) -> dict:
    for line in lines:
        if line.startswith("data: "):
            return json.loads(line[len("data: ") :])
    raise AssertionError("stream ended")


def _wait_for(predicate) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_published_events_arrive_in_order(tmp_path: Path) -> None:
    from contextlib import ExitStack

    with web_server(tmp_path) as server, ExitStack() as stack:
        lines = _open_stream(server, stack)
        server.api.bus.publish("library.changed", Payload(ids=["a1"], reason="edit"))
        server.api.bus.publish("files.dropped", Payload(paths=["/tmp/mödel dir/x y.gguf"]))
        first, second = _next_data(lines), _next_data(lines)
    assert first == {"type": "library.changed", "payload": {"ids": ["a1"], "reason": "edit"}}
    assert second == {"type": "files.dropped", "payload": {"paths": ["/tmp/mödel dir/x y.gguf"]}}


def test_events_from_a_real_call_reach_two_clients(tmp_path: Path) -> None:
    from contextlib import ExitStack

    with web_server(tmp_path) as server, ExitStack() as stack:
        a, b = _open_stream(server, stack), _open_stream(server, stack)
        # a publish from another thread, as jobs do
        worker = threading.Thread(
            target=server.api.bus.publish, args=("network.status", Payload(online=False))
        )
        worker.start()
        worker.join()
        assert (
            _next_data(a)
            == _next_data(b)
            == {"type": "network.status", "payload": {"online": False}}
        )


def test_disconnect_unsubscribes(tmp_path: Path) -> None:
    from contextlib import ExitStack

    with web_server(tmp_path) as server:
        baseline = server.api.bus.subscriber_count
        with ExitStack() as stack:
            lines = _open_stream(server, stack)  # keep a reference: dropping it disconnects
            assert server.api.bus.subscriber_count == baseline + 1
            assert server.hub.clients == 1
            del lines
        assert _wait_for(lambda: server.api.bus.subscriber_count == baseline)
        assert _wait_for(lambda: server.hub.clients == 0)


def test_stop_ends_open_streams(tmp_path: Path) -> None:
    from contextlib import ExitStack

    with web_server(tmp_path) as server, ExitStack() as stack:
        lines = _open_stream(server, stack)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < WAIT_S / 2
        remaining = list(lines)  # the stream ends instead of hanging
        assert all(not line.startswith("data:") for line in remaining)
