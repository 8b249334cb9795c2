"""Consumers of the pipeline's buffers: the two hashers and the file writer."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
from typing import Protocol

import blake3

from tensorshelf import settings
from tensorshelf.io.types import FileHashes

try:
    import fcntl
except ImportError:  # Windows: no O_DIRECT either
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_O_DIRECT = getattr(os, "O_DIRECT", 0)  # Linux only


class Sink(Protocol):
    """Consumes the file's bytes in order. `consume` must not keep `data` after returning."""

    name: str

    def consume(self, data: memoryview) -> None: ...


class Sha256Sink:
    name = "sha256"

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def consume(self, data: memoryview) -> None:
        self._hash.update(data)  # releases the GIL for big buffers

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class GitBlobSink:
    """The git blob SHA-1 of a file of known size: sha1(b"blob <size>\\0" + bytes) — all
    the Hub lists for a file not stored in LFS."""

    name = "git_sha1"

    def __init__(self, size: int) -> None:
        self._hash = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)

    def consume(self, data: memoryview) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def hash_sinks(size: int) -> tuple[Sha256Sink, Blake3Sink, GitBlobSink | None]:
    """The hashers every read of a file feeds: SHA-256, BLAKE3, and (small files) git SHA-1."""
    git = GitBlobSink(size) if size <= settings.GIT_SHA1_MAX_BYTES else None
    return Sha256Sink(), Blake3Sink(), git


def hashes_of(sha: Sha256Sink, b3: Blake3Sink, git: GitBlobSink | None, size: int) -> FileHashes:
    return FileHashes(
        sha256=sha.hexdigest(),
        blake3=b3.hexdigest(),
        size=size,
        git_sha1=git.hexdigest() if git is not None else None,
    )


class Blake3Sink:
    name = "blake3"

    def __init__(self) -> None:
        self._hash = blake3.blake3()

    def consume(self, data: memoryview) -> None:
        self._hash.update(data)  # releases the GIL for big buffers

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _set_direct(fd: int, on: bool) -> bool:
    """Switch O_DIRECT on/off for `fd`; returns whether it is now on."""
    if not _O_DIRECT or fcntl is None:
        return False
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, (flags | _O_DIRECT) if on else (flags & ~_O_DIRECT))
    except OSError as exc:  # the filesystem does not do direct I/O
        log.debug("O_DIRECT %s refused on fd %d: %s", "on" if on else "off", fd, exc)
        return False
    return on


class FdWriterSink:
    """Writes every byte to an open file descriptor, appending from its current offset.

    With `direct` (Linux), full aligned buffers are written with O_DIRECT: DMA from our
    buffer, so no second copy through the page cache (which costs a core at these speeds)
    and no eviction of the user's cache by a 20 GB copy. An unaligned buffer (the file's
    tail) or a filesystem that refuses direct I/O falls back to ordinary buffered writes.
    The pipeline's buffers are page-aligned and full except the last one.
    """

    name = "writer"

    def __init__(self, fd: int, direct: bool | None = None) -> None:
        self._fd = fd
        want = settings.COPY_DIRECT_IO if direct is None else direct
        self._direct = _set_direct(fd, True) if want else False

    @property
    def direct(self) -> bool:
        return self._direct

    def _buffered(self) -> None:
        if self._direct:
            _set_direct(self._fd, False)
            self._direct = False

    def consume(self, data: memoryview) -> None:
        view = data
        if self._direct and len(view) % settings.DIRECT_IO_ALIGN_BYTES:
            self._buffered()
        while view:
            try:
                written = os.write(self._fd, view)
            except OSError as exc:
                if not (self._direct and exc.errno == errno.EINVAL):
                    raise
                self._buffered()  # misaligned memory/offset: write it the ordinary way
                continue
            view = view[written:]
            if self._direct and len(view) % settings.DIRECT_IO_ALIGN_BYTES:
                self._buffered()  # a short write broke the alignment
