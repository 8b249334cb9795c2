"""Open a path for reading only if it is a regular file — never block on a FIFO or read a
device. The open is non-blocking (a FIFO with no writer would otherwise hang the caller for
good) and the opened descriptor is checked with fstat before a byte is read."""

from __future__ import annotations

import fcntl
import io
import os
import stat
from pathlib import Path

from tensorshelf.errors import NotRegularFile

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str]) -> io.FileIO:
    """`path` opened read-only and unbuffered; NotRegularFile for anything but a file."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except IsADirectoryError:
        raise NotRegularFile(f"{p} is a directory, not a model file", path=str(p)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(
                f"{p} is {kind_of(mode)}, not a regular file; it was not read", path=str(p)
            )
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)  # plain reads from here on
    except BaseException:
        os.close(fd)
        raise
    return io.FileIO(fd, "rb")
