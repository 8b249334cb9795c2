"""Each host's network status (ok / degraded / offline, why, since when), and a listener
told of every change — the API publishes them as `network.status` events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from tensorshelf import settings

HostState = Literal["ok", "degraded", "offline"]


class HostStatus(BaseModel):
    host: str
    state: HostState
    reason: str = ""
    since: str  # ISO-8601 UTC


StatusListener = Callable[[HostStatus], None]


class StatusBoard:
    def __init__(self) -> None:
        self._hosts: dict[str, HostStatus] = {}
        self._told: dict[str, float] = {}  # host → when its state was last told (monotonic)
        self._listeners: list[StatusListener] = []
        self._lock = threading.Lock()

    def listen(self, listener: StatusListener) -> Callable[[], None]:
        self._listeners = [*self._listeners, listener]

        def remove() -> None:
            self._listeners = [x for x in self._listeners if x is not listener]

        return remove

    def get(self, host: str) -> HostStatus | None:
        return self._hosts.get(host)

    def all(self) -> list[HostStatus]:
        return list(self._hosts.values())

    def set(self, host: str, state: HostState, reason: str = "") -> None:
        """Record the host's state; listeners hear of a change. A trouble that goes on is
        told again at most every NET_STATUS_REPEAT_S (a window that connected after the
        first telling learns it at the next failed round); "ok" is never repeated."""
        now = time.monotonic()
        with self._lock:
            old = self._hosts.get(host)
            same = (
                old is not None and old.state == state and (state == "ok" or old.reason == reason)
            )
            if same and (
                state == "ok" or now - self._told.get(host, 0.0) < settings.NET_STATUS_REPEAT_S
            ):
                return
            if old is None and state == "ok":
                self._hosts[host] = HostStatus(host=host, state="ok", since=_now())
                return  # the first success is not news
            since = old.since if same and old is not None else _now()
            status = HostStatus(host=host, state=state, reason=reason, since=since)
            self._hosts[host] = status
            self._told[host] = now
        for listener in self._listeners:
            listener(status)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
