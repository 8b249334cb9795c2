"""FileWatch blocks until its file is written (in place or replaced) and wakes on stop()."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tensorshelf.io import inotify
from tensorshelf.io.inotify import FileWatch

pytestmark = pytest.mark.skipif(not inotify.available(), reason="inotify is Linux-only")


def _wait_in_thread(watch: FileWatch) -> tuple[threading.Thread, list[bool]]:
    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(watch.wait()))
    thread.start()
    return thread, result


def test_an_in_place_write_wakes_it(tmp_path: Path) -> None:
    target = tmp_path / "gen"
    target.write_text("0\n")
    watch = FileWatch(target)
    thread, result = _wait_in_thread(watch)
    time.sleep(0.1)
    assert thread.is_alive()
    fd = os.open(target, os.O_WRONLY)
    os.pwrite(fd, b"1\n", 0)
    os.close(fd)
    thread.join(5)
    assert result == [True]
    # replaced by rename: still watched afterwards
    (tmp_path / "new").write_text("2\n")
    os.replace(tmp_path / "new", target)
    thread, result = _wait_in_thread(watch)
    thread.join(5)
    assert result == [True]
    watch.close()


def test_stop_wakes_it(tmp_path: Path) -> None:
    target = tmp_path / "gen"
    target.write_text("0\n")
    watch = FileWatch(target)
    thread, result = _wait_in_thread(watch)
    time.sleep(0.05)
    watch.stop()
    thread.join(5)
    assert result == [False]
    watch.close()
