"""Pacing per host from what the host says about its quota: the IETF draft headers
`RateLimit: "api";r=<remaining>;t=<seconds to reset>` and
`RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window s>` (sent by the Hub on every
response), else `Retry-After`, else a configured default (the anonymous Hub: 500 per 5 min).

A token bucket per host: `quota` tokens refilled over `window`; each request takes one (two
while fewer than 10 % are left — the rate halves, and the host is reported degraded). A
`RateLimit` header sets the tokens to `r` and the next refill to `t`; a 429 pauses the host
until the reset. `delay()` says how long the next request must wait; nothing sleeps here."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tensorshelf import settings

_PARAM = re.compile(r"^\s*([a-z]+)\s*=\s*([0-9.]+)\s*$")


@dataclass(frozen=True)
class Limit:
    """One parsed item: its name (the bucket) and its numeric parameters."""

    name: str
    params: dict[str, float]


def parse_limits(header: str | None) -> list[Limit]:
    """The items of a `RateLimit` / `RateLimit-Policy` header (malformed parts are skipped)."""
    out: list[Limit] = []
    for item in (header or "").split(","):
        name, params = "", {}
        for token in item.split(";"):
            token = token.strip()
            found = _PARAM.match(token)
            if found:
                params[found.group(1)] = float(found.group(2))
            elif token.startswith('"') and token.endswith('"') and len(token) >= 2:
                name = token[1:-1]  # the last quoted token names the bucket
        if params:
            out.append(Limit(name, params))
    return out


def retry_after_s(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # the HTTP-date form: not used by the Hub


@dataclass
class _Bucket:
    quota: float
    window_s: float
    tokens: float
    stamp: float
    paused_until: float = 0.0

    @property
    def rate(self) -> float:
        return self.quota / self.window_s


class Pacer:
    def __init__(
        self,
        quota: int = settings.NET_DEFAULT_QUOTA,
        window_s: float = settings.NET_DEFAULT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default_quota, self.default_window_s, self._clock = quota, window_s, clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, host: str) -> _Bucket:
        b = self._buckets.get(host)
        if b is None:
            now = self._clock()
            b = self._buckets[host] = _Bucket(
                float(self.default_quota), self.default_window_s, float(self.default_quota), now
            )
        return b

    def _refill(self, b: _Bucket, now: float) -> None:
        b.tokens = min(b.quota, b.tokens + (now - b.stamp) * b.rate)
        b.stamp = now

    def low(self, host: str) -> bool:
        """Fewer than NET_LOW_REMAINING of the quota left (the rate is halved)."""
        with self._lock:
            b = self._bucket(host)
            return b.tokens < b.quota * settings.NET_LOW_REMAINING

    def take(self, host: str) -> float:
        """Take the next request's tokens; seconds to wait before sending it (0: now)."""
        with self._lock:
            b = self._bucket(host)
            now = self._clock()
            self._refill(b, now)
            cost = 2.0 if b.tokens < b.quota * settings.NET_LOW_REMAINING else 1.0
            wait = max(0.0, b.paused_until - now)
            if b.tokens < cost:
                wait = max(wait, (cost - b.tokens) / b.rate)
            b.tokens -= cost
            return wait

    def observe(self, host: str, headers: Mapping[str, str], status: int) -> float | None:
        """Learn from a response's headers; for a 429, the pause (seconds) now in force."""
        with self._lock:
            b = self._bucket(host)
            now = self._clock()
            for policy in parse_limits(headers.get("ratelimit-policy")):
                q, w = policy.params.get("q"), policy.params.get("w")
                if q and w:
                    b.quota, b.window_s = q, w
            reset: float | None = None
            for limit in parse_limits(headers.get("ratelimit")):
                if "r" in limit.params:
                    b.tokens, b.stamp = limit.params["r"], now
                if "t" in limit.params:
                    reset = limit.params["t"]
            if status != 429:
                return None
            pause = reset if reset is not None else retry_after_s(headers.get("retry-after"))
            if pause is None:
                pause = b.window_s
            pause = min(pause, settings.NET_MAX_PAUSE_S)
            b.tokens, b.stamp = 0.0, now
            b.paused_until = max(b.paused_until, now + pause)
            return pause
