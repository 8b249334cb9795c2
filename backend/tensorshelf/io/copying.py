"""Copy a file once while hashing it: reader -> (sha256, blake3, writer) threads."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.diskspace import disk_full_error, ensure_free_space
from tensorshelf.io.pipeline import SourceFile, pump
from tensorshelf.io.sinks import FdWriterSink, hash_sinks, hashes_of
from tensorshelf.io.types import CancelToken, FileHashes, ProgressFn

log = logging.getLogger(__name__)

_DISK_FULL_ERRNOS = {errno.ENOSPC} | ({errno.EDQUOT} if hasattr(errno, "EDQUOT") else set())
_CREATE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)
_NEW_FILE_MODE = 0o666  # the umask applies, as for any new file


def copy_with_hashes(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> FileHashes:
    """Copy `src` to the new file `dst` (must not exist) and return both hashes of the bytes.

    Every source byte is read once. `dst` is fsynced (and its directory) before returning.
    On any error or cancel the partial `dst` is removed and the error raised: DiskFull on
    ENOSPC/EDQUOT, OperationCancelled, SourceChanged if `src` changed meanwhile, else
    OSError. `src` is only ever read. Only bytes are copied (no mode, times or xattrs).
    """
    dst_path = Path(dst)
    with SourceFile(src) as source:
        ensure_free_space(dst_path.parent, source.size)
        fd = os.open(dst_path, _CREATE_FLAGS, _NEW_FILE_MODE)  # FileExistsError if present
        created = os.fstat(fd)
        try:
            try:
                sha, b3, git = hash_sinks(source.size)
                total = pump(
                    source.file,
                    [sha, b3, *([git] if git else []), FdWriterSink(fd)],
                    progress=progress,
                    cancel=cancel,
                    expected_size=source.size,
                )
                source.ensure_unchanged(total)
                os.fsync(fd)
            finally:
                os.close(fd)
            fsync_dir(dst_path.parent)
        except BaseException as exc:
            _discard_partial(dst_path, created)
            if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
                raise disk_full_error(dst_path.parent, source.size) from exc
            raise
    return hashes_of(sha, b3, git, total)


def _discard_partial(dst: Path, created: os.stat_result) -> None:
    """Remove the file we created at `dst` — and only that file, never a stranger's."""
    try:
        current = os.lstat(dst)
        if (current.st_dev, current.st_ino) == (created.st_dev, created.st_ino):
            os.unlink(dst)
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("could not remove partial copy %s", dst, exc_info=True)
