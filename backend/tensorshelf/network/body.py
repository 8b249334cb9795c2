"""A streamed response body as a raw reader (`readinto`), so the io pipeline's one pump can
feed a download to its hashers and its file writer exactly as it feeds a local copy."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx

from tensorshelf.network.errors import NetworkError


class BodyReader(io.RawIOBase):
    def __init__(self, response: httpx.Response) -> None:
        self._chunks: Iterator[bytes] = response.iter_bytes()
        self._pending = b""
        self._url = str(response.url)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._pending:
            try:
                self._pending = next(self._chunks, b"")
            except (httpx.TransportError, httpx.StreamError) as exc:
                raise NetworkError(f"the download from {self._url} broke off: {exc}") from exc
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n
