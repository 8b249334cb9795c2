"""What every library operation shares: the root, its index, the hash cache, the library's
writer lock (one writer at a time, across processes) and the crash-test pause points."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tensorshelf.io.hash_cache import HashCache
from tensorshelf.library.index.store import Index
from tensorshelf.library.pause import NO_PAUSE, PausePoints
from tensorshelf.library.writer_lock import WriterLock


@dataclass
class LibraryContext:
    library_root: Path
    index: Index
    writer: WriterLock
    hash_cache: HashCache | None = None
    pause: PausePoints = NO_PAUSE
