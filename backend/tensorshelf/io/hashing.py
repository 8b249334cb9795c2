"""Hash a file once: SHA-256 and BLAKE3 computed concurrently from a single read."""

from __future__ import annotations

import os

from tensorshelf.io.pipeline import SourceFile, pump
from tensorshelf.io.sinks import hash_sinks, hashes_of
from tensorshelf.io.types import CancelToken, FileHashes, ProgressFn


def hash_file(
    path: str | os.PathLike[str],
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> FileHashes:
    """SHA-256 + BLAKE3 of `path` in one pass.

    `progress` receives byte deltas (throttled); `cancel` is checked once per buffer and
    raises OperationCancelled. Raises SourceChanged if the file changed while being read.
    """
    with SourceFile(path) as source:
        sha, b3, git = hash_sinks(source.size)
        total = pump(
            source.file,
            [sha, b3, *([git] if git else [])],
            progress=progress,
            cancel=cancel,
            expected_size=source.size,
        )
        source.ensure_unchanged(total)
    return hashes_of(sha, b3, git, total)
