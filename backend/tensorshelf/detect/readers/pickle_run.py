"""The pickle walker's main loop: run a Machine (pickle_vm) to STOP, decoding the opcodes a
torch checkpoint is made of inline, with the machine's state in local variables; the rarer
ones go through Machine.step(). Nothing is imported or called (see pickle_vm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from tensorshelf import settings
from tensorshelf.detect.readers.pickle_globals import GlobalsSeen
from tensorshelf.detect.readers.pickle_opcodes import (
    BINGET,
    BININT,
    BININT1,
    BININT2,
    BINPERSID,
    BINPUT,
    BINUNICODE,
    EMPTY_DICT,
    EMPTY_TUPLE,
    I32,
    LONG_BINGET,
    LONG_BINPUT,
    MARK,
    MEMOIZE,
    NEWFALSE,
    NEWTRUE,
    NONE,
    REDUCE,
    SHORT_BINUNICODE,
    STOP,
    TUPLE,
    TUPLE1,
    TUPLE2,
    TUPLE3,
    U16,
    U32,
)
from tensorshelf.detect.readers.pickle_values import PickleWalkError, persistent_load, reduce_call
from tensorshelf.detect.readers.pickle_vm import Machine, NeedMore


def run(m: Machine, max_ops: int) -> Any:
    """Run to STOP. On NeedMore the position is rewound to the start of the unfinished
    opcode (every opcode reads all its arguments before touching the stack), so the
    caller can append bytes to `m.data` and call run() again.

    The opcodes a torch checkpoint is made of are decoded inline here, with the machine's
    state in local variables (a state dict of 1,000 tensors is ~25,000 opcodes); the rest
    go through step(). Both raise the same errors at the same positions."""
    data, pos, ops, stack = m.data, m.pos, m.ops, m.stack
    metastack, memo = m.metastack, m.memo
    end = len(data)
    u16, i32, u32 = U16.unpack_from, I32.unpack_from, U32.unpack_from
    start = pos
    try:
        while ops < max_ops:
            start = pos
            if start >= end:
                raise NeedMore("pickle has no STOP")
            op = data[pos]
            pos += 1
            ops += 1
            # most frequent first (torch.save: keys, shapes, memo, storage records)
            if op == BINUNICODE:
                if pos + 4 > end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                n = u32(data, pos)[0]
                pos += 4
                if pos + n > end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                pos += n
                stack.append(data[pos - n : pos].decode("utf-8", "surrogatepass"))
            elif op == BININT1:
                if pos >= end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                stack.append(data[pos])
                pos += 1
            elif op == MARK:
                metastack.append(stack)
                stack = []
            elif op == TUPLE:
                if not metastack:
                    raise PickleWalkError("MARK missing")
                items = tuple(stack)
                stack = metastack.pop()
                stack.append(items)
            elif op == BINPUT:
                if pos >= end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                pos += 1
                if not stack:
                    raise PickleWalkError("stack underflow")
                memo[data[pos - 1]] = stack[-1]
            elif op == LONG_BINGET:
                if pos + 4 > end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                key = u32(data, pos)[0]
                pos += 4
                if key not in memo:
                    raise PickleWalkError(f"memo key {key} missing")
                stack.append(memo[key])
            elif op == BINGET:
                if pos >= end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                key = data[pos]
                pos += 1
                if key not in memo:
                    raise PickleWalkError(f"memo key {key} missing")
                stack.append(memo[key])
            elif op == BININT2:
                if pos + 2 > end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                stack.append(u16(data, pos)[0])
                pos += 2
            elif op == REDUCE:
                if len(stack) < 2:
                    raise PickleWalkError("stack underflow")
                args = stack.pop()
                stack[-1] = reduce_call(stack[-1], args)
            elif op == TUPLE1 or op == TUPLE2 or op == TUPLE3:  # noqa: SIM109 - hot loop, no tuple
                n = op - TUPLE1 + 1
                if len(stack) < n:
                    raise PickleWalkError("stack underflow")
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif op == BINPERSID:
                if not stack:
                    raise PickleWalkError("stack underflow")
                stack[-1] = persistent_load(stack[-1])
            elif op == EMPTY_TUPLE:
                stack.append(())
            elif op == NEWFALSE:
                stack.append(False)
            elif op == NONE:
                stack.append(None)
            elif op == BININT:
                if pos + 4 > end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                stack.append(i32(data, pos)[0])
                pos += 4
            elif op == LONG_BINPUT:
                if pos + 4 > end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                key = u32(data, pos)[0]
                pos += 4
                if not stack:
                    raise PickleWalkError("stack underflow")
                memo[key] = stack[-1]
            elif op == SHORT_BINUNICODE:
                if pos >= end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                n = data[pos]
                pos += 1
                if pos + n > end:
                    raise NeedMore(f"pickle ends inside an argument at {pos}")
                pos += n
                stack.append(data[pos - n : pos].decode("utf-8", "surrogatepass"))
            elif op == MEMOIZE:
                if not stack:
                    raise PickleWalkError("stack underflow")
                memo[len(memo)] = stack[-1]
            elif op == NEWTRUE:
                stack.append(True)
            elif op == EMPTY_DICT:
                stack.append({})
            elif op == STOP:
                if not stack:
                    raise PickleWalkError("stack underflow")
                return stack.pop()
            else:  # the rarer opcodes: the general decoder, on the synced state
                m.pos, m.stack = pos, stack
                try:
                    m.step(op)
                finally:
                    pos, stack = m.pos, m.stack
    except NeedMore:
        if pos != start:  # inside an opcode (not "no STOP" before one): rewind it
            pos, ops = start, ops - 1
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, UnicodeDecodeError) as exc:
        raise PickleWalkError(f"malformed pickle at {pos}: {str(exc)[:100]}") from None
    finally:
        m.pos, m.ops, m.stack = pos, ops, stack
    raise PickleWalkError(f"more than {max_ops} opcodes")


def walk_pickle_at(
    data: bytes,
    pos: int = 0,
    max_ops: int | None = None,
    more: Callable[[], bytes] | None = None,
    seen: GlobalsSeen | None = None,
) -> tuple[Any, int]:
    """Symbolically evaluate the pickle starting at `pos`; returns (value, end offset).
    When the bytes run out before STOP, `more()` (if given) is asked for the next bytes and
    the walk resumes where it stopped; NeedMore is raised when it returns nothing. The
    globals the walk meets are added to `seen` (the safety scan)."""
    m = Machine(data, pos, seen)
    while True:
        try:
            return run(m, max_ops or settings.PICKLE_MAX_OPS), m.pos
        except NeedMore:
            extra = more() if more is not None else b""
            if not extra:
                raise
            m.data += extra


def walk_pickle(
    data: bytes | IO[bytes], max_ops: int | None = None, seen: GlobalsSeen | None = None
) -> Any:
    """Symbolically evaluate one pickle (a bytes object or a readable binary stream)."""
    if not isinstance(data, bytes):
        data = data.read(settings.PICKLE_MAX_SCAN_BYTES)
    return walk_pickle_at(data, 0, max_ops, seen=seen)[0]
