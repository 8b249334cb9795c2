"""Download one Hub file, verified, resumable across network failures and restarts.

Resolve with the metadata HEAD (never following the 302: commit, size and SHA-256 come from
it), then stream the CDN body into the partial file while SHA-256 and BLAKE3 are computed on
the fly — the io pipeline's one pump, over the response body. The partial file is the
progress: a restart re-hashes what is there and asks for the rest with `Range`; a 206 is
appended, a 200 to a Range means "start over", a 416 means complete (or changed: start
over). CDN URLs are signed and expire, so a 403 from the CDN (and every retry) re-resolves
first. The finished file must have the expected size and SHA-256, else it is removed and the
download fails — never a file that is not the Hub's."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from tensorshelf import settings
from tensorshelf.errors import ShelfError
from tensorshelf.hf.api import HubApi
from tensorshelf.hf.models import ResolvedFile
from tensorshelf.io.pipeline import pump
from tensorshelf.io.sinks import Blake3Sink, FdWriterSink, Sha256Sink
from tensorshelf.io.types import CancelToken, FileHashes
from tensorshelf.network.body import BodyReader
from tensorshelf.network.errors import NetworkError

log = logging.getLogger(__name__)


class DownloadCorrupt(ShelfError):
    code = "download_corrupt"


class _StartOver(Exception):
    """The server will not continue the partial file: begin again from byte 0."""


def _hash_partial(path: Path, sha: Sha256Sink, b3: Blake3Sink) -> int:
    """Feed the partial file's bytes to the hashers (a resumed download's head)."""
    try:
        with open(path, "rb", buffering=0) as f:
            return pump(f, [sha, b3])
    except FileNotFoundError:
        return 0


def fetch(
    api: HubApi,
    repo_id: str,
    path: str,
    revision: str,
    dest: Path,
    on_bytes: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[FileHashes, ResolvedFile]:
    """Download `repo_id/path@revision` to `dest` (resuming a partial one there)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    expected_sha: str | None = None
    failures = 0
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()  # between attempts: a pause or cancel ends the retrying
        resolved = api.resolve(repo_id, path, revision)
        if expected_sha is not None and resolved.sha256 and resolved.sha256 != expected_sha:
            log.warning("%s/%s changed on the Hub meanwhile: starting over", repo_id, path)
            dest.unlink(missing_ok=True)
        expected_sha = resolved.sha256 or expected_sha
        try:
            hashes = _attempt(api, resolved, dest, on_bytes, cancel)
        except _StartOver:
            dest.unlink(missing_ok=True)
            continue
        except NetworkError as exc:
            failures += 1
            if failures >= settings.DOWNLOAD_ATTEMPTS:
                raise NetworkError(
                    f"{repo_id}/{path}: the download keeps failing ({exc.message}); the partial "
                    f"file is kept at {dest} and the download resumes from it",
                    path=str(dest),
                ) from exc
            sleep(min(settings.NET_RETRY_MAX_S, settings.NET_RETRY_BASE_S * 2**failures))
            continue
        if resolved.size is not None and hashes.size < resolved.size:
            failures += 1  # the body ended early: ask for the rest
            if failures >= settings.DOWNLOAD_ATTEMPTS:
                raise NetworkError(f"{repo_id}/{path}: the body keeps ending early", path=str(dest))
            continue
        if (resolved.size is not None and hashes.size != resolved.size) or (
            expected_sha is not None and hashes.sha256 != expected_sha
        ):
            dest.unlink(missing_ok=True)
            raise DownloadCorrupt(
                f"{repo_id}/{path}: the downloaded bytes are not the Hub's (SHA-256 "
                f"{hashes.sha256[:12]}…, expected {(expected_sha or '?')[:12]}…); removed",
                path=str(dest),
            )
        return hashes, resolved


def _attempt(
    api: HubApi,
    resolved: ResolvedFile,
    dest: Path,
    on_bytes: Callable[[int], None] | None,
    cancel: CancelToken | None,
) -> FileHashes:
    sha, b3 = Sha256Sink(), Blake3Sink()
    offset = _hash_partial(dest, sha, b3)
    if on_bytes is not None and offset:
        on_bytes(offset)
    if resolved.size is not None and offset > resolved.size:
        raise _StartOver
    url = resolved.location or api.file_url(resolved.repo_id, resolved.path)
    headers = {**api.auth_for(url), **({"Range": f"bytes={offset}-"} if offset else {})}
    with api.net.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status == 403 and resolved.location:
            raise NetworkError(f"the signed URL for {resolved.path} expired: resolving again")
        if status == 416:
            if offset and offset == resolved.size:
                return FileHashes(sha256=sha.hexdigest(), blake3=b3.hexdigest(), size=offset)
            raise _StartOver
        if status == 200 and offset:
            log.info("%s: the server sent the whole file for a Range: starting over", url)
            raise _StartOver
        if status >= 500 or status == 429:
            raise NetworkError(f"the download answered {status}")
        if status >= 400:
            api.raise_for(response, f"{resolved.repo_id}/{resolved.path}")
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            written = pump(
                BodyReader(response),
                # O_DIRECT where the filesystem allows: no copy through the page cache (it
                # costs a core at these speeds); a misaligned resume offset writes buffered
                [sha, b3, FdWriterSink(fd, direct=True)],
                progress=on_bytes,
                cancel=cancel,
                buffer_bytes=settings.DOWNLOAD_BUFFER_BYTES,  # on disk soon: the partial file
            )
            os.fsync(fd)
        finally:
            os.close(fd)
    return FileHashes(sha256=sha.hexdigest(), blake3=b3.hexdigest(), size=offset + written)
