"""Names: the library's own directory names (normalised) and model-relative paths (checked).

Only the library's directory components (model_type/family/name) are normalised. The
model's own files keep their original relative names byte for byte; `safe_relative_path`
only refuses paths that would escape the model directory.
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from pathlib import PurePosixPath

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument, UnsafePath

_NTFS_FORBIDDEN = frozenset('<>:"/\\|?*')
# Bidirectional overrides/isolates/marks: invisible, and used to disguise names.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
BIDI_CONTROLS = _BIDI_CONTROLS  # public: the CLI shows them escaped
# Left dangling at the end of a name when a cut splits an emoji sequence.
_DANGLING_JOINERS = "\u200d\ufe0e\ufe0f"
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in "123456789\u00b9\u00b2\u00b3"}
)
_UNDERSCORE_RUN = re.compile(r"\s*_[\s_]*")
_SPACE_RUN = re.compile(r"\s+")
_STRIP = " ."
_DRIVE = re.compile(r"^[A-Za-z]:")
_SEPARATORS = re.compile("[" + re.escape("".join({"/", "\\", os.sep, os.altsep or "/"})) + "]")
_MAX_FIT_PASSES = 4


def _clean_chars(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _BIDI_CONTROLS:
            continue
        if ch.isspace():
            out.append(" ")
        elif ch in _NTFS_FORBIDDEN or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append("_")  # controls (incl. NUL) and lone surrogates
        else:
            out.append(ch)
    return "".join(out)


def _fit(name: str, max_chars: int, max_bytes: int) -> str:
    """Cut `name` to the caps (characters and UTF-8 bytes) without leaving junk at the end."""
    for _ in range(_MAX_FIT_PASSES):
        name = name[:max_chars]
        encoded = name.encode("utf-8")
        if len(encoded) > max_bytes:
            name = encoded[:max_bytes].decode("utf-8", "ignore")
        name = name.rstrip(_DANGLING_JOINERS).rstrip(_STRIP)
        normalized = unicodedata.normalize("NFC", name)
        if normalized == name:
            break
        name = normalized
    return name


def _avoid_reserved(name: str) -> str:
    """'CON' -> 'CON_', 'nul.txt' -> 'nul_.txt' (Windows refuses those names)."""
    stem, dot, rest = name.partition(".")
    if stem.rstrip(" ").upper() in _WINDOWS_RESERVED:
        return f"{stem.rstrip(' ')}_{dot}{rest}"
    return name


def _normalize(text: str, max_chars: int, max_bytes: int) -> str:
    if max_chars < 1 or max_bytes < 1:
        raise InvalidArgument(
            "name length caps must be positive", max_chars=max_chars, max_bytes=max_bytes
        )
    name = _clean_chars(unicodedata.normalize("NFC", text))
    name = _SPACE_RUN.sub(" ", _UNDERSCORE_RUN.sub("_", name)).strip(_STRIP)
    name = _fit(_avoid_reserved(_fit(name, max_chars, max_bytes)), max_chars, max_bytes)
    if not name.strip("_ "):
        return _fit(settings.DIR_NAME_FALLBACK, max_chars, max_bytes)
    return name


def normalize_dir_name(text: str, max_chars: int = settings.DIR_NAME_MAX_CHARS) -> str:
    """An NTFS-safe directory name for `text`, keeping its case and readable characters.

    NFC; `<>:"/\\|?*`, control chars and NUL become `_`; runs of whitespace become one
    space and runs of underscores one `_`; leading/trailing dots and spaces go; Windows
    device names (CON, nul.txt, COM1 …) get a `_`; at most `max_chars` characters and
    DIR_NAME_MAX_BYTES UTF-8 bytes. Never empty, `.` or `..` (falls back to "model").
    Idempotent: normalising a normalised name returns it unchanged.
    """
    return _normalize(text, max_chars, settings.DIR_NAME_MAX_BYTES)


def dir_key(name: str) -> str:
    """Comparison key for directory names on case-insensitive filesystems (casefold + NFC)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def with_collision_suffix(
    name: str, blake3_hex: str, max_chars: int = settings.DIR_NAME_MAX_CHARS
) -> str:
    """`name` + '-' + the first COLLISION_SUFFIX_HEX hex chars of the BLAKE3, within the caps."""
    prefix = blake3_hex[: settings.COLLISION_SUFFIX_HEX].lower()
    if len(prefix) < settings.COLLISION_SUFFIX_HEX or not set(prefix) <= set(string.hexdigits):
        raise InvalidArgument("collision suffix needs a hex digest", blake3=blake3_hex)
    suffix = f"-{prefix}"
    base = _normalize(name, max_chars - len(suffix), settings.DIR_NAME_MAX_BYTES - len(suffix))
    return base + suffix


def safe_relative_path(rel: str | os.PathLike[str]) -> PurePosixPath:
    """Check a model-relative file path ('/' or the OS separator) and return it as POSIX.

    Raises UnsafePath for absolute paths, drive letters, UNC paths, `..` (and other
    all-dots names Windows would read as `..`), NUL, empty components or an empty result.
    "." components are dropped; names are otherwise kept byte for byte.
    """
    text = os.fspath(rel)
    if not isinstance(text, str):
        raise UnsafePath("relative path must be text", path=repr(text))
    if "\x00" in text:
        raise UnsafePath(f"path contains NUL: {text!r}", path=text)
    if text.startswith(("/", "\\")) or _DRIVE.match(text):
        raise UnsafePath(f"path is absolute: {text!r}", path=text)
    parts: list[str] = []
    for part in _SEPARATORS.split(text):
        if part == ".":
            continue
        if not part:
            raise UnsafePath(f"path has an empty component: {text!r}", path=text)
        if not part.strip(_STRIP):
            raise UnsafePath(f"path escapes its directory: {text!r}", path=text)
        parts.append(part)
    if not parts:
        raise UnsafePath(f"path is empty: {text!r}", path=text)
    return PurePosixPath(*parts)
