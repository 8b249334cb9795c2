"""The shared library's lease file: taken exclusively, refreshed, released only by its
owner; a dead local process's or an expired host's lease is broken, a live one is not."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.library.lease import FileLease, lease_path
from tensorshelf.library.writer_lock import LockHolder


def _me(doing: str = "importing") -> LockHolder:
    return LockHolder.this_process(doing)


def _write(root: Path, **record: object) -> None:
    lease_path(root).write_text(json.dumps({"doing": "x", "token": "t", **record}))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_take_refresh_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "LEASE_REFRESH_S", 0.05)
    lease = FileLease(tmp_path)
    assert lease.try_acquire(_me())
    first = lease.read()
    assert first is not None and first.host == socket.gethostname()
    time.sleep(0.2)
    refreshed = lease.read()
    assert refreshed is not None and refreshed.expires_at > first.expires_at
    assert not FileLease(tmp_path).try_acquire(_me())  # someone else: it is taken
    lease.release()
    assert not lease_path(tmp_path).exists()


def test_a_dead_local_holder_is_broken(tmp_path: Path) -> None:
    _write(tmp_path, host=socket.gethostname(), pid=_dead_pid(), expires_at=time.time() + 600)
    lease = FileLease(tmp_path)
    assert not lease.try_acquire(_me())  # breaks it...
    assert lease.try_acquire(_me())  # ...and takes it next
    lease.release()


def test_an_expired_host_is_broken_a_live_one_is_not(tmp_path: Path) -> None:
    _write(tmp_path, host="other", pid=1, expires_at=time.time() + 600)
    lease = FileLease(tmp_path)
    assert not lease.try_acquire(_me()) and not lease.try_acquire(_me())
    holder = lease.current_holder()
    assert holder is not None and holder.host == "other"
    _write(tmp_path, host="other", pid=1, expires_at=time.time() - 1)
    lease.try_acquire(_me())
    assert lease.try_acquire(_me())
    lease.release()


def test_release_leaves_anothers_lease(tmp_path: Path) -> None:
    lease = FileLease(tmp_path)
    assert lease.try_acquire(_me())
    _write(tmp_path, host="other", pid=1, expires_at=time.time() + 600)  # it was broken & retaken
    lease.release()
    assert lease_path(tmp_path).exists()
