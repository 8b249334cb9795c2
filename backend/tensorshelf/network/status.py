"""Each host's network status (ok / degraded / offline, why, since when), and a listener
told of every change — the API publishes them as `network.status` events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

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
        """Record the host's state; listeners hear of a change (not of a repeat)."""
        with self._lock:
            old = self._hosts.get(host)
            if old is not None and old.state == state and (state == "ok" or old.reason == reason):
                return
            if old is None and state == "ok":
                self._hosts[host] = HostStatus(host=host, state="ok", since=_now())
                return  # the first success is not news
            status = HostStatus(host=host, state=state, reason=reason, since=_now())
            self._hosts[host] = status
        for listener in self._listeners:
            listener(status)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
