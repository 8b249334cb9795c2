"""Crash-safe file replacement: temp file in the same dir + fsync + os.replace + dir fsync."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)

_TEMP_TOKEN_BYTES = 6
_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)
_NEW_FILE_MODE = 0o666  # the umask applies
_JSON_INDENT = 2
# Filesystems that cannot fsync a directory say so with one of these; that is not an error.
_DIR_FSYNC_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES}


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Make a directory's entries (new names, renames) durable. No-op where unsupported."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _DIR_FSYNC_UNSUPPORTED:
            raise
        log.debug("fsync of directory %s not supported: %s", path, exc)
    finally:
        os.close(fd)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, mode: int | None = None) -> None:
    """Replace `path` with `data` so that readers (and a crash) see the old or the new bytes.
    `mode`: the new file's permission bits (a user's file keeps its own), else the umask's."""
    target = Path(path)
    temp = target.with_name(f".{target.name}.tmp-{secrets.token_hex(_TEMP_TOKEN_BYTES)}")
    fd = os.open(temp, _TEMP_FLAGS, _NEW_FILE_MODE)
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_dir(target.parent)


def to_json_bytes(obj: Any) -> bytes:
    """UTF-8 JSON, indent 2, non-ASCII kept as is, trailing newline. Pydantic models allowed."""
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json")
    text = json.dumps(obj, indent=_JSON_INDENT, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> None:
    """Atomically replace `path` with `obj` as JSON (see `to_json_bytes`)."""
    write_bytes_atomic(path, to_json_bytes(obj))
