"""The writer lock's second half on a shared (network or FUSE) library: a lease file.

`flock` on NFS/SMB may not be seen by other machines, so whoever holds the writer lock there
also holds `<library>/.tensorshelf-lease`, made with O_CREAT|O_EXCL and holding host, pid and
an expiry that a thread refreshes while it is held. A lease left by a process that died
(same host, pid gone) or by a host that stopped refreshing it (expired) is broken; a live
one from another machine is waited for. Clocks of the machines must roughly agree (the
expiry is wall-clock time; LEASE_TTL_S leaves ample slack)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from tensorshelf import settings
from tensorshelf.errors import OperationCancelled
from tensorshelf.io.processes import pid_alive
from tensorshelf.library.writer_lock import LockHolder

log = logging.getLogger(__name__)


class LeaseRecord(BaseModel):
    host: str
    pid: int
    doing: str
    token: str
    expires_at: float  # seconds since the epoch


def lease_path(root: Path) -> Path:
    return root / settings.LEASE_FILE


class FileLease:
    def __init__(self, root: Path) -> None:
        self.path = lease_path(root)
        self._token: str | None = None
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None

    # --- reading -------------------------------------------------------------------------
    def read(self) -> LeaseRecord | None:
        try:
            return LeaseRecord.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValidationError, json.JSONDecodeError):
            return None

    def current_holder(self) -> LockHolder | None:
        record = self.read()
        if record is None:
            return None
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.expires_at))
        return LockHolder(pid=record.pid, host=record.host, doing=record.doing, since=since)

    def is_stale(self, record: LeaseRecord | None) -> bool:
        if record is None:
            return True  # unreadable (torn write by a killed process): treat as stale
        if record.host == platform.node() and not pid_alive(record.pid):
            return True
        return time.time() > record.expires_at

    # --- taking and giving back ------------------------------------------------------------
    def try_acquire(self, holder: LockHolder) -> bool:
        token = secrets.token_hex(8)
        record = LeaseRecord(
            host=holder.host,
            pid=holder.pid,
            doing=holder.doing,
            token=token,
            expires_at=time.time() + settings.LEASE_TTL_S,
        )
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            current = self.read()
            if self.is_stale(current):
                self._break(current)
            return False
        try:
            os.write(fd, record.model_dump_json().encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        self._token = token
        self._start_refresher(record)
        return True

    def acquire(self, holder: LockHolder, should_stop: Callable[[], bool]) -> None:
        while not self.try_acquire(holder):
            if should_stop():
                raise OperationCancelled("cancelled while waiting for another machine's lease")
            time.sleep(settings.LEASE_RETRY_S)

    def release(self) -> None:
        self._stop.set()
        if self._refresher is not None:
            self._refresher.join(timeout=settings.LEASE_REFRESH_S)
            self._refresher = None
        current = self.read()
        if current is not None and current.token == self._token:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        self._token = None

    def _break(self, stale: LeaseRecord | None) -> None:
        """Remove a stale lease — only if it is still the one judged stale."""
        if self.read() != stale:
            return
        log.warning(
            "breaking a stale writer lease%s",
            f" of {stale.host} pid {stale.pid} ({stale.doing})" if stale else "",
        )
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _start_refresher(self, record: LeaseRecord) -> None:
        self._stop = threading.Event()

        def refresh() -> None:
            while not self._stop.wait(settings.LEASE_REFRESH_S):
                record.expires_at = time.time() + settings.LEASE_TTL_S
                try:
                    tmp = self.path.with_name(f".{self.path.name}.tmp-{record.token}")
                    tmp.write_bytes(record.model_dump_json().encode())
                    os.replace(tmp, self.path)
                except OSError as exc:
                    log.warning("could not refresh the writer lease %s: %s", self.path, exc)

        self._refresher = threading.Thread(target=refresh, name="tensorshelf-lease", daemon=True)
        self._refresher.start()
