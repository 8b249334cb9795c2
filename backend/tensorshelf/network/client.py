"""NetClient: the one HTTP client. Every request goes through, in order: the offline switches
(no request at all), the host's circuit breaker (fail fast while open), the host's pacer (wait
for the quota), then httpx — one shared client, HTTP/2 where the server offers it, pooled,
7 s connect/read timeouts, a User-Agent naming Tensorshelf. Idempotent requests are retried
with exponential backoff and full jitter on connect errors, timeouts and 502/503/504, and
after a 429 once the pause is over; other 4xx never. Redirects are never followed here (the
Hub's metadata lives on the 302, and a token must not travel to a CDN): callers decide."""

from __future__ import annotations

import contextlib
import logging
import platform
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

from tensorshelf import settings
from tensorshelf.network.breaker import CircuitBreaker
from tensorshelf.network.errors import HostUnavailable, NetworkError, Offline
from tensorshelf.network.offline import offline_reason
from tensorshelf.network.ratelimit import Pacer
from tensorshelf.network.status import StatusBoard
from tensorshelf.network.urls import host_of

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def user_agent() -> str:
    try:
        own = version("tensorshelf")
    except PackageNotFoundError:
        own = "0+unknown"
    return f"tensorshelf/{own}; python/{platform.python_version()}"


class NetClient:
    def __init__(
        self,
        *,
        offline_switch: Callable[[], bool] = lambda: False,
        board: StatusBoard | None = None,
        breaker: CircuitBreaker | None = None,
        pacer: Pacer | None = None,
        transport: httpx.BaseTransport | None = None,
        verify: Any = True,
        sleep: Callable[[float], None] = time.sleep,
        connect_timeout_s: float = settings.NET_CONNECT_TIMEOUT_S,
        read_timeout_s: float = settings.NET_READ_TIMEOUT_S,
    ) -> None:
        self.offline_switch = offline_switch
        self.board = board or StatusBoard()
        self.breaker = breaker or CircuitBreaker()
        self.pacer = pacer or Pacer()
        self._sleep = sleep
        self._make_client: Callable[[], httpx.Client] = lambda: httpx.Client(
            http2=True,
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            limits=httpx.Limits(max_connections=settings.NET_POOL_CONNECTIONS),
            headers={"User-Agent": user_agent()},
            follow_redirects=False,
            transport=transport,
            verify=verify,
        )
        self._built: httpx.Client | None = None
        self._build_lock = threading.Lock()

    @property
    def _client(self) -> httpx.Client:
        """The httpx client, made on first use (its TLS context loads the CA bundle: tens of
        milliseconds a process that never reaches out should not pay)."""
        with self._build_lock:
            if self._built is None:
                self._built = self._make_client()
            return self._built

    def warm_up(self) -> None:
        """Make the client in the background now (an import that will look its models up
        next: the CA bundle loads while the files are copied, not after)."""
        threading.Thread(
            target=lambda: self._client, daemon=True, name="tensorshelf-net-warm-up"
        ).start()

    # --- the guards ------------------------------------------------------------------------
    def _admit(self, url: str) -> str:
        """The host, once the offline switches and its breaker let the request go; then the
        pacer's wait is slept."""
        host = host_of(url)
        reason = offline_reason(self.offline_switch())
        if reason is not None:
            self.board.set(host, "offline", reason)
            raise Offline(f"not asking {host}: {reason}", host=host)
        allowed, why = self.breaker.allow(host)
        if not allowed:
            self.board.set(host, "offline", why)
            raise HostUnavailable(f"{host} is not answering ({why})", host=host)
        wait = self.pacer.take(host)
        if wait > 0:
            log.info("pacing %s: waiting %.1f s for its quota", host, wait)
            self._sleep(wait)
        return host

    def _failed(self, host: str, reason: str) -> None:
        """A failed round: the host is reported offline at once (the window's banner), and
        its breaker counts towards failing fast."""
        if self.breaker.failure(host, reason):
            log.warning("%s: circuit open after %s", host, reason)
        self.board.set(host, "offline", reason)

    def _answered(self, host: str, response: httpx.Response) -> float | None:
        """Record an answer: its rate-limit headers, and the host's health. The 429 pause."""
        pause = self.pacer.observe(host, response.headers, response.status_code)
        status = response.status_code
        if status >= 500:
            self._failed(host, f"HTTP {status} from {host}")
        elif status == 429:
            self.breaker.success(host)
            self.board.set(host, "degraded", f"rate limited: waiting {pause or 0:.0f} s")
        else:
            self.breaker.success(host)
            if self.pacer.low(host):
                self.board.set(host, "degraded", "less than 10 % of its quota left: half rate")
            else:
                self.board.set(host, "ok")
        return pause

    def _backoff(self, attempt: int) -> float:
        return random.uniform(
            0, min(settings.NET_RETRY_MAX_S, settings.NET_RETRY_BASE_S * 2**attempt)
        )

    # --- requests --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        form: Mapping[str, str | list[str]] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """One request (read in full), retried as the module says; the response of the last
        try is returned whatever its status — NetworkError only when none came."""
        retry = method.upper() in IDEMPOTENT if idempotent is None else idempotent
        attempts = settings.NET_RETRY_ATTEMPTS if retry else 1
        for attempt in range(attempts):
            host = self._admit(url)
            last = attempt == attempts - 1
            try:
                response = self._client.request(
                    method, url, headers=headers, params=params, json=json, data=form
                )
            except _TRANSIENT as exc:
                self._failed(host, f"{type(exc).__name__} from {host}")
                if last:
                    raise NetworkError(f"{method} {url} failed: {exc}", url=url) from exc
                self._sleep(self._backoff(attempt))
                continue
            self._answered(host, response)
            if last:
                return response
            if response.status_code in settings.NET_RETRY_STATUSES:
                self._sleep(self._backoff(attempt))
                continue
            if response.status_code == 429:
                continue  # the pacer makes the next try wait out the pause
            return response
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def stream(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None
    ) -> Iterator[httpx.Response]:
        """A streamed response (a download's body); not retried — the caller resumes."""
        host = self._admit(url)
        try:
            with self._client.stream(method, url, headers=headers) as response:
                self._answered(host, response)
                yield response
        except _TRANSIENT as exc:
            self._failed(host, f"{type(exc).__name__} from {host}")
            raise NetworkError(f"{method} {url} failed: {exc}", url=url) from exc

    def close(self) -> None:
        with self._build_lock:
            if self._built is not None:
                self._built.close()
