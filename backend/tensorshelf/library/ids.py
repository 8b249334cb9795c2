"""Model ids: UUID version 7 (RFC 9562) — 48-bit Unix milliseconds, then random bits.

Time-ordered (ids sort by creation time, which keeps index inserts local), globally unique
without coordination, and no dependency beyond the standard library."""

from __future__ import annotations

import os
import threading
import time
import uuid

_VERSION = 7
_VARIANT_BITS = 0b10
_RAND_A_BITS = 12
_RAND_B_BITS = 62
_MS_BITS = 48

_lock = threading.Lock()
_last_ms = 0
_last_rand_a = 0


def new_model_id() -> str:
    """A new UUIDv7 string, strictly increasing within this process."""
    global _last_ms, _last_rand_a
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            # Same (or a backwards-stepped) millisecond: keep the order with the counter field.
            ms = _last_ms
            rand_a = _last_rand_a + 1
            if rand_a >= 1 << _RAND_A_BITS:
                ms, rand_a = ms + 1, 0
        else:
            rand_a = int.from_bytes(os.urandom(2), "big") & ((1 << (_RAND_A_BITS - 1)) - 1)
        _last_ms, _last_rand_a = ms, rand_a
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << _RAND_B_BITS) - 1)
    value = (ms & ((1 << _MS_BITS) - 1)) << 80
    value |= _VERSION << 76
    value |= rand_a << 64
    value |= _VARIANT_BITS << 62
    value |= rand_b
    return str(uuid.UUID(int=value))
