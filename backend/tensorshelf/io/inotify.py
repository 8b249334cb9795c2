"""Wait in the kernel for one file to change: Linux inotify through libc (ctypes).

`FileWatch(path).wait()` blocks (no timer, no wake-ups: 0 % CPU while nothing happens)
until the file is written, replaced or removed, or until `stop()` is called from another
thread (a self-pipe wakes the `select`). `available()` says whether inotify can be used
here; elsewhere (not Linux, or a network filesystem that inotify cannot see into) callers
fall back to watchfiles' polling."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
import select
import sys
from pathlib import Path

log = logging.getLogger(__name__)

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVE_SELF = 0x00000800
IN_DELETE_SELF = 0x00000400
IN_IGNORED = 0x00008000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
_MASK = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF
_READ_BYTES = 64 * 1024
_EVENT_HEADER = 16  # struct inotify_event: wd, mask, cookie, len (4 × 4 bytes)

_libc: ctypes.CDLL | None = None


def _lib() -> ctypes.CDLL | None:
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        name = ctypes.util.find_library("c") or "libc.so.6"
        try:
            _libc = ctypes.CDLL(name, use_errno=True)
        except OSError:
            return None
    return _libc


def available() -> bool:
    lib = _lib()
    return lib is not None and hasattr(lib, "inotify_init1")


class FileWatch:
    def __init__(self, path: Path) -> None:
        lib = _lib()
        if lib is None:
            raise OSError(errno.ENOSYS, "inotify is not available here")
        self.path = path
        self._lib = lib
        self._fd = lib.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self._wake_r, self._wake_w = os.pipe()
        self._add()

    def _add(self) -> None:
        wd = self._lib.inotify_add_watch(self._fd, os.fsencode(self.path), _MASK)
        if wd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"cannot watch {self.path}: {os.strerror(err)}")

    def wait(self) -> bool:
        """Block until the file changed (True) or `stop()` was called (False)."""
        while True:
            ready, _, _ = select.select([self._fd, self._wake_r], [], [])
            if self._wake_r in ready:
                return False
            if self._drain():  # the file itself went away (replaced/removed): watch it anew
                try:
                    self._add()
                except OSError as exc:
                    log.warning("%s", exc)
                    return False
            return True

    def _drain(self) -> bool:
        """Read every pending event; True if the watch was dropped (file gone/replaced)."""
        dropped = False
        while True:
            try:
                data = os.read(self._fd, _READ_BYTES)
            except BlockingIOError:
                return dropped
            offset = 0
            while offset + _EVENT_HEADER <= len(data):
                mask = int.from_bytes(data[offset + 4 : offset + 8], sys.byteorder)
                name_len = int.from_bytes(data[offset + 12 : offset + 16], sys.byteorder)
                dropped |= bool(mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
                offset += _EVENT_HEADER + name_len

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def close(self) -> None:
        for fd in (self._fd, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
