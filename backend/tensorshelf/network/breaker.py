"""A circuit breaker per host: after `failures` consecutive connect errors, timeouts or 5xx
it opens for `cooldown_s`, and while open a call fails at once without I/O; after the cool-down
one probe goes through (half-open) — success closes it, failure reopens it at once. It lives
in the process (a new process starts closed)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tensorshelf import settings

BreakerState = Literal["closed", "open", "half_open"]


@dataclass
class _Host:
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False
    reason: str = ""


class CircuitBreaker:
    def __init__(
        self,
        failures: int = settings.NET_BREAKER_FAILURES,
        cooldown_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`cooldown_s`: NET_BREAKER_COOLDOWN_S unless given (or set by ENV_BREAKER_COOLDOWN)."""
        self.failures, self._clock = failures, clock
        self.cooldown_s = cooldown_s if cooldown_s is not None else _default_cooldown_s()
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def state(self, host: str) -> BreakerState:
        with self._lock:
            return self._state(self._hosts.get(host) or _Host())

    def _state(self, h: _Host) -> BreakerState:
        if h.opened_at is None:
            return "closed"
        if self._clock() - h.opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def allow(self, host: str) -> tuple[bool, str]:
        """May a request go to `host` now? (False with the reason while open, or while the
        half-open probe is out.)"""
        with self._lock:
            h = self._hosts.setdefault(host, _Host())
            state = self._state(h)
            if state == "closed":
                return True, ""
            if state == "half_open" and not h.probing:
                h.probing = True
                return True, ""
            wait = max(0.0, self.cooldown_s - (self._clock() - (h.opened_at or 0.0)))
            return False, f"{h.reason}; trying again in {wait:.0f} s"

    def success(self, host: str) -> bool:
        """Record a success; True when this closed an open circuit."""
        with self._lock:
            h = self._hosts.setdefault(host, _Host())
            was_open = h.opened_at is not None
            h.failures, h.opened_at, h.probing, h.reason = 0, None, False, ""
            return was_open

    def failure(self, host: str, reason: str) -> bool:
        """Record a failure; True when this opened (or reopened) the circuit."""
        with self._lock:
            h = self._hosts.setdefault(host, _Host())
            h.failures += 1
            h.reason = reason
            if h.probing or (h.opened_at is None and h.failures >= self.failures):
                h.opened_at, h.probing = self._clock(), False
                return True
            return False


def _default_cooldown_s() -> float:
    try:
        return float(os.environ[settings.ENV_BREAKER_COOLDOWN])
    except (KeyError, ValueError):
        return settings.NET_BREAKER_COOLDOWN_S
