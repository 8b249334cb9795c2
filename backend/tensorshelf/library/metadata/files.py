"""Reading, validating and writing metadata.json, and finding model dirs on disk.

metadata.json is the source of truth (DESIGN.md); everything else is rebuilt from it.
A file that cannot be read, is not UTF-8 JSON, fails validation or lists a file path
that would escape its model dir raises `errors.CorruptMetadata(path=..., reason=...)`."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tensorshelf import settings
from tensorshelf.errors import CorruptMetadata
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.settings import METADATA_FILE, STAGING_DIR

log = logging.getLogger(__name__)

_MAX_REASON_ERRORS = 3
_SKIP_SUFFIX = ".tmp"


def metadata_path(model_dir: Path) -> Path:
    return model_dir / METADATA_FILE


def metadata_to_dict(meta: ModelMetadata) -> dict[str, Any]:
    """The JSON object written to metadata.json (unknown keys kept, None kept)."""
    return meta.model_dump(mode="json", by_alias=True, exclude_none=False)


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:_MAX_REASON_ERRORS]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def unsafe_file_path(rel: str) -> bool:
    """True when a files[].path could point outside its model dir (or is malformed)."""
    if not rel or "\x00" in rel or rel[0] == "/":
        return True
    if "//" not in rel and "/." not in rel and rel[0] != "." and rel[-1] != "/":
        return False  # fast path: no empty part and no part starting with "."
    return any(part in ("", ".", "..") for part in rel.split("/"))


def parse_metadata(text: str | bytes, path: str | os.PathLike[str]) -> ModelMetadata:
    """Validate metadata.json content; `path` is only used in the error."""
    try:
        meta = ModelMetadata.model_validate_json(text)
    except ValidationError as exc:
        raise CorruptMetadata(
            f"invalid metadata.json at {path}: {_validation_reason(exc)}",
            path=os.fspath(path),
            reason=_validation_reason(exc),
        ) from exc
    for entry in meta.files:
        if unsafe_file_path(entry.path):
            reason = f"unsafe file path {entry.path!r}"
            raise CorruptMetadata(
                f"invalid metadata.json at {path}: {reason}", path=os.fspath(path), reason=reason
            )
    return meta


def read_metadata_file(path: str | os.PathLike[str]) -> ModelMetadata:
    """Read and validate one metadata.json file (a UTF-8 BOM is tolerated). A file over
    METADATA_MAX_BYTES is refused unread (a runaway notes field must not take a scan's memory)."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > settings.METADATA_MAX_BYTES:
                reason = f"{size} bytes, over the {settings.METADATA_MAX_BYTES}-byte limit"
                raise CorruptMetadata(
                    f"metadata.json at {path} is too large to read: {reason}",
                    path=os.fspath(path),
                    reason=reason,
                )
            raw = f.read()
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
        raise CorruptMetadata(
            f"cannot read {path}: {reason}", path=os.fspath(path), reason=reason
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 ({exc.reason} at byte {exc.start})"
        raise CorruptMetadata(
            f"invalid metadata.json at {path}: {reason}", path=os.fspath(path), reason=reason
        ) from exc
    return parse_metadata(text, path)


def read_metadata(model_dir: Path) -> ModelMetadata:
    return read_metadata_file(metadata_path(model_dir))


def write_metadata(model_dir: Path, meta: ModelMetadata) -> None:
    """Atomically (temp + fsync + rename) write `meta` as model_dir/metadata.json."""
    from tensorshelf.io.atomic import write_json_atomic  # io lands in parallel; resolved at call

    write_json_atomic(metadata_path(model_dir), metadata_to_dict(meta))


def _skipped(name: str) -> bool:
    return name.startswith(".") or name == STAGING_DIR or name.endswith(_SKIP_SUFFIX)


TEMP_METADATA_PREFIX = f".{METADATA_FILE}.tmp-"  # io.atomic's temp name for metadata.json


def walk_model_dirs(
    library_root: str,
    on_error: Callable[[Path, OSError], None] | None = None,
    sweep_temps: bool = False,
    settled: set[str] | None = None,
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(model dir path, its metadata.json DirEntry) for every model dir, as plain strings
    (scan and rebuild visit tens of thousands of dirs: no pathlib on the hot path).

    `sweep_temps` (only while holding the writer lock, when no metadata.json can be being
    written): remove the temp files a writer killed mid-write left in model dirs.
    `settled`: dirs (absolute paths) to leave out — neither listed nor yielded (incremental
    scan: a model dir known unchanged); each one the walk reaches is taken out of the set,
    so what is left in it was not reached."""
    stack = [library_root]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError as exc:
            if on_error is not None:
                on_error(Path(current), exc)
            else:
                log.warning("cannot list %s: %s", current, exc)
            continue
        if current != library_root:
            meta = next((e for e in entries if e.name == METADATA_FILE), None)
            if meta is not None and meta.is_file(follow_symlinks=False):
                if sweep_temps:
                    _sweep_temps(entries)
                yield current, meta
                continue
        subdirs = []
        for entry in entries:  # tens of thousands in a family dir: no call per settled one
            path = entry.path
            if settled is not None and path in settled:
                settled.remove(path)
            elif not _skipped(entry.name) and entry.is_dir(follow_symlinks=False):
                subdirs.append(path)
        stack.extend(sorted(subdirs, reverse=True))


def sweep_metadata_temps(model_dir: Path) -> None:
    """Remove the temp metadata.json files a killed writer left in `model_dir` (the caller
    holds the writer lock: no live write can own them)."""
    try:
        with os.scandir(model_dir) as it:
            entries = list(it)
    except OSError:
        return
    _sweep_temps(entries)


def _sweep_temps(entries: list[os.DirEntry[str]]) -> None:
    for entry in entries:
        if entry.name.startswith(TEMP_METADATA_PREFIX):
            try:
                os.unlink(entry.path)
                log.info("removed %s, left by an interrupted write", entry.path)
            except OSError as exc:
                log.debug("could not remove %s: %s", entry.path, exc)
