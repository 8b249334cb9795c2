"""One open per file: sniff the container from the first bytes, then parse its whole header
from the same handle (safetensors, GGUF, PyTorch pickle / zip; ONNX is only sniffed).

`read_header` is the only way the detector and the import planner read a model file's
header, so a file is opened once however many questions are asked of it. `headers_read()`
collects, for one detection, which files had their whole header parsed and as what — the
planner uses it to skip those files instead of opening them again."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from tensorshelf import settings
from tensorshelf.detect.readers.gguf import parse_gguf
from tensorshelf.detect.readers.gguf_types import GGUFHeader
from tensorshelf.detect.readers.pickle_header import PickleInfo, parse_pickle
from tensorshelf.detect.readers.safetensors import SafetensorsHeader, parse_safetensors_after
from tensorshelf.detect.readers.sniff import sniff_bytes
from tensorshelf.errors import InvalidModelFile
from tensorshelf.io.regular import open_regular

_READ: ContextVar[dict[str, str] | None] = ContextVar("tensorshelf_headers_read", default=None)


@dataclass
class FileHeader:
    """What one open of a model file learned: its container and its parsed header."""

    path: Path
    format: str
    size: int
    safetensors: SafetensorsHeader | None = None
    gguf: GGUFHeader | None = None
    pickle: PickleInfo | None = None


def read_header(
    path: Path,
    file_size: int | None = None,
    *,
    parse_pickles: bool = True,
    sniff_only: bool = False,
) -> FileHeader:
    """Sniff and parse `path`'s header in one open. `file_size` overrides the file's own size
    (the first piece of a byte-split file describes the joined file). With `parse_pickles`
    off a pickle is only sniffed (never walked); with `sniff_only` nothing is parsed.
    Raises InvalidModelFile naming the file."""
    try:
        with open_regular(path) as f:
            size = os.fstat(f.fileno()).st_size if file_size is None else file_size
            head = f.read(settings.HEADER_SNIFF_BYTES)
            fmt = sniff_bytes(head, path.name, size)
            found = FileHeader(path, fmt, size)
            if sniff_only:
                pass
            elif fmt == "safetensors":
                found.safetensors = parse_safetensors_after(f, head, size, path.name)
            elif fmt == "gguf":
                found.gguf = parse_gguf(f, size, path.name)
            elif fmt == "pickle" and parse_pickles:
                # the zip and opcode walkers make many small reads: buffer them
                found.pickle = parse_pickle(io.BufferedReader(f), size, path.name)
    except IsADirectoryError:
        raise InvalidModelFile(
            f"{path.name}: is a directory, not a model file", file=path.name
        ) from None
    log = _READ.get()
    if log is not None and not sniff_only:  # only a parsed header spares a later read
        log[str(path)] = fmt
    return found


def sniff_format(path: str | os.PathLike[str]) -> str:
    """'safetensors' | 'gguf' | 'pickle' | 'onnx' from the first bytes alone (one open);
    InvalidModelFile naming the file otherwise."""
    return read_header(Path(path), sniff_only=True).format


@contextmanager
def headers_read() -> Iterator[dict[str, str]]:
    """Collect `{path: format}` of every header `read_header` parses inside the block."""
    log: dict[str, str] = {}
    token = _READ.set(log)
    try:
        yield log
    finally:
        _READ.reset(token)
