"""Bounded streaming GGUF (v2/v3) header reader: metadata KVs and tensor infos only.

Reads the file front to back in chunks and stops at the start of the tensor data. Every
count and length is checked against the bytes left in the file and the limits in settings
before it is used; long arrays (tokenizer vocabularies, merges) are skipped without being
materialised: only their length and first few items are kept. Anything malformed raises
InvalidModelFile naming the file and what was wrong. Big-endian files are read too.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from tensorshelf import settings
from tensorshelf.detect.readers import gguf_strings
from tensorshelf.detect.readers.gguf_types import (
    DEFAULT_ALIGNMENT,
    GGML_TYPES,
    MAGIC,
    MIN_KV_BYTES,
    MIN_TENSOR_INFO_BYTES,
    SUPPORTED_VERSIONS,
    T_ARRAY,
    T_STRING,
    VALUE_TYPES,
    GGUFArray,
    GGUFHeader,
)
from tensorshelf.detect.tensors import TensorInfo, TensorTable
from tensorshelf.errors import InvalidModelFile


def read_gguf_header(path: str | os.PathLike[str], file_size: int | None = None) -> GGUFHeader:
    """`file_size` overrides the file's own size (the first piece of a byte-split file)."""
    p = Path(path)
    with open(p, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size if file_size is None else file_size
        return parse_gguf(f, size, p.name)


def parse_gguf(f: BinaryIO, file_size: int, name: str) -> GGUFHeader:
    """The header of the GGUF file open as `f` (read from its start)."""
    f.seek(0)
    return _Parser(f, file_size, name).parse()


class _Parser:
    def __init__(self, f: BinaryIO, file_size: int, name: str) -> None:
        self.f, self.size, self.name = f, file_size, name
        self.buf = b""
        self.off = 0  # position inside buf
        self.base = 0  # file offset of buf[0]
        self.bytes_read = 0
        self.e = "<"
        self.chunk = settings.DETECT_FIRST_READ_BYTES  # grows up to DETECT_READ_CHUNK_BYTES
        self.kept = 0  # bytes of keys, names and strings held so far

    # --- low level ------------------------------------------------------------------------
    def bad(self, what: str) -> InvalidModelFile:
        return InvalidModelFile(f"{self.name}: invalid GGUF header: {what}", file=self.name)

    @property
    def pos(self) -> int:
        return self.base + self.off

    def left(self) -> int:
        return self.size - self.pos

    def _fill(self, need: int) -> None:
        """Make at least `need` bytes available at self.off (need <= bytes left in file)."""
        if need > self.left():
            raise self.bad(
                f"file ends at byte {self.size} while {need} more bytes were "
                f"expected at offset {self.pos} (truncated?)"
            )
        rest = self.buf[self.off :]
        want = max(need - len(rest), self.chunk)
        self.chunk = min(self.chunk * 2, settings.DETECT_READ_CHUNK_BYTES)
        want = min(want, self.size - self.base - len(self.buf))
        self.f.seek(self.base + len(self.buf))
        chunk = self.f.read(want)
        self.bytes_read += len(chunk)
        self.base += self.off
        self.buf, self.off = rest + chunk, 0
        if len(self.buf) < need:
            raise self.bad(f"short read at offset {self.pos}")

    def take(self, n: int) -> bytes:
        if self.off + n > len(self.buf):
            self._fill(n)
        out = self.buf[self.off : self.off + n]
        self.off += n
        return out

    def skip(self, n: int) -> None:
        if n > self.left():
            raise self.bad(
                f"a value of {n} bytes at offset {self.pos} runs past the end of the "
                f"{self.size}-byte file"
            )
        if self.off + n <= len(self.buf):
            self.off += n
            return
        # Jump without reading: drop the buffer and continue after the skipped bytes.
        self.base, self.buf, self.off = self.pos + n, b"", 0

    def unpack(self, code: str, size: int) -> Any:
        if self.off + size > len(self.buf):
            self._fill(size)
        (v,) = struct.unpack_from(self.e + code, self.buf, self.off)
        self.off += size
        return v

    def u32(self) -> int:
        return int(self.unpack("I", 4))

    def u64(self) -> int:
        return int(self.unpack("Q", 8))

    def string(self, what: str, limit: int, keep: int | None = None) -> str:
        n = self.u64()
        if n > limit:
            raise self.bad(f"{what} at offset {self.pos - 8} claims {n} bytes (limit {limit})")
        if n > self.left():
            raise self.bad(f"{what} at offset {self.pos - 8} claims {n} bytes, past end of file")
        cut = n if keep is None else min(n, keep)
        self.kept += cut
        if self.kept > settings.GGUF_MAX_KEPT_BYTES:
            raise self.bad(
                f"more than {settings.GGUF_MAX_KEPT_BYTES} bytes of keys, names and "
                "strings: not a plausible model header"
            )
        raw = self.take(cut)
        self.skip(n - cut)
        try:
            return raw.decode("utf-8") if cut == n else raw.decode("utf-8", errors="ignore")
        except UnicodeDecodeError:
            raise self.bad(f"{what} at offset {self.pos - n} is not UTF-8") from None

    # --- structure ------------------------------------------------------------------------
    def parse(self) -> GGUFHeader:
        if self.size < 4 + 4 + 8 + 8:
            raise self.bad(f"file is only {self.size} bytes")
        if self.take(4) != MAGIC:
            raise self.bad("missing GGUF magic")
        raw_version = self.take(4)
        version = struct.unpack("<I", raw_version)[0]
        if version not in SUPPORTED_VERSIONS:
            swapped = struct.unpack(">I", raw_version)[0]
            if swapped not in SUPPORTED_VERSIONS:
                raise self.bad(f"unsupported GGUF version {version} (supported: 2, 3)")
            self.e, version = ">", swapped
        n_tensors, n_kv = self.u64(), self.u64()
        if n_kv > settings.GGUF_MAX_KV_COUNT or n_kv * MIN_KV_BYTES > self.left():
            raise self.bad(f"metadata count {n_kv} is impossible for a {self.size}-byte file")
        if (
            n_tensors > min(settings.GGUF_MAX_TENSOR_COUNT, settings.DETECT_MAX_TENSORS)
            or n_tensors * MIN_TENSOR_INFO_BYTES > self.left()
        ):
            raise self.bad(f"tensor count {n_tensors} is impossible for a {self.size}-byte file")
        metadata: dict[str, Any] = {}
        for _ in range(n_kv):
            key = self.string("metadata key", settings.GGUF_MAX_KEY_BYTES)
            if key in metadata:
                raise self.bad(f"duplicate metadata key {key[:80]!r}")
            metadata[key] = self.value(self.u32(), key, 0)
        alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
        if (
            not isinstance(alignment, int)
            or isinstance(alignment, bool)
            or alignment <= 0
            or alignment & (alignment - 1)
            or alignment > settings.GGUF_MAX_ALIGNMENT
        ):
            raise self.bad(
                f"general.alignment {alignment!r} is not a power of two "
                f"<= {settings.GGUF_MAX_ALIGNMENT}"
            )
        infos = self.tensor_infos(n_tensors)
        data_offset = self.pos + (-self.pos % alignment)
        return self.finish(version, metadata, infos, alignment, data_offset)

    def value(self, vtype: int, key: str, depth: int) -> Any:
        spec = VALUE_TYPES.get(vtype)
        if spec is None:
            raise self.bad(f"{key[:80]!r} has unknown value type {vtype}")
        if vtype == T_STRING:
            return self.string(
                f"value of {key[:80]!r}",
                settings.GGUF_MAX_STRING_BYTES,
                keep=settings.GGUF_KEEP_STRING_BYTES,
            )
        if vtype == T_ARRAY:
            return self.array(key, depth + 1)
        _, code, size = spec
        assert code is not None
        return self.unpack(code, size)

    def array(self, key: str, depth: int) -> GGUFArray:
        if depth > settings.GGUF_MAX_ARRAY_DEPTH:
            raise self.bad(f"{key[:80]!r} nests arrays deeper than {settings.GGUF_MAX_ARRAY_DEPTH}")
        item_type, count = self.u32(), self.u64()
        spec = VALUE_TYPES.get(item_type)
        if spec is None:
            raise self.bad(f"array {key[:80]!r} has unknown item type {item_type}")
        tname, code, size = spec
        min_item = size if size else 8 + (4 if item_type == T_ARRAY else 0)
        if count > settings.GGUF_MAX_ARRAY_ITEMS or count * min_item > self.left():
            raise self.bad(
                f"array {key[:80]!r} claims {count} items, impossible for the "
                f"{self.left()} bytes left in the file"
            )
        keep = min(count, settings.GGUF_KEEP_ARRAY_ITEMS) if depth == 1 else 0
        if code is not None:
            head = [self.unpack(code, size) for _ in range(keep)]
            self.skip((count - keep) * size)
        elif item_type == T_STRING:
            head = [
                self.string(
                    f"item of {key[:80]!r}",
                    settings.GGUF_MAX_STRING_BYTES,
                    keep=settings.GGUF_KEEP_STRING_BYTES,
                )
                for _ in range(keep)
            ]
            self.skip_strings(count - keep, key)
        else:
            head = [self.array(key, depth + 1) for _ in range(keep)]
            for _ in range(count - keep):
                self.array(key, depth + 1)
        return GGUFArray(tname, count, head)

    def skip_strings(self, count: int, key: str) -> None:
        """Skip `count` length-prefixed strings without decoding or keeping them.

        Inside the buffer the strings are hopped over by gguf_strings (a plain loop, or numpy
        for a long little-endian array); a string whose length field is not in the buffer
        goes through the checked path (limit, end of file), and one whose bytes run past the
        buffer is skipped with the end-of-file check of skip().
        """
        vector = self.e == "<" and count >= settings.GGUF_VECTOR_MIN_STRINGS
        done = 0
        while done < count:
            buf = self.buf
            if vector:
                walked, nxt = gguf_strings.walk(buf, self.off, count - done)
            elif self.e == "<":
                walked, nxt = gguf_strings.walk_plain(buf, self.off, count - done)
            else:
                walked, nxt = self._walk_big_endian(buf, self.off, count - done)
            done += walked
            end = len(buf)
            if nxt > end:  # the last item walked runs past the buffer and ends at `nxt`
                self.off = end
                self.skip(nxt - end)
                continue
            self.off = nxt
            if done == count:
                return
            n = self.u64()  # a length field cut by the end of the buffer: read more
            if n > settings.GGUF_MAX_STRING_BYTES:
                raise self.bad(
                    f"string in {key[:80]!r} claims {n} bytes "
                    f"(limit {settings.GGUF_MAX_STRING_BYTES})"
                )
            self.skip(n)
            done += 1

    @staticmethod
    def _walk_big_endian(buf: bytes, off: int, limit: int) -> tuple[int, int]:
        unpack = struct.Struct(">Q").unpack_from
        walked, size = 0, len(buf)
        while walked < limit and off + 8 <= size:
            off += 8 + unpack(buf, off)[0]
            walked += 1
        return walked, off

    def tensor_infos(self, count: int) -> list[tuple[str, tuple[int, ...], int, int]]:
        """`count` tensor infos. Those wholly inside the buffer are decoded by a tight loop;
        one that is not (or looks wrong) goes through tensor_info(), which reads more or
        raises the exact error, exactly as if every info had gone that way."""
        e = self.e
        u64, u32 = struct.Struct(e + "Q").unpack_from, struct.Struct(e + "I").unpack_from
        tail = struct.Struct(e + "IQ").unpack_from  # type, offset
        dims_of = [
            struct.Struct(e + "Q" * k).unpack_from for k in range(settings.GGUF_MAX_DIMS + 1)
        ]
        max_name, max_dims = settings.GGUF_MAX_KEY_BYTES, settings.GGUF_MAX_DIMS
        max_kept = settings.GGUF_MAX_KEPT_BYTES
        infos: list[tuple[str, tuple[int, ...], int, int]] = []
        append = infos.append
        while len(infos) < count:
            buf, off, kept = self.buf, self.off, self.kept
            size = len(buf)
            todo = count - len(infos)
            try:
                for _ in range(todo):
                    n = u64(buf, off)[0]
                    if n > max_name:
                        break
                    at = off + 8 + n
                    n_dims = u32(buf, at)[0]
                    if n_dims > max_dims:
                        break
                    at += 4 + 8 * n_dims
                    if at + 12 > size or kept + n > max_kept:
                        break
                    name = buf[off + 8 : off + 8 + n].decode("utf-8")
                    append((name, dims_of[n_dims](buf, at - 8 * n_dims), *tail(buf, at)))
                    kept += n
                    off = at + 12
            except (struct.error, UnicodeDecodeError):
                pass  # this info is not wholly in the buffer, or its name is not UTF-8
            self.off, self.kept = off, kept
            if len(infos) < count:
                append(self.tensor_info())
        return infos

    def tensor_info(self) -> tuple[str, tuple[int, ...], int, int]:
        name = self.string("tensor name", settings.GGUF_MAX_KEY_BYTES)
        n_dims = self.u32()
        if n_dims > settings.GGUF_MAX_DIMS:
            raise self.bad(
                f"tensor {name[:80]!r} has {n_dims} dimensions (limit {settings.GGUF_MAX_DIMS})"
            )
        dims = tuple(self.u64() for _ in range(n_dims))
        ttype, offset = self.u32(), self.u64()
        return name, dims, ttype, offset

    def finish(
        self,
        version: int,
        metadata: dict[str, Any],
        infos: list[tuple[str, tuple[int, ...], int, int]],
        alignment: int,
        data_offset: int,
    ) -> GGUFHeader:
        if data_offset > self.size:
            raise self.bad("tensor data section starts past the end of the file")
        data_size = self.size - data_offset
        tensors: dict[str, TensorInfo] = {}
        types: dict[str, int] = {}
        elements: dict[str, int] = {}
        total = 0
        spec_of, prod, new, info_cls = GGML_TYPES.get, math.prod, tuple.__new__, TensorInfo
        for name, dims, ttype, offset in infos:
            if name in tensors:
                raise self.bad(f"duplicate tensor name {name[:80]!r}")
            numel = prod(dims)
            spec = spec_of(ttype)
            tname = spec[0] if spec else f"TYPE_{ttype}"
            if offset % alignment:
                raise self.bad(
                    f"tensor {name[:80]!r} offset {offset} is not aligned to {alignment}"
                )
            if spec is not None:
                _, block, block_bytes = spec
                if dims and dims[0] % block:
                    raise self.bad(
                        f"tensor {name[:80]!r}: ne[0]={dims[0]} is not a multiple "
                        f"of the {tname} block size {block}"
                    )
                nbytes = numel // block * block_bytes
                if offset + nbytes > data_size:
                    raise self.bad(
                        f"tensor {name[:80]!r} ends at data offset {offset + nbytes}, "
                        f"past the {data_size}-byte data section (truncated file?)"
                    )
            elif offset > data_size:
                raise self.bad(f"tensor {name[:80]!r} starts past the end of the file")
            tensors[name] = new(info_cls, (tname, dims[::-1], numel))
            types[tname] = types.get(tname, 0) + 1
            elements[tname] = elements.get(tname, 0) + numel
            total += numel
        table = TensorTable(tensors)
        table.set_stats(total, elements)
        return GGUFHeader(
            version=version,
            metadata=metadata,
            table=table,
            tensor_types=types,
            alignment=alignment,
            data_offset=data_offset,
            header_bytes_read=self.bytes_read,
            file_size=self.size,
            byte_order="big" if self.e == ">" else "little",
        )
