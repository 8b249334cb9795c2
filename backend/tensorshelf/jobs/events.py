"""The event bus: jobs and services publish `{type, payload}` events; the desktop window,
the SSE endpoint and the CLI subscribe. Nothing polls (DESIGN.md invariant 6)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    type: str
    payload: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "payload": self.payload}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":"))


EventHandler = Callable[[Event], None]
Unsubscribe = Callable[[], None]


def _jsonable_payload(payload: BaseModel | None) -> dict[str, Any]:
    """Events carry typed payloads (the models of api/events_schema.py): never ad-hoc dicts."""
    if payload is None:
        return {}
    if not isinstance(payload, BaseModel):
        raise TypeError(f"event payload must be a pydantic model, not {type(payload).__name__}")
    return payload.model_dump(mode="json")


class EventBus:
    """Thread-safe publish/subscribe. Handlers run synchronously in the publishing thread,
    one publish at a time, so every subscriber sees all events in one global order.
    Handlers must therefore be quick and must not block (hand off to a queue, as
    `EventQueue` does). A handler that raises is logged and the others still run."""

    def __init__(self) -> None:
        self._handlers: list[EventHandler] = []
        self._handlers_lock = threading.Lock()
        self._dispatch_lock = threading.RLock()  # re-entrant: a handler may publish

    def subscribe(self, handler: EventHandler) -> Unsubscribe:
        with self._handlers_lock:
            self._handlers = [*self._handlers, handler]

        def unsubscribe() -> None:
            with self._handlers_lock:
                self._handlers = [h for h in self._handlers if h is not handler]

        return unsubscribe

    @property
    def subscriber_count(self) -> int:
        return len(self._handlers)

    def publish(self, type: str, payload: BaseModel | None = None) -> Event:
        event = Event(type, _jsonable_payload(payload))
        with self._dispatch_lock:
            for handler in self._handlers:  # a snapshot: (un)subscribing replaces the list
                try:
                    handler(event)
                except Exception:
                    log.exception("event handler %r failed on %s", handler, type)
        return event
