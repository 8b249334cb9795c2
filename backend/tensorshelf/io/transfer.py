"""Rename and hard-link primitives that never replace an existing file.

EXDEV (crossing filesystems) is raised as `CrossDevice`, so the caller can copy instead.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import sys
from collections.abc import Callable

from tensorshelf.errors import CrossDevice
from tensorshelf.io.diskspace import nearest_existing

log = logging.getLogger(__name__)

_AT_FDCWD = -100  # Linux
_RENAME_NOREPLACE = 1  # Linux renameat2 flag
_RENAME_EXCL = 0x4  # macOS renamex_np flag
# renameat2 says the filesystem (or kernel) cannot do RENAME_NOREPLACE with these:
_NOREPLACE_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP}

PathArg = str | os.PathLike[str]


def _load_noreplace_rename() -> Callable[[bytes, bytes], int] | None:
    """libc's atomic no-replace rename for this platform, or None if it has none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if sys.platform.startswith("linux"):
            fn = libc.renameat2
            fn.argtypes = [
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_uint,
            ]
            fn.restype = ctypes.c_int
            return lambda s, d: fn(_AT_FDCWD, s, _AT_FDCWD, d, _RENAME_NOREPLACE)
        if sys.platform == "darwin":
            fn = libc.renamex_np
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            fn.restype = ctypes.c_int
            return lambda s, d: fn(s, d, _RENAME_EXCL)
    except (OSError, AttributeError):
        log.debug("no atomic no-replace rename in libc", exc_info=True)
    return None


# Module-level so tests can exercise the portable fallback by setting it to None.
_NOREPLACE_RENAME = None if os.name == "nt" else _load_noreplace_rename()


def _cross_device(op: str, src: PathArg, dst: PathArg, exc: OSError | None = None) -> CrossDevice:
    return CrossDevice(
        f"cannot {op} {src} to {dst}: they are on different filesystems",
        src=str(src),
        dst=str(dst),
        errno=exc.errno if exc else errno.EXDEV,
    )


def same_filesystem(a: PathArg, b: PathArg) -> bool:
    """True if `a` and `b` (or their nearest existing parents) are on the same filesystem."""
    return os.stat(nearest_existing(a)).st_dev == os.stat(nearest_existing(b)).st_dev


def rename_no_replace(src: PathArg, dst: PathArg) -> None:
    """Rename `src` (file or directory) to `dst`, failing with FileExistsError if `dst` exists.

    Atomic via renameat2(RENAME_NOREPLACE) / renamex_np(RENAME_EXCL) where the filesystem
    supports it; elsewhere a check-then-rename (Windows' rename never replaces anyway).
    Raises CrossDevice if they are on different filesystems.
    """
    if _NOREPLACE_RENAME is not None:
        if _NOREPLACE_RENAME(os.fsencode(src), os.fsencode(dst)) == 0:
            return
        err = ctypes.get_errno()
        if err == errno.EXDEV:
            raise _cross_device("rename", src, dst)
        if err not in _NOREPLACE_UNSUPPORTED:
            raise OSError(err, os.strerror(err), str(src), None, str(dst))
        log.debug("atomic no-replace rename unsupported for %s; falling back", dst)
    _rename_checked(src, dst)


def _rename_checked(src: PathArg, dst: PathArg) -> None:
    if os.name != "nt" and os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(src), None, str(dst))
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            raise _cross_device("rename", src, dst, exc) from exc
        raise


def hardlink(src: PathArg, dst: PathArg) -> None:
    """Create `dst` as a hard link to `src` (never replaces). CrossDevice on EXDEV."""
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            raise _cross_device("hard-link", src, dst, exc) from exc
        raise


__all__ = ["hardlink", "rename_no_replace", "same_filesystem"]
