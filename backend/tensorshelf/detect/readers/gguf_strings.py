"""Walk a run of GGUF strings (u64 little-endian length, then the bytes) inside one buffer,
for the long tokenizer arrays (`tokenizer.ggml.tokens`, `.merges`: 100k–300k items, ~12 MiB
for Llama 3) that the header reader has to step over to reach the tensor infos.

The item boundaries form a chain (each start is the previous start + 8 + its length), so a
plain loop costs one Python iteration per item. Here numpy proposes every item start at once
and then *checks the chain exactly*; a proposal is only used where it is verified, so the
answer is always the one the plain loop gives:

- proposal: the length field of a string shorter than 256 bytes (nearly all tokens and
  merges) is one byte and seven zero bytes, followed by the string's first byte, which in a
  vocabulary is never zero; so the start of an item is 7 bytes before the end of a run of
  zero bytes (found through the zero 4-byte words, a quarter of the bytes to look at);
- check: with L the u64 at each proposed start c, the link c -> c + 8 + L is exact. Starting
  from the known position, runs of proposals that link to the next proposal are taken whole;
  where the chain leaves the proposals (an empty string, a zero byte in a string, a string
  longer than the buffer) one item is stepped in Python and the proposals are rejoined.
"""

from __future__ import annotations

import struct
from typing import Any

from tensorshelf import settings

_U64 = struct.Struct("<Q").unpack_from
_FIELD = 8  # bytes of a string's length field


def walk_plain(buf: bytes, off: int, limit: int) -> tuple[int, int]:
    """(items walked, position after the last one): items are walked while their length
    field lies wholly inside `buf`, at most `limit` of them. The position may lie past the
    end of `buf` (the last item's bytes run on)."""
    walked = 0
    size = len(buf)
    while walked < limit and off + _FIELD <= size:
        off += _FIELD + _U64(buf, off)[0]
        walked += 1
    return walked, off


def walk(buf: bytes, off: int, limit: int) -> tuple[int, int]:
    """The same answer as walk_plain(), computed with numpy for a big buffer."""
    seg_len = len(buf) - off
    if seg_len < settings.GGUF_VECTOR_MIN_BUFFER_BYTES or limit < 2:
        return walk_plain(buf, off, limit)
    import numpy as np

    # Zero 4-byte words w (counted from off, with a word before and after): the 7 zero bytes
    # of a length field below 256 always hold one. The zero run goes on into the next word
    # for tz of its low bytes (0..3), so the field would start at p = 4w - 4 + tz; bytes
    # p+4..p+7 lie in the zero run, so the u64 at p is the u32 made of the top 4 - tz bytes
    # of word w - 1: words[w-1] >> 8 * tz. That value is exact for every proposal; whether
    # p really starts an item is what the chain check decides.
    words = np.frombuffer(buf, dtype="<u4", count=(seg_len - 4) // 4, offset=off)
    at = np.flatnonzero(words[1:-1] == 0) + 1
    if not len(at):
        return walk_plain(buf, off, limit)
    after = words[at + 1]
    tz = (
        ((after & 0xFF) == 0).astype(np.uint32)
        + ((after & 0xFFFF) == 0)
        + ((after & 0xFFFFFF) == 0)
    )
    starts = at * 4 - 4 + tz  # ascending, relative to off, each with its length field in buf
    lengths = words[at - 1] >> (tz * 8)
    nexts = starts + _FIELD + lengths
    breaks = np.flatnonzero(nexts[:-1] != starts[1:])  # links that miss the next proposal
    return _follow(buf, off, limit, starts, lengths, breaks, np)


def _follow(
    buf: bytes, off: int, limit: int, starts: Any, lengths: Any, breaks: Any, np: Any
) -> tuple[int, int]:
    last = len(starts) - 1
    seg_len = len(buf) - off
    pos = walked = 0  # pos relative to off
    while walked < limit and pos + _FIELD <= seg_len:
        i = int(np.searchsorted(starts, pos))
        if i > last or int(starts[i]) != pos:  # not a proposal: one item by hand
            pos += _FIELD + _U64(buf, off + pos)[0]
            walked += 1
            continue
        k = int(np.searchsorted(breaks, i))
        j = int(breaks[k]) if k < len(breaks) else last  # proposals i..j form a chain
        take = min(j - i + 1, limit - walked)
        j = i + take - 1
        walked += take
        pos = int(starts[j]) + _FIELD + int(lengths[j])
    return walked, off + pos
