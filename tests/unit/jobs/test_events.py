"""EventBus and EventQueue: delivery, isolation of failing handlers, ordering, drop-oldest."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import pytest
from pydantic import BaseModel

from tensorshelf.jobs.event_queue import EventQueue
from tensorshelf.jobs.events import Event, EventBus
from tensorshelf.jobs.models import JobProgress
from tensorshelf.library.models import ImportProgress
from tests.fixtures.payloads import Payload


class _Inner(BaseModel):
    n: int


def test_payloads_become_plain_json_dicts() -> None:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(seen.append)
    bus.publish("a", Payload(inner=_Inner(n=3), ids=("x", "y")))
    bus.publish(
        "b",
        JobProgress(
            job_id="j",
            kind="import",
            items_done=1,
            items_total=2,
            bytes_done=3,
            bytes_total=4,
            item=ImportProgress(key="k", file="f", stage="copying"),
        ),
    )
    bus.publish("c")
    assert seen[0] == Event("a", {"inner": {"n": 3}, "ids": ["x", "y"]})
    assert seen[1].payload["item"]["stage"] == "copying"
    assert seen[1].payload["eta_s"] is None
    assert seen[2].payload == {}
    assert json.loads(seen[1].to_json()) == {"type": "b", "payload": seen[1].payload}


def test_untyped_payloads_are_rejected() -> None:
    """Events carry models: a dict (or anything else) is a programming error."""
    for untyped in ([1, 2], {"ids": ["x"]}):
        with pytest.raises(TypeError, match="pydantic model"):
            EventBus().publish("x", untyped)  # type: ignore[arg-type]


def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    seen: list[str] = []
    unsubscribe = bus.subscribe(lambda e: seen.append(e.type))
    bus.publish("one")
    unsubscribe()
    unsubscribe()  # idempotent
    bus.publish("two")
    assert seen == ["one"]
    assert bus.subscriber_count == 0


def test_failing_handler_is_logged_and_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    before: list[Event] = []
    after: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("handler bug")

    bus.subscribe(before.append)
    bus.subscribe(broken)
    bus.subscribe(after.append)
    with caplog.at_level(logging.ERROR, logger="tensorshelf.jobs.events"):
        bus.publish("x", Payload(n=1))
        bus.publish("y", Payload(n=2))
    assert [e.type for e in before] == ["x", "y"]
    assert [e.type for e in after] == ["x", "y"]
    assert sum("handler bug" in r.exc_text for r in caplog.records if r.exc_text) == 2


def test_all_subscribers_see_one_global_order_across_threads() -> None:
    bus = EventBus()
    first: list[tuple[int, int]] = []
    second: list[tuple[int, int]] = []
    bus.subscribe(lambda e: first.append((e.payload["t"], e.payload["i"])))
    bus.subscribe(lambda e: second.append((e.payload["t"], e.payload["i"])))
    per_thread = 300

    def publisher(t: int) -> None:
        for i in range(per_thread):
            bus.publish("n", Payload(t=t, i=i))

    threads = [threading.Thread(target=publisher, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert first == second
    assert len(first) == 4 * per_thread
    for t in range(4):
        assert [i for tt, i in first if tt == t] == list(range(per_thread))


def test_handler_may_publish_without_deadlock() -> None:
    bus = EventBus()
    seen: list[str] = []

    def relay(event: Event) -> None:
        seen.append(event.type)
        if event.type == "job.done":
            bus.publish("library.changed", Payload(ids=[]))

    bus.subscribe(relay)
    bus.publish("job.done", Payload())
    assert seen == ["job.done", "library.changed"]


@pytest.mark.asyncio
async def test_event_queue_receives_events_from_worker_threads() -> None:
    bus = EventBus()
    async with EventQueue(bus, maxsize=100) as queue:

        def work() -> None:
            for i in range(5):
                bus.publish("job.progress", Payload(i=i))

        await asyncio.to_thread(work)
        got = [await asyncio.wait_for(queue.get(), 5) for _ in range(5)]
        assert [e.payload["i"] for e in got] == [0, 1, 2, 3, 4]
        assert queue.dropped == 0
    assert bus.subscriber_count == 0  # the context manager unsubscribed


@pytest.mark.asyncio
async def test_event_queue_drops_oldest_when_full() -> None:
    bus = EventBus()
    queue = EventQueue(bus, maxsize=3)
    await asyncio.to_thread(lambda: [bus.publish("e", Payload(i=i)) for i in range(7)])
    for _ in range(10):  # let the loop run the call_soon_threadsafe callbacks
        await asyncio.sleep(0)
    assert queue.qsize() == 3
    assert queue.dropped == 4
    assert [queue.get_nowait().payload["i"] for _ in range(3)] == [4, 5, 6]
    it = aiter(queue)
    bus.publish("e", Payload(i=99))
    assert (await asyncio.wait_for(anext(it), 5)).payload == {"i": 99}
    queue.close()
    bus.publish("e", Payload(i=100))
    await asyncio.sleep(0)
    assert queue.qsize() == 0


def test_event_queue_of_a_closed_loop_unsubscribes_itself() -> None:
    bus = EventBus()
    loop = asyncio.new_event_loop()
    queue = EventQueue(bus, loop=loop)
    loop.close()
    bus.publish("e", Payload())  # must not raise
    assert bus.subscriber_count == 0
    assert queue.dropped == 0
