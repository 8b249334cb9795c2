"""A slow call never blocks another one (calls run in a thread pool)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.fixtures.web_server import call, web_server

WAIT_S = 10.0


def test_slow_call_does_not_block_a_fast_one(tmp_path: Path) -> None:
    entered = threading.Event()
    release = threading.Event()

    def slow_picker(folder: bool) -> list[str]:
        entered.set()
        release.wait(WAIT_S)  # held until the fast call has come back
        return ["/picked"]

    with web_server(tmp_path) as server, ThreadPoolExecutor(2) as pool:
        server.api.path_picker = slow_picker
        slow = pool.submit(call, server, "pick_paths")
        assert entered.wait(WAIT_S)
        fast = call(server, "get_status")  # would time out if the server were serialised
        assert fast.status_code == 200
        assert not slow.done()
        release.set()
        assert slow.result(WAIT_S).json() == {"ok": True, "result": ["/picked"]}


def test_many_concurrent_calls(tmp_path: Path) -> None:
    with web_server(tmp_path) as server, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: call(server, "get_facets").status_code, range(32)))
    assert results == [200] * 32
