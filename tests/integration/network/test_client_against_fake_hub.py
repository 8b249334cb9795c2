"""The network layer against a real server (the fake Hub on loopback, TLS): HTTP/2 is
negotiated; 503s are retried with backoff and then succeed; three failures open the host's
circuit, which then fails in well under 10 ms with no request sent, lets one probe through
after the cool-down and closes on its success — each change pushed to the status listener;
a 4xx is never retried; a 429 waits out the RateLimit reset; a closed port and a timeout are
clear NetworkErrors; offline means no request at all."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensorshelf.network.breaker import CircuitBreaker
from tensorshelf.network.client import NetClient
from tensorshelf.network.errors import HostUnavailable, NetworkError, Offline
from tensorshelf.network.status import HostStatus, StatusBoard
from tests.fixtures.fake_hub import FakeHub, fake_hub

FAST_FAIL_S = 0.010
COOLDOWN_S = 0.3


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[FakeHub]:
    with fake_hub(tmp_path) as served:
        served.repo("org/model", downloads=5).add("model.safetensors", b"weights")
        yield served


def _client(hub: FakeHub, **kw) -> tuple[NetClient, list[HostStatus], list[float]]:
    seen: list[HostStatus] = []
    slept: list[float] = []
    board = StatusBoard()
    board.listen(seen.append)
    client = NetClient(
        verify=ssl.create_default_context(cafile=str(hub.ca_file)),
        board=board,
        breaker=CircuitBreaker(cooldown_s=COOLDOWN_S),
        sleep=slept.append,
        **kw,
    )
    return client, seen, slept


def test_http2_is_negotiated(hub: FakeHub) -> None:
    client, _seen, _slept = _client(hub)
    try:
        response = client.request("GET", f"{hub.url}/api/models?search=model")
        assert response.status_code == 200 and response.json()[0]["id"] == "org/model"
        assert response.http_version == "HTTP/2"
        assert hub.requests[-1].http_version == "2"
        assert response.headers["ratelimit"].startswith('"api";r=')
        assert hub.requests[-1].headers["user-agent"].startswith("tensorshelf/")
    finally:
        client.close()


def test_retries_then_the_circuit_opens_fails_fast_probes_and_closes(hub: FakeHub) -> None:
    client, seen, slept = _client(hub)
    url = f"{hub.url}/api/models/org/model"
    try:
        hub.faults.fail_next = 2
        assert client.request("GET", url).status_code == 200, "503, 503, then the answer"
        assert hub.count("/api/models/org/model") == 3 and len(slept) == 2

        hub.faults.status = 503
        assert client.request("GET", url).status_code == 503  # three tries, three failures
        sent = len(hub.requests)
        started = time.perf_counter()
        with pytest.raises(HostUnavailable) as failed:
            client.request("GET", url)
        assert time.perf_counter() - started < FAST_FAIL_S, "fails fast, without I/O"
        assert len(hub.requests) == sent, "no request while the circuit is open"
        assert "not answering" in failed.value.message
        assert seen[-1].state == "offline"

        hub.faults.status = None
        time.sleep(COOLDOWN_S)
        assert client.request("GET", url).status_code == 200, "the probe goes through"
        assert seen[-1].state == "ok", "and the circuit closes"
    finally:
        client.close()


def test_a_4xx_is_not_retried_and_a_429_waits_for_the_reset(hub: FakeHub) -> None:
    client, seen, slept = _client(hub)
    try:
        missing = client.request("GET", f"{hub.url}/api/models/org/nothing")
        assert missing.status_code == 401 and missing.headers["x-error-code"] == "RepoNotFound"
        assert hub.count("/api/models/org/nothing") == 1

        hub.faults.rate_limited = True

        def wait(seconds: float) -> None:
            slept.append(seconds)
            hub.faults.rate_limited = False  # the window passed

        client._sleep = wait
        response = client.request("GET", f"{hub.url}/api/models/org/model")
        assert response.status_code == 200
        assert slept[-1] > 119, "waited out RateLimit's t=120 before trying again"
        assert any(s.state == "degraded" and "rate limited" in s.reason for s in seen)
    finally:
        client.close()


def test_refused_timeout_and_offline(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _seen, _slept = _client(hub, read_timeout_s=0.3)
    try:
        hub.faults.delay_s = 1.0
        with pytest.raises(NetworkError) as timed_out:
            client.request("GET", f"{hub.url}/api/models?search=x", idempotent=False)
        assert "ReadTimeout" in timed_out.value.message or "timed out" in timed_out.value.message
        hub.faults.delay_s = 0

        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        before = len(hub.requests)
        with pytest.raises(Offline) as off:
            client.request("GET", f"{hub.url}/api/models?search=x")
        assert "HF_HUB_OFFLINE=1" in off.value.message and len(hub.requests) == before
        monkeypatch.delenv("HF_HUB_OFFLINE")

    finally:
        client.close()  # (its kept-alive connection would hold the server's shutdown)
    url = hub.url
    hub.stop()
    fresh, _seen, _slept = _client(hub)
    try:
        with pytest.raises(NetworkError) as refused:
            fresh.request("GET", f"{url}/api/models?search=x", idempotent=False)
        assert url.split("//")[1] in refused.value.message
    finally:
        fresh.close()
