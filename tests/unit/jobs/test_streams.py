"""StreamedBatch: items start in order, run at most `streams` at once per drive, come back
as they finish, and stop starting once cancelled."""

from __future__ import annotations

import threading
import time

import pytest

from tensorshelf import settings
from tensorshelf.errors import OperationCancelled
from tensorshelf.io.types import CancelToken
from tensorshelf.jobs.streams import DriveStreams, StreamedBatch

HOLD_S = 0.15  # long enough for a second worker to start, if one may


class Probe:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.started: list[int] = []

    def work(self, item: int) -> int:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.started.append(item)
        time.sleep(HOLD_S)
        with self.lock:
            self.running -= 1
        return item * 10


@pytest.mark.parametrize("streams", [1, 2])
def test_at_most_the_drives_streams_run_at_once(monkeypatch: pytest.MonkeyPatch,
                                                streams: int) -> None:  # fmt: skip
    monkeypatch.setenv(settings.ENV_IO_STREAMS, str(streams))
    probe = Probe()
    batch = StreamedBatch(probe.work, lambda item: {7}, DriveStreams(cores=4), CancelToken())
    done = {item: future.result() for item, future in batch.results(list(range(6)))}
    assert done == {i: i * 10 for i in range(6)}
    assert probe.peak == streams
    assert probe.started[:streams] == list(range(streams))  # in order


def test_two_drives_each_take_their_own_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.ENV_IO_STREAMS, "1")
    probe = Probe()
    # items alternate between drive 1 and drive 2, one stream each: one runs on each
    batch = StreamedBatch(probe.work, lambda i: {1 + i % 2}, DriveStreams(cores=4), CancelToken())
    list(batch.results(list(range(4))))
    assert probe.peak == 2  # one on each drive at a time


def test_nothing_new_starts_once_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.ENV_IO_STREAMS, "1")
    cancel = CancelToken()
    probe = Probe()

    def work(item: int) -> int:
        if item == 1:
            cancel.cancel()
        return probe.work(item)

    batch = StreamedBatch(work, lambda i: {3}, DriveStreams(cores=2), cancel)
    seen = [item for item, _ in batch.results(list(range(5)))]
    assert seen == [0, 1]  # item 1 was under way; 2.. never started
    assert probe.started == [0, 1]


def test_an_item_shares_the_library_drive_with_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sources on two drives, one library drive with one stream: one item at a time."""
    monkeypatch.setenv(settings.ENV_IO_STREAMS, "1")
    probe = Probe()
    batch = StreamedBatch(
        probe.work, lambda i: {1 + i % 2, 9}, DriveStreams(cores=4), CancelToken()
    )
    list(batch.results(list(range(4))))
    assert probe.peak == 1 and probe.started == [0, 1, 2, 3]


def test_an_item_waiting_for_its_stream_gives_up_when_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(settings.ENV_IO_STREAMS, "1")
    cancel = CancelToken()

    def work(item: int) -> int:
        cancel.cancel()  # the second item, queued behind this one, must not run
        time.sleep(HOLD_S)
        return item

    batch = StreamedBatch(work, lambda i: {3}, DriveStreams(cores=2), cancel)
    outcomes = dict(batch.results([0, 1]))
    assert outcomes[0].result() == 0
    assert 1 not in outcomes or isinstance(outcomes[1].exception(), OperationCancelled)
