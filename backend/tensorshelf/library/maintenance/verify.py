"""Re-hash a model's files and compare them with its metadata.json.

Without `full`, a file whose (device, inode, size, mtime_ns) has an entry in the hash cache
carrying the expected hashes is reported "cached" and not read. A cache entry that
disagrees is never trusted for a verdict: the file is re-read. With `full` every file is
re-read and the cache refreshed. The verdict is recorded in the model's metadata.json
(`integrity`, see `integrity_of`) so the list can show what needs attention."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from tensorshelf.errors import SourceChanged
from tensorshelf.io.hash_cache import HashCache
from tensorshelf.io.hashing import hash_file
from tensorshelf.io.types import CancelToken, FileHashes, ProgressFn
from tensorshelf.library.metadata.document import (
    FileEntry,
    Integrity,
    IntegrityFile,
    IntegrityState,
    ModelMetadata,
    utc_now,
)
from tensorshelf.library.metadata.files import unsafe_file_path
from tensorshelf.library.models import FileStatus, FileVerification, ModelVerification

log = logging.getLogger(__name__)


def _matches(entry: FileEntry, hashes: FileHashes) -> bool:
    """Size, SHA-256 and BLAKE3 agree (an entry without its BLAKE3 yet: size and SHA-256)."""
    return (
        hashes.size == entry.size
        and hashes.sha256 == entry.sha256.lower()
        and (entry.blake3 is None or hashes.blake3 == entry.blake3.lower())
    )


class _Verifier:
    def __init__(
        self,
        model_dir: Path,
        hash_cache: HashCache,
        full: bool,
        on_progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> None:
        self.model_dir = model_dir
        self.cache = hash_cache
        self.full = full
        self.on_progress = on_progress
        self.cancel = cancel
        self.bytes_read = 0

    def _skip(self, entry: FileEntry) -> None:
        """Account for a file not read, so progress still sums to the model's size."""
        if self.on_progress is not None and entry.size:
            self.on_progress(entry.size)

    def _result(
        self, entry: FileEntry, status: FileStatus, actual: FileHashes | None = None
    ) -> FileVerification:
        return FileVerification(
            path=entry.path,
            ok=status in ("ok", "cached"),
            status=status,
            expected_sha256=entry.sha256,
            actual_sha256=actual.sha256 if actual else None,
            actual_blake3=actual.blake3 if actual else None,
        )

    def file(self, entry: FileEntry) -> FileVerification:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        if unsafe_file_path(entry.path):
            self._skip(entry)
            return self._result(entry, "missing")
        path = self.model_dir / entry.path
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            self._skip(entry)
            return self._result(entry, "missing")
        if st.st_size != entry.size:  # cannot match: no need to read it
            self._skip(entry)
            log.warning("verify %s: size %d, expected %d", path, st.st_size, entry.size)
            return self._result(entry, "mismatch")
        if not self.full:
            cached = self.cache.get(path)
            if cached is not None and _matches(entry, cached):
                self._skip(entry)
                return self._result(entry, "cached", cached)
        try:
            hashes = hash_file(path, progress=self.on_progress, cancel=self.cancel)
        except (SourceChanged, OSError) as exc:
            log.warning("verify %s: cannot hash: %s", path, exc)
            return self._result(entry, "mismatch")
        self.bytes_read += hashes.size
        try:
            self.cache.put(path, hashes, stat=st)
        except OSError as exc:
            log.debug("not caching %s: %s", path, exc)
        if _matches(entry, hashes):
            return self._result(entry, "ok", hashes)
        log.warning(
            "verify %s: hash mismatch (sha256 %s, expected %s)", path, hashes.sha256, entry.sha256
        )
        return self._result(entry, "mismatch", hashes)


def verify_model(
    model_dir: Path,
    meta: ModelMetadata,
    hash_cache: HashCache,
    full: bool,
    on_progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ModelVerification:
    """Check every file listed in `meta` against the bytes in `model_dir`."""
    verifier = _Verifier(Path(model_dir), hash_cache, full, on_progress, cancel)
    files = [verifier.file(entry) for entry in meta.files]
    return ModelVerification(
        id=meta.id,
        path=meta.path,
        ok=all(f.ok for f in files),
        files=files,
        bytes_read=verifier.bytes_read,
    )


def fill_blake3(meta: ModelMetadata, verification: ModelVerification) -> None:
    """Record the BLAKE3 a verify computed for files that had none yet (adopted ones)."""
    found = {f.path: f.actual_blake3 for f in verification.files if f.ok and f.actual_blake3}
    for entry in meta.files:
        if entry.blake3 is None and entry.path in found:
            entry.blake3 = found[entry.path]
    if meta.hashes is not None and meta.hashes.blake3 is None:
        primary = next((f for f in meta.files if f.sha256 == meta.hashes.sha256), None)
        meta.hashes.blake3 = primary.blake3 if primary is not None else None


def integrity_of(verification: ModelVerification) -> Integrity:
    """The verdict recorded in metadata.json: mismatch wins over missing, else ok."""
    statuses = {f.status for f in verification.files}
    state: IntegrityState = (
        "mismatch" if "mismatch" in statuses else "missing" if "missing" in statuses else "ok"
    )
    return Integrity(
        state=state,
        checked_at=utc_now(),
        files=[
            IntegrityFile(path=f.path, status=f.status, actual_sha256=f.actual_sha256)
            for f in verification.files
        ],
    )
