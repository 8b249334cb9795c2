"""ProgressTracker (throttling, byte aggregation, rate/ETA) and the job Gate."""

from __future__ import annotations

import threading

import pytest

from tensorshelf import settings
from tensorshelf.io.types import CancelToken
from tensorshelf.jobs.gate import Gate
from tensorshelf.jobs.models import JobProgress
from tensorshelf.jobs.progress import ProgressTracker
from tensorshelf.library.models import ImportProgress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _tracker(clock: Clock, sink: list[JobProgress]) -> ProgressTracker:
    return ProgressTracker("j1", "import", sink.append, clock=clock)


def _p(stage: str, done: int, total: int = 100, file: str = "a.safetensors") -> ImportProgress:
    return ImportProgress(
        key="/src/a",
        file=file,
        stage=stage,
        bytes_done=done,  # type: ignore[arg-type]
        bytes_total=total,
    )


def test_byte_updates_are_throttled_but_stage_changes_are_not(clock: Clock) -> None:
    sink: list[JobProgress] = []
    t = _tracker(clock, sink)
    t.set_totals(1, 100)
    t.start_item(100, "/src/a")
    t.on_import_progress(_p("copying", 0))  # new stage: published
    for done in range(1, 50):  # within one interval: throttled away
        clock.now += settings.JOB_EVENT_MIN_INTERVAL_S / 100
        t.on_import_progress(_p("copying", done))
    assert len(sink) == 1
    clock.now += settings.JOB_EVENT_MIN_INTERVAL_S
    t.on_import_progress(_p("copying", 60))
    assert len(sink) == 2 and sink[-1].bytes_done == 60
    t.on_import_progress(_p("publishing", 100))  # stage change: at once
    assert len(sink) == 3 and sink[-1].item is not None and sink[-1].item.stage == "publishing"
    t.finish_item("/src/a")  # item boundary: at once
    assert len(sink) == 4
    assert (sink[-1].items_done, sink[-1].bytes_done, sink[-1].item) == (1, 100, None)


def test_bytes_are_summed_per_file_and_never_go_backwards(clock: Clock) -> None:
    sink: list[JobProgress] = []
    t = _tracker(clock, sink)
    t.set_totals(2, 300)
    t.skip(1, 100)  # an item done by an earlier run
    t.start_item(200, "/src/a")
    t.on_import_progress(_p("copying", 80, 100, "shard-1"))
    t.on_import_progress(_p("copying", 50, 100, "shard-2"))
    t.on_import_progress(_p("verifying", 10, 100, "shard-1"))  # re-reading: no regression
    t.on_import_progress(_p("copying", 500, 100, "shard-2"))  # capped at the file's size
    assert t.bytes_done == 100 + 80 + 100
    t.finish_item("/src/a")
    assert t.bytes_done == 300 and t.items_done == 2


def test_rate_and_eta_exclude_bytes_done_by_an_earlier_run(clock: Clock) -> None:
    sink: list[JobProgress] = []
    t = _tracker(clock, sink)
    t.set_totals(3, 3000)
    t.skip(1, 1000)
    t.start_item(1000, "/src/a")
    clock.now += 2.0
    t.on_import_progress(_p("copying", 500, 1000))
    snap = t.snapshot()
    assert snap.rate_bps == pytest.approx(250.0)  # 500 bytes in 2 s, not 1500
    assert snap.eta_s == pytest.approx(1500 / 250.0)
    fresh = _tracker(clock, [])
    assert fresh.snapshot().rate_bps == 0.0 and fresh.snapshot().eta_s is None


def test_items_under_way_at_once_are_summed_and_finish_independently(clock: Clock) -> None:
    """An import streams several files at once: each item's bytes count while it runs, and
    finishing one does not touch the other's."""
    sink: list[JobProgress] = []
    t = _tracker(clock, sink)
    t.set_totals(2, 300)
    t.start_item(100, "/src/a")
    t.start_item(200, "/src/b")
    t.on_import_progress(_p("copying", 60))
    t.on_import_progress(
        ImportProgress(
            key="/src/b", file="b.safetensors", stage="copying", bytes_done=150, bytes_total=200
        )  # fmt: skip
    )
    assert t.bytes_done == 60 + 150
    t.finish_item("/src/a")
    assert (t.items_done, t.bytes_done) == (1, 100 + 150)
    t.finish_item("/src/b")
    assert (t.items_done, t.bytes_done) == (2, 300)


def test_byte_deltas_and_item_counts(clock: Clock) -> None:
    sink: list[JobProgress] = []
    t = ProgressTracker("j2", "verify", sink.append, clock=clock)
    t.set_totals(2, 40)
    t.start_item(30)
    for _ in range(5):
        t.on_bytes(10)  # more than the item's size: capped
    assert t.bytes_done == 30
    assert len(sink) == 1  # first update publishes, the rest are within the interval
    t.set_items(5, 9)
    assert (t.items_done, t.items_total) == (5, 9)


def test_gate_is_first_come_first_served_and_cancellable() -> None:
    gate = Gate("disk")
    free = CancelToken()
    assert gate.acquire("a", free)
    order: list[str] = []
    tokens = {name: CancelToken() for name in "bcd"}

    def waiter(name: str) -> None:
        if gate.acquire(name, tokens[name]):
            order.append(name)
            gate.release(name)
        else:
            order.append(f"{name}:cancelled")

    threads = []
    for name in "bcd":
        th = threading.Thread(target=waiter, args=(name,))
        th.start()
        threads.append(th)
        while name not in gate.waiting:  # queue them in a known order
            threading.Event().wait(0.001)
    tokens["c"].cancel()
    gate.wake()
    threads[1].join(5)
    assert order == ["c:cancelled"]
    assert gate.holder == "a"
    gate.release("a")
    for th in threads:
        th.join(5)
    assert order == ["c:cancelled", "b", "d"]
    assert gate.holder is None and gate.waiting == []
    cancelled = CancelToken()
    cancelled.cancel()
    assert not gate.acquire("e", cancelled)  # a cancelled job never takes the gate


def test_a_listener_may_read_the_tracker_while_it_publishes(clock: Clock) -> None:
    holder: dict[str, ProgressTracker] = {}
    seen: list[int] = []

    def listener(progress: JobProgress) -> None:  # what runner.get() does from a handler
        seen.append(holder["t"].snapshot().bytes_done)
        if len(seen) == 1:
            holder["t"].on_bytes(0)  # and even report more progress (re-entrant)

    t = ProgressTracker("j3", "verify", listener, clock=clock)
    holder["t"] = t
    done = threading.Event()

    def work() -> None:
        t.set_totals(1, 10)
        t.start_item(10)
        t.publish()
        clock.now += 1
        t.on_bytes(4)
        done.set()

    threading.Thread(target=work, daemon=True).start()
    assert done.wait(5), "tracker deadlocked on a re-entrant listener"
    assert seen[-1] == 4
