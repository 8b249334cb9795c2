"""Pushes EventBus events into the desktop window: `window.__tensorshelf_event(event)`.

The bus handler only appends to a bounded deque (never blocks a job or the GUI thread); one
pusher thread sends batches with `evaluate_js`, which waits on the GUI thread — so it must
never run there. Events wait until the page has installed its hook."""

from __future__ import annotations

import collections
import json
import logging
import threading
from typing import Any, Protocol

from tensorshelf import settings
from tensorshelf.jobs.events import Event, EventBus

log = logging.getLogger(__name__)

HOOK = "__tensorshelf_event"
_HOOK_RETRY_S = 0.25

# Returns how many events were delivered, or -1 when the page has no hook yet.
_SCRIPT = (
    "(function(events){var f=window." + HOOK + ";if(typeof f!=='function')return -1;"
    "for(var i=0;i<events.length;i++){try{f(events[i]);}catch(e){console.error(e);}}"
    "return events.length;})(%s)"
)


class JsWindow(Protocol):
    def evaluate_js(self, script: str) -> Any: ...


def push_script(events: list[dict[str, Any]]) -> str:
    """JavaScript delivering `events`; ensure_ascii keeps U+2028/9 and the like escaped."""
    return _SCRIPT % json.dumps(events, ensure_ascii=True, separators=(",", ":"))


class EventPusher:
    def __init__(
        self,
        window: JsWindow,
        bus: EventBus,
        batch_max: int = settings.DESKTOP_EVENT_BATCH_MAX,
        queue_max: int = settings.DESKTOP_EVENT_QUEUE_MAX,
    ) -> None:
        self._window = window
        self._batch_max = batch_max
        self._pending: collections.deque[dict[str, Any]] = collections.deque(maxlen=queue_max)
        self._cond = threading.Condition()
        self._ready = False
        self._stopped = False
        self._unsubscribe = bus.subscribe(self._on_event)
        self._thread = threading.Thread(target=self._run, name="tensorshelf-events", daemon=True)
        self._thread.start()

    def _on_event(self, event: Event) -> None:
        with self._cond:
            self._pending.append(event.as_dict())  # the deque drops the oldest when full
            self._cond.notify()

    def page_loaded(self) -> None:
        """Call when the page (and pywebview's bridge) is loaded; pushing starts."""
        with self._cond:
            self._ready = True
            self._cond.notify()

    def stop(self) -> None:
        self._unsubscribe()
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _next_batch(self) -> list[dict[str, Any]] | None:
        with self._cond:
            while not self._stopped and not (self._ready and self._pending):
                self._cond.wait()
            if self._stopped:
                return None
            count = min(len(self._pending), self._batch_max)
            return [self._pending.popleft() for _ in range(count)]

    def _requeue(self, batch: list[dict[str, Any]]) -> None:
        with self._cond:
            self._pending.extendleft(reversed(batch))
            self._cond.wait(_HOOK_RETRY_S)

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                delivered = self._window.evaluate_js(push_script(batch))
            except Exception:
                log.exception("could not push %d event(s) to the window", len(batch))
                continue
            if delivered == -1:  # the UI has not installed its hook yet
                self._requeue(batch)
