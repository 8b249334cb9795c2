"""What container a file is, from its first bytes (settings.HEADER_SNIFF_BYTES); the open
itself is `readers.header`'s."""

from __future__ import annotations

import struct

from tensorshelf import settings
from tensorshelf.detect.companions import joined_name
from tensorshelf.errors import InvalidModelFile

GGUF_MAGIC = b"GGUF"
ZIP_MAGIC = b"PK\x03\x04"
PICKLE_PROTO = 0x80
PICKLE_PROTOCOLS = range(2, 6)
ONNX_SUFFIX = ".onnx"
ONNX_IR_VERSIONS = range(1, 32)
# ModelProto fields that follow ir_version (field 1): producer_name(2), producer_version(3),
# domain(4), model_version(5), doc_string(6), graph(7), opset_import(8), metadata_props(14),
# training_info(20), functions(25) — as protobuf tag bytes.
ONNX_NEXT_TAGS = {0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42, 0x72, 0xA2, 0xCA}
SAFETENSORS_LENGTH_BYTES = 8

_KNOWN_OTHER = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF (WebP/WAV) file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{", "a JSON or text file"),
    (b"<", "an HTML/XML file"),
)


def sniff_bytes(head: bytes, name: str, file_size: int) -> str:
    """Classify the container from `head` (the first bytes of the file)."""
    if head[:4] == GGUF_MAGIC:
        return "gguf"
    # safetensors before pickle: a header length of e.g. 0x0380 starts with b"\x80\x03", which
    # looks like a pickle protocol; a real pickle's bytes never read as a length that fits.
    if len(head) > SAFETENSORS_LENGTH_BYTES and head[SAFETENSORS_LENGTH_BYTES] == ord("{"):
        (n,) = struct.unpack("<Q", head[:SAFETENSORS_LENGTH_BYTES])
        if 2 <= n <= max(0, file_size - SAFETENSORS_LENGTH_BYTES):
            return "safetensors"
    if head[:4] == ZIP_MAGIC:
        return "pickle"
    if len(head) >= 2 and head[0] == PICKLE_PROTO and head[1] in PICKLE_PROTOCOLS:
        return "pickle"
    if name.lower().endswith(ONNX_SUFFIX) and _looks_like_onnx(head):
        return "onnx"
    if not joined_name(name).lower().endswith(settings.MODEL_FILE_SUFFIXES):
        # not even named like a model: say what it is, but show none of its content
        raise InvalidModelFile(
            f"{name}: not a model file ({_describe(head, file_size)})", file=name
        )
    raise InvalidModelFile(
        f"{name}: not a model file: starts with {head[:16].hex(' ') or '(empty)'}"
        f" ({_describe(head, file_size)})",
        file=name,
        first_bytes=head[:16].hex(),
    )


def _varint(data: bytes, at: int) -> tuple[int, int] | None:
    value, shift = 0, 0
    while at < len(data) and shift < 64:
        b = data[at]
        value |= (b & 0x7F) << shift
        at += 1
        if not b & 0x80:
            return value, at
        shift += 7
    return None


def _looks_like_onnx(head: bytes) -> bool:
    if not head or head[0] != 0x08:  # field 1 (ir_version), wire type varint
        return False
    parsed = _varint(head, 1)
    if parsed is None:
        return False
    version, at = parsed
    return version in ONNX_IR_VERSIONS and at < len(head) and head[at] in ONNX_NEXT_TAGS


def _describe(head: bytes, size: int) -> str:
    if size == 0:
        return "an empty file"
    for magic, what in _KNOWN_OTHER:
        if head.startswith(magic):
            return f"looks like {what}"
    if len(head) > SAFETENSORS_LENGTH_BYTES and head[SAFETENSORS_LENGTH_BYTES] == ord("{"):
        return "a safetensors-like length prefix that does not fit the file size"
    return "no known model-file signature: safetensors, GGUF, PyTorch zip/pickle or ONNX"
