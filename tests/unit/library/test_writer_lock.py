"""The writer lock in one process: re-entrant, threads queue, the holder is recorded for
waiters, a waiter hears when it starts and stops waiting, and can be cancelled."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from tensorshelf.errors import OperationCancelled
from tensorshelf.library.writer_lock import LockWait, WriterLock, lock_path, read_holder


def test_reentrant_and_the_holder_is_recorded(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path)
    with lock.hold("importing x"):
        with lock.hold("nested"):
            holder = read_holder(tmp_path)
            assert holder is not None and holder.pid == os.getpid()
            assert holder.doing == "importing x"
        assert lock.held
    assert not lock.held
    lock.close()


def test_threads_take_turns(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path)
    inside, overlaps = [0], [0]

    def work() -> None:
        for _ in range(50):
            with lock.hold("t"):
                inside[0] += 1
                if inside[0] > 1:
                    overlaps[0] += 1
                time.sleep(0.0005)
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps[0] == 0
    lock.close()


def _foreign_holder(root: Path) -> int:
    """Hold the lock through another open file description, as another process would."""
    fd = os.open(lock_path(root), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b'{"pid": 4242, "host": "elsewhere", "doing": "rebuilding", "since": "x"}', 0)
    return fd


def test_a_waiter_says_whom_it_waits_for_and_when_it_got_the_lock(tmp_path: Path) -> None:
    fd = _foreign_holder(tmp_path)
    lock = WriterLock(tmp_path)
    heard: list[LockWait] = []
    lock.on_wait(heard.append)
    got = threading.Event()

    def writer() -> None:
        with lock.hold("editing y"):
            got.set()

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.2)
    assert not got.is_set()
    assert heard and heard[0].waiting and heard[0].holder is not None
    assert "pid 4242 on elsewhere, rebuilding" in heard[0].message
    fcntl.flock(fd, fcntl.LOCK_UN)
    thread.join(5)
    assert got.is_set() and not heard[-1].waiting
    os.close(fd)
    lock.close()


def test_waiting_can_be_cancelled(tmp_path: Path) -> None:
    fd = _foreign_holder(tmp_path)
    lock = WriterLock(tmp_path)
    started = time.monotonic()
    with (
        pytest.raises(OperationCancelled),
        lock.hold("x", cancel=lambda: time.monotonic() - started > 0.1),
    ):
        pass
    with lock.hold_if_free("housekeeping") as free:
        assert free is False
    os.close(fd)
    with lock.hold_if_free("housekeeping") as free:
        assert free is True
    lock.close()
