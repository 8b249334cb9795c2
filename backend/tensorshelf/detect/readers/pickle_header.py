"""PyTorch pickle checkpoints (.ckpt/.pt/.pth/.bin), identified without unpickling.

- zip checkpoints (torch.save since 1.6, `PK\\x03\\x04`): the member names come from the zip
  central directory (its size is checked first); the `*/data.pkl` member is then *walked*
  by pickle_walk (opcodes parsed, nothing imported or called) for tensor names and shapes.
- raw pickles (`\\x80` + protocol 2..5; the legacy torch.save format is a magic-number
  pickle, a protocol pickle, a sys-info pickle, then the state dict): the first pickles are
  walked the same way, reading at most settings.PICKLE_MAX_SCAN_BYTES.
The security tier of anything here is "pickle".
"""

from __future__ import annotations

import io
import logging
import os
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tensorshelf import settings
from tensorshelf.detect.models import PickleScan
from tensorshelf.detect.readers.pickle_globals import GlobalsSeen, build_scan
from tensorshelf.detect.readers.pickle_walk import (
    PickleWalkError,
    state_dict_table,
    walk_pickle,
    walk_pickle_at,
)
from tensorshelf.detect.tensors import TensorTable
from tensorshelf.errors import InvalidModelFile

log = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
PICKLE_PROTO = 0x80
PICKLE_PROTOCOLS = range(2, 6)
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_MAX_PICKLES = 5  # magic, protocol, sys_info, the object, the storage keys
EOCD_SIG = b"PK\x05\x06"
EOCD_MIN = 22
EOCD_MAX_COMMENT = 0xFFFF
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
ZIP64_EOCD_SIG = b"PK\x06\x06"
_ZIP64_LOCATOR_BYTES = 20
_ZIP64_EOCD_BYTES = 56
MAX_MEMBERS_KEPT = 32  # member names kept for evidence


@dataclass
class PickleInfo:
    kind: str  # "zip" | "raw"
    table: TensorTable
    members: list[str] = field(default_factory=list)
    member_count: int = 0
    wrapper: str | None = None
    torch_legacy: bool = False
    walk_error: str | None = None
    header_bytes_read: int = 0
    # the safety scan: globals of every pickle stream torch.load would unpickle
    globals_seen: GlobalsSeen = field(default_factory=GlobalsSeen)
    streams_scanned: int = 0
    scan_complete: bool = False

    def pickle_scan(self) -> PickleScan:
        return build_scan(self.globals_seen, self.streams_scanned, self.scan_complete)


class _Counting(io.RawIOBase):
    """A read-only file wrapper that counts bytes and refuses to read past `cap` bytes in
    total (reads are cut short instead, so nothing allocates more than the cap)."""

    def __init__(self, f: BinaryIO, cap: int | None = None) -> None:
        self.f, self.cap, self.count = f, cap, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self.f.seek(offset, whence)

    def tell(self) -> int:
        return self.f.tell()

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            n = settings.PICKLE_MAX_SCAN_BYTES
        if self.cap is not None:
            n = min(n, max(0, self.cap - self.count))
        data = self.f.read(n)
        self.count += len(data)
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        out = bytearray()
        while size is None or size < 0 or len(out) < size:
            c = self.read(1)
            if not c:
                break
            out += c
            if c == b"\n":
                break
        return bytes(out)


def read_pickle_info(path: str | os.PathLike[str]) -> PickleInfo:
    p = Path(path)
    with open(p, "rb", buffering=0) as raw:
        return parse_pickle(raw, os.fstat(raw.fileno()).st_size, p.name)


def parse_pickle(raw: BinaryIO, size: int, name: str) -> PickleInfo:
    """The tensor table and safety scan of the pickle / torch zip open as `raw`."""
    f = _Counting(raw)
    f.seek(0)
    head = f.read(4)
    f.seek(0)
    if head == ZIP_MAGIC:
        info = _read_zip(f, size, name)
    elif len(head) >= 2 and head[0] == PICKLE_PROTO and head[1] in PICKLE_PROTOCOLS:
        info = _read_raw(raw, name)
        info.header_bytes_read += f.count
        return info
    else:
        raise InvalidModelFile(f"{name}: not a pickle or zip checkpoint", file=name)
    info.header_bytes_read = f.count
    return info


def _central_directory_size(f: _Counting, size: int, name: str) -> int:
    tail_len = min(size, EOCD_MIN + EOCD_MAX_COMMENT)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(EOCD_SIG)
    if at < 0 or at + EOCD_MIN > len(tail):
        raise InvalidModelFile(
            f"{name}: zip end-of-central-directory record not found (truncated or not a zip)",
            file=name,
        )
    cd_size, cd_offset = struct.unpack_from("<II", tail, at + 12)
    loc = at - _ZIP64_LOCATOR_BYTES
    if loc >= 0 and tail[loc : loc + 4] == ZIP64_LOCATOR_SIG:
        (eocd64_at,) = struct.unpack_from("<Q", tail, loc + 8)
        if eocd64_at + _ZIP64_EOCD_BYTES <= size:
            f.seek(eocd64_at)
            rec = f.read(_ZIP64_EOCD_BYTES)
            if rec[:4] == ZIP64_EOCD_SIG:
                cd_size, cd_offset = (int(v) for v in struct.unpack_from("<QQ", rec, 40))
    if cd_offset + cd_size > size:
        raise InvalidModelFile(
            f"{name}: zip central directory lies past the end of the file", file=name
        )
    return int(cd_size)


def _read_zip(f: _Counting, size: int, name: str) -> PickleInfo:
    cd_size = _central_directory_size(f, size, name)
    if cd_size > settings.PICKLE_MAX_CENTRAL_DIR_BYTES:
        raise InvalidModelFile(
            f"{name}: zip central directory of {cd_size} bytes exceeds the "
            f"limit of {settings.PICKLE_MAX_CENTRAL_DIR_BYTES}",
            file=name,
        )
    f.seek(0)
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, KeyError) as exc:
        raise InvalidModelFile(f"{name}: unreadable zip ({exc})", file=name) from None
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n == "data.pkl" or n.endswith("/data.pkl")]
        info = PickleInfo(
            kind="zip",
            table=TensorTable(),
            members=names[:MAX_MEMBERS_KEPT],
            member_count=len(names),
        )
        if not pkl:
            raise InvalidModelFile(
                f"{name}: zip archive without data.pkl: not a PyTorch "
                f"checkpoint ({len(names)} members)",
                file=name,
            )
        member = min(pkl, key=len)
        data, info.walk_error = _member_bytes(zf, member)
        # the other pickle members (constants.pkl of TorchScript, a second data.pkl …) are
        # walked for the safety scan only
        others = [n for n in names if n.endswith(".pkl") and n != member]
        complete = len(others) < settings.PICKLE_SCAN_MAX_STREAMS
        for other in others[: settings.PICKLE_SCAN_MAX_STREAMS - 1]:
            complete = _scan_member(zf, other, info) and complete
    if data is not None:
        try:
            root = walk_pickle(data, seen=info.globals_seen)
            info.streams_scanned += 1
            info.table, info.wrapper = state_dict_table(root)
        except PickleWalkError as exc:
            info.walk_error = str(exc)
    info.scan_complete = complete and info.walk_error is None
    return info


def _member_bytes(zf: zipfile.ZipFile, member: str) -> tuple[bytes | None, str | None]:
    """(bytes, None) of a zip member, or (None, why not) when too big or unreadable."""
    zinfo = zf.getinfo(member)
    if zinfo.file_size > settings.PICKLE_MAX_SCAN_BYTES:
        return None, f"{member} is {zinfo.file_size} bytes (limit not walked)"
    try:
        with zf.open(zinfo) as m:
            return m.read(settings.PICKLE_MAX_SCAN_BYTES), None
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        struct.error,
        KeyError,
    ) as exc:
        return None, f"{member} unreadable ({str(exc)[:80]})"


def _scan_member(zf: zipfile.ZipFile, member: str, info: PickleInfo) -> bool:
    """Walk one more pickle member for its globals; False if it could not be walked."""
    data, _ = _member_bytes(zf, member)
    if data is None:
        return False
    try:
        walk_pickle(data, seen=info.globals_seen)
    except PickleWalkError:
        return False
    info.streams_scanned += 1
    return True


def _read_raw(raw: BinaryIO, name: str) -> PickleInfo:
    """Walk the leading pickles of a raw file, reading more (doubling chunks, up to
    settings.PICKLE_MAX_SCAN_BYTES in total) only while a pickle is still incomplete."""
    info = PickleInfo(kind="raw", table=TensorTable())
    raw.seek(0)
    buf = bytearray(raw.read(settings.DETECT_FIRST_READ_BYTES))

    def more() -> bytes:
        want = min(len(buf), settings.PICKLE_MAX_SCAN_BYTES - len(buf))
        chunk = raw.read(want) if want > 0 else b""
        buf.extend(chunk)
        return chunk

    pos = 0
    for index in range(LEGACY_MAX_PICKLES):
        try:
            obj, pos = walk_pickle_at(bytes(buf), pos, more=more, seen=info.globals_seen)
        except PickleWalkError as exc:
            if not len(info.table):
                info.walk_error = str(exc)
            break
        info.streams_scanned += 1
        if index == 0 and obj == TORCH_LEGACY_MAGIC:
            info.torch_legacy = True
            continue
        if not len(info.table):
            table, wrapper = state_dict_table(obj)
            if len(table):
                info.table, info.wrapper = table, wrapper
        # pickle.load / torch.load unpickle the first pickle only, unless it is the legacy
        # magic: then all five (the last, the storage keys, is walked for the scan only)
        if not info.torch_legacy or index == LEGACY_MAX_PICKLES - 1:
            info.scan_complete = True
            break
    info.header_bytes_read = len(buf)
    log.debug("%s: walked %d pickle bytes", name, pos)
    return info
