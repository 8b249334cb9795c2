"""Server-sent events for web mode: one bounded queue per client, fed by the EventBus.

Each message is `data: {"type", "payload"}` (docs/API.md); comment lines keep idle
connections alive. Streams end when the client goes away or the server shuts down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from tensorshelf import settings
from tensorshelf.jobs.event_queue import EventQueue
from tensorshelf.jobs.events import EventBus

log = logging.getLogger(__name__)


class SseHub:
    """Tracks the open SSE streams of one web server so shutdown can end them."""

    def __init__(
        self,
        bus: EventBus,
        heartbeat_s: float = settings.WEB_SSE_HEARTBEAT_S,
        queue_max: int = settings.EVENT_QUEUE_MAX,
    ) -> None:
        self._bus = bus
        self._heartbeat_s = heartbeat_s
        self._queue_max = queue_max
        self._closing: asyncio.Event | None = None
        self.clients = 0  # open streams (read by tests and logs)

    def close_all(self) -> None:
        """End every open stream (call on the server's event loop)."""
        if self._closing is None:
            self._closing = asyncio.Event()
        self._closing.set()

    async def stream(self) -> AsyncIterator[bytes]:
        """The body of one `GET /api/events` response."""
        if self._closing is None:
            self._closing = asyncio.Event()
        closing = self._closing
        queue = EventQueue(self._bus, maxsize=self._queue_max)
        self.clients += 1
        log.debug("SSE client connected (%d open)", self.clients)
        stop = asyncio.ensure_future(closing.wait())
        try:
            # `retry` sets the browser's reconnect delay; the comment tells clients (and
            # tests) that the subscription is live, so nothing published from now is missed.
            yield f"retry: {settings.WEB_SSE_RETRY_MS}\n: connected\n\n".encode()
            while not closing.is_set():
                get = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait(
                    {get, stop}, timeout=self._heartbeat_s, return_when=asyncio.FIRST_COMPLETED
                )
                if get not in done:
                    get.cancel()
                    if not closing.is_set():
                        yield b": keep-alive\n\n"
                    continue
                yield f"data: {get.result().to_json()}\n\n".encode()
        finally:
            stop.cancel()
            queue.close()
            self.clients -= 1
            if queue.dropped:
                log.warning("SSE client was too slow: %d event(s) dropped", queue.dropped)
            log.debug("SSE client gone (%d open)", self.clients)
