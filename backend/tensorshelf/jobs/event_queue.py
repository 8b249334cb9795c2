"""EventQueue: the bus seen from an asyncio loop (one per SSE client of web mode)."""

from __future__ import annotations

import asyncio
from typing import Self

from tensorshelf import settings
from tensorshelf.jobs.events import Event, EventBus


class EventQueue:
    """A bounded asyncio queue subscribed to a bus, for one SSE client.

    Create it inside the event loop (or pass `loop`). Events published from any thread are
    handed to the loop with `call_soon_threadsafe`; when the queue is full the oldest event
    is dropped (counted in `dropped`), so a slow client never blocks a job.

        async with EventQueue(bus) as queue:
            async for event in queue:
                ...
    """

    def __init__(
        self,
        bus: EventBus,
        maxsize: int = settings.EVENT_QUEUE_MAX,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._loop = loop or asyncio.get_running_loop()
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0
        self._closed = False
        self._unsubscribe = bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if self._closed:
            return
        try:
            self._loop.call_soon_threadsafe(self.put_nowait, event)
        except RuntimeError:  # the loop is closed: this client is gone
            self.close()

    def put_nowait(self, event: Event) -> None:
        """Enqueue (loop thread only), dropping the oldest event when full."""
        while self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    async def get(self) -> Event:
        return await self._queue.get()

    def get_nowait(self) -> Event:
        return self._queue.get_nowait()

    def qsize(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._unsubscribe()

    def __aiter__(self) -> EventQueue:
        return self

    async def __anext__(self) -> Event:
        return await self._queue.get()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
