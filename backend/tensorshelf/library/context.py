"""What every library operation shares: the root, its index, the hash cache, the lock that
serialises metadata rewrites within this process, and the crash-test pause points."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from tensorshelf.io.hash_cache import HashCache
from tensorshelf.library.index.store import Index
from tensorshelf.library.pause import NO_PAUSE, PausePoints


@dataclass
class LibraryContext:
    library_root: Path
    index: Index
    hash_cache: HashCache | None = None
    write_lock: threading.RLock = field(default_factory=threading.RLock)  # metadata rewrites
    pause: PausePoints = NO_PAUSE
