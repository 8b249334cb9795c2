"""Read a PyTorch state dict's tensor names, dtypes and shapes out of a pickle WITHOUT
unpickling it.

The opcodes are decoded directly from the bytes (the decoder imports nothing and calls
nothing). A small symbolic stack machine rebuilds only inert values: str/int/float/bytes,
tuples, lists, dicts. Globals stay names; calls stay opaque records, except the handful of
torch rebuild functions, whose *arguments* describe a tensor (storage dtype from the
persistent id, shape tuple). Nothing is ever imported or executed. Walking is bounded by
settings.PICKLE_MAX_OPS and by the bytes the caller hands in.
"""

from __future__ import annotations

import codecs
import struct
from typing import Any

from tensorshelf.detect.readers.pickle_globals import GlobalsSeen
from tensorshelf.detect.readers.pickle_opcodes import (
    ADDITEMS,
    APPEND,
    APPENDS,
    BINBYTES,
    BINBYTES8,
    BINFLOAT,
    BINGET,
    BININT,
    BININT1,
    BININT2,
    BINPERSID,
    BINPUT,
    BINSTRING,
    BINUNICODE,
    BINUNICODE8,
    BUILD,
    BYTEARRAY8,
    DICT,
    DUP,
    EMPTY_DICT,
    EMPTY_LIST,
    EMPTY_SET,
    EMPTY_TUPLE,
    EXT1,
    EXT2,
    EXT4,
    F64,
    FLOAT,
    FRAME,
    FROZENSET,
    GET,
    GLOBAL,
    I32,
    INST,
    INT,
    LIST,
    LONG,
    LONG1,
    LONG4,
    LONG_BINGET,
    LONG_BINPUT,
    MARK,
    MEMOIZE,
    NEWFALSE,
    NEWOBJ,
    NEWOBJ_EX,
    NEWTRUE,
    NEXT_BUFFER,
    NONE,
    OBJ,
    PERSID,
    POP,
    POP_MARK,
    PROTO,
    PUT,
    READONLY_BUFFER,
    REDUCE,
    SETITEM,
    SETITEMS,
    SHORT_BINBYTES,
    SHORT_BINSTRING,
    SHORT_BINUNICODE,
    STACK_GLOBAL,
    STRING,
    TUPLE,
    TUPLE1,
    TUPLE2,
    TUPLE3,
    U8,
    U16,
    U32,
    U64,
    UNICODE,
)
from tensorshelf.detect.readers.pickle_values import (
    DICT_FACTORIES,
    PARAMETER_REBUILDERS,
    STORAGE_DTYPES,
    TENSOR_REBUILDERS,
    Global,
    Opaque,
    PickleWalkError,
    Storage,
    TensorRef,
    persistent_load,
    reduce_call,
)

__all__ = [
    "DICT_FACTORIES",
    "PARAMETER_REBUILDERS",
    "STORAGE_DTYPES",
    "TENSOR_REBUILDERS",
    "Global",
    "NeedMore",
    "Opaque",
    "PickleWalkError",
    "Storage",
    "TensorRef",
]

_MAX_KEPT_BYTES = 1024  # bytes literals longer than this are not kept (they are data)


_MAX_LINE = 64 * 1024  # text-protocol opcode arguments (GLOBAL names, PUT ids …)


class NeedMore(PickleWalkError):
    """The buffer ended before STOP (the caller may retry with more bytes)."""


class Machine:
    """A pickle VM that only builds inert values. Opcodes are decoded directly from an
    in-memory buffer (faster than pickletools.genops, and bounded the same way): the common
    ones by pickle_run.run, every one by step() here."""

    def __init__(self, data: bytes, pos: int, seen: GlobalsSeen | None = None) -> None:
        self.data, self.pos = data, pos
        self.seen = GlobalsSeen() if seen is None else seen  # every global imported (safety scan)
        self.stack: list[Any] = []
        self.metastack: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.ops = 0

    # --- argument readers --------------------------------------------------------------------
    def take(self, n: int) -> bytes:
        if n < 0:
            raise PickleWalkError(f"negative length {n} at {self.pos}")
        end = self.pos + n
        if end > len(self.data):
            raise NeedMore(f"pickle ends inside an argument at {self.pos}")
        out = self.data[self.pos : end]
        self.pos = end
        return out

    def num(self, st: struct.Struct) -> Any:
        if self.pos + st.size > len(self.data):
            raise NeedMore(f"pickle ends inside an argument at {self.pos}")
        (v,) = st.unpack_from(self.data, self.pos)
        self.pos += st.size
        return v

    def line(self) -> bytes:
        end = self.data.find(b"\n", self.pos, self.pos + _MAX_LINE)
        if end < 0:
            if len(self.data) - self.pos < _MAX_LINE:
                raise NeedMore("pickle ends inside a text argument")
            raise PickleWalkError("text argument too long")
        out = self.data[self.pos : end]
        self.pos = end + 1
        return out

    # --- stack ----------------------------------------------------------------------------------
    def pop_mark(self) -> list[Any]:
        items = self.stack
        if not self.metastack:
            raise PickleWalkError("MARK missing")
        self.stack = self.metastack.pop()
        return items

    def pop(self) -> Any:
        if not self.stack:
            raise PickleWalkError("stack underflow")
        return self.stack.pop()

    def top(self) -> Any:
        if not self.stack:
            raise PickleWalkError("stack underflow")
        return self.stack[-1]

    def step(self, op: int) -> None:
        s = self.stack
        if op in (BINPUT, LONG_BINPUT, PUT):
            key = (
                self.num(U8)
                if op == BINPUT
                else self.num(U32)
                if op == LONG_BINPUT
                else int(self.line())
            )
            self.memo[key] = self.top()
        elif op == MEMOIZE:
            self.memo[len(self.memo)] = self.top()
        elif op in (BINGET, LONG_BINGET, GET):
            key = (
                self.num(U8)
                if op == BINGET
                else self.num(U32)
                if op == LONG_BINGET
                else int(self.line())
            )
            if key not in self.memo:
                raise PickleWalkError(f"memo key {key} missing")
            s.append(self.memo[key])
        elif op == BINUNICODE:
            s.append(self.take(self.num(U32)).decode("utf-8", "surrogatepass"))
        elif op == SHORT_BINUNICODE:
            s.append(self.take(self.num(U8)).decode("utf-8", "surrogatepass"))
        elif op == BINUNICODE8:
            s.append(self.take(self.num(U64)).decode("utf-8", "surrogatepass"))
        elif op == MARK:
            self.metastack.append(s)
            self.stack = []
        elif op == BININT1:
            s.append(self.num(U8))
        elif op == BININT2:
            s.append(self.num(U16))
        elif op == BININT:
            s.append(self.num(I32))
        elif op in (LONG1, LONG4):
            size = self.num(U8) if op == LONG1 else self.num(I32)
            s.append(int.from_bytes(self.take(size), "little", signed=True))
        elif op == TUPLE:
            # pop first: it switches self.stack
            items: tuple[Any, ...] | list[Any] = tuple(self.pop_mark())
            self.stack.append(items)
        elif op in (TUPLE1, TUPLE2, TUPLE3):
            n = op - TUPLE1 + 1
            if len(s) < n:
                raise PickleWalkError("stack underflow")
            items = tuple(s[-n:])
            del s[-n:]
            s.append(items)
        elif op == EMPTY_TUPLE:
            s.append(())
        elif op == BINPERSID:
            s.append(persistent_load(self.pop()))
        elif op == PERSID:
            s.append(persistent_load(self.line().decode("ascii")))
        elif op == REDUCE:
            args, func = self.pop(), self.pop()
            s.append(reduce_call(func, args))
        elif op in (NEWTRUE, NEWFALSE):
            s.append(op == NEWTRUE)
        elif op == NONE:
            s.append(None)
        elif op == GLOBAL:
            module, name = self.line().decode("utf-8"), self.line().decode("utf-8")
            self.seen.add(module, name)
            s.append(Global(module, name))
        elif op == STACK_GLOBAL:
            name, module = self.pop(), self.pop()
            self.seen.add(str(module), str(name))
            s.append(Global(str(module), str(name)))
        elif op == EMPTY_DICT:
            s.append({})
        elif op == EMPTY_LIST:
            s.append([])
        elif op == SETITEMS:
            items = self.pop_mark()
            target = self.top()
            for i in range(0, len(items) - 1, 2):
                _set(target, items[i], items[i + 1])
        elif op == SETITEM:
            value, key = self.pop(), self.pop()
            _set(self.top(), key, value)
        elif op == APPENDS:
            items = self.pop_mark()
            if isinstance(self.top(), list):
                self.top().extend(items)
        elif op == APPEND:
            value = self.pop()
            if isinstance(self.top(), list):
                self.top().append(value)
        elif op in (PROTO, FRAME):
            self.take(1 if op == PROTO else 8)
        elif op == BINFLOAT:
            s.append(self.num(F64))
        elif op in (BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8, BINSTRING, SHORT_BINSTRING):
            size = self.num(
                U8
                if op in (SHORT_BINBYTES, SHORT_BINSTRING)
                else U64
                if op in (BINBYTES8, BYTEARRAY8)
                else I32
                if op == BINSTRING
                else U32
            )
            raw = self.take(size)
            if op in (BINSTRING, SHORT_BINSTRING):
                s.append(raw.decode("latin-1"))
            else:
                s.append(raw if len(raw) <= _MAX_KEPT_BYTES else Opaque("bytes"))
        elif op == LIST:
            items = list(self.pop_mark())
            self.stack.append(items)
        elif op == DICT:
            items = self.pop_mark()
            out: dict[Any, Any] = {}
            for i in range(0, len(items) - 1, 2):
                _set(out, items[i], items[i + 1])
            self.stack.append(out)
        elif op == BUILD:
            self.pop()
        elif op in (NEWOBJ, NEWOBJ_EX):
            if op == NEWOBJ_EX:
                self.pop()
            self.pop()
            self.pop()
            s.append(Opaque("object"))
        elif op in (OBJ, INST):
            if op == INST:  # imports module.name and calls it
                module, name = self.line().decode("utf-8"), self.line().decode("utf-8")
                self.seen.add(module, name)
            self.pop_mark()
            self.stack.append(Opaque("object"))
        elif op in (EMPTY_SET, FROZENSET, ADDITEMS):
            if op != EMPTY_SET:
                self.pop_mark()
            if op != ADDITEMS:
                self.stack.append(Opaque("set"))
        elif op == INT:
            text = self.line()
            s.append(True if text == b"01" else False if text == b"00" else int(text))
        elif op == LONG:
            s.append(int(self.line().rstrip(b"L")))
        elif op == FLOAT:
            s.append(float(self.line()))
        elif op == STRING:
            text = self.line()
            if len(text) < 2 or text[:1] not in (b"'", b'"') or text[-1:] != text[:1]:
                raise PickleWalkError("malformed STRING argument")
            s.append(codecs.escape_decode(text[1:-1])[0].decode("latin-1"))
        elif op == UNICODE:
            s.append(self.line().decode("raw-unicode-escape"))
        elif op == POP:
            self.pop()
        elif op == POP_MARK:
            self.pop_mark()
        elif op == DUP:
            s.append(self.top())
        elif op in (EXT1, EXT2, EXT4):
            code = int.from_bytes(self.take({EXT1: 1, EXT2: 2, EXT4: 4}[op]), "little")
            self.seen.add("copyreg", f"_extension_registry[{code}]")  # an unknown import
            s.append(Opaque("ext"))
        elif op in (NEXT_BUFFER, READONLY_BUFFER):
            if op == NEXT_BUFFER:
                s.append(Opaque("buffer"))
        else:
            raise PickleWalkError(f"unknown opcode {op:#04x} at {self.pos - 1}")


def _set(target: Any, key: Any, value: Any) -> None:
    if isinstance(target, dict):
        try:  # noqa: SIM105 - per-item path: try/except costs less than suppress()
            target[key] = value
        except TypeError:  # unhashable key (a list): irrelevant to a state dict
            pass
