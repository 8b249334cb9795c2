"""Where things are in a library root: the signature file, model dirs, the staging dir.

Only the library's own three directory levels (`<model_type>/<family>/<name>`) are
normalised; a model's files keep their original relative names. Every path handed in from
outside (a library-relative model path from metadata.json, the index or a user) goes
through `model_dir_from_rel`, which refuses anything that would leave the library."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, ValidationError

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument, UnsafePath
from tensorshelf.io.atomic import fsync_dir, write_json_atomic
from tensorshelf.io.naming import (
    dir_key,
    normalize_dir_name,
    safe_relative_path,
    with_collision_suffix,
)
from tensorshelf.library.metadata.document import utc_now

log = logging.getLogger(__name__)

MODEL_DIR_DEPTH = 3  # <model_type>/<family>/<name>


class LibrarySignature(BaseModel):
    """Content of `.tensorshelf-library`: lets a library be recognised after a remount."""

    model_config = ConfigDict(extra="allow")

    uuid: str
    name: str
    created_at: str
    schema_version: int = settings.LIBRARY_SCHEMA_VERSION


def signature_path(root: Path) -> Path:
    return root / settings.LIBRARY_SIGNATURE


def read_signature(root: Path) -> LibrarySignature | None:
    """The root's signature, or None if it has none (or it is unreadable, which is logged)."""
    path = signature_path(root)
    try:
        return LibrarySignature.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, json.JSONDecodeError) as exc:
        log.warning("library signature %s is unreadable: %s", path, exc)
        return None


def library_exists(root: Path) -> bool:
    """True if `root` is a library already: a dir with a signature or an index."""
    return root.is_dir() and (
        os.path.lexists(signature_path(root)) or os.path.lexists(root / settings.MODELS_DB)
    )


def ensure_library(root: Path, name: str | None = None) -> LibrarySignature:
    """Create the library root, its signature and its staging dir if missing."""
    root.mkdir(parents=True, exist_ok=True)
    existing = read_signature(root)
    try:
        staging_root(root).mkdir(exist_ok=True)
    except OSError:
        if existing is None:  # a new library must be writable; an existing one may be browsed
            raise
    if existing is not None:
        return existing
    if signature_path(root).exists():
        # Present but unreadable: never overwrite it (it may carry the only copy of the id).
        return LibrarySignature(
            uuid=str(uuid.uuid4()), name=name or root.name, created_at=utc_now()
        )
    signature = LibrarySignature(
        uuid=str(uuid.uuid4()), name=name or root.name or "library", created_at=utc_now()
    )
    write_json_atomic(signature_path(root), signature)
    return signature


def staging_root(root: Path) -> Path:
    return root / settings.STAGING_DIR


# --- model directories -------------------------------------------------------------------
def model_rel_dir(model_type: str | None, family: str | None, name: str) -> PurePosixPath:
    """`<model_type>/<family>/<name>` with each component normalised (never empty/escaping)."""
    type_part = normalize_dir_name((model_type or "other").strip() or "other")
    family_part = normalize_dir_name((family or "").strip() or settings.UNKNOWN_FAMILY)
    return PurePosixPath(type_part, family_part, normalize_dir_name(name))


def _checked_rel(rel: str | PurePosixPath) -> PurePosixPath:
    safe = safe_relative_path(str(rel))
    if safe.parts[0].startswith("."):
        raise UnsafePath(f"not a model directory: {str(rel)!r}", path=str(rel))
    return safe


def model_dir_from_rel(root: Path, rel: str | PurePosixPath) -> Path:
    """The absolute model dir for a library-relative path; UnsafePath if it could escape.

    Refuses `..`, absolute paths, hidden first components (`.staging`) and anything whose
    real location (after symlinks) is not strictly inside the library root."""
    safe = _checked_rel(rel)
    target = root.joinpath(*safe.parts)
    if not is_inside(root, target):
        raise UnsafePath(f"{str(rel)!r} is outside the library", path=str(rel))
    return target


def is_inside(root: Path, path: Path) -> bool:
    """True if `path` (symlinks resolved) lies strictly below `root` (symlinks resolved)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real != real_root and os.path.commonpath([real_root, real]) == real_root


def rel_of(root: Path, path: Path) -> str:
    """`path` relative to `root`, '/'-separated."""
    return PurePosixPath(*path.relative_to(root).parts).as_posix()


def name_taken(parent: Path, name: str, ignore: str | None = None) -> bool:
    """True if `parent` holds an entry (other than `ignore`) whose name equals `name`
    ignoring case and NFC/NFD — so names stay distinct on case-insensitive filesystems."""
    key = dir_key(name)
    try:
        with os.scandir(parent) as entries:
            return any(dir_key(e.name) == key and e.name != ignore for e in entries)
    except FileNotFoundError:
        return False


def candidate_names(name: str, blake3_hex: str) -> Iterator[str]:
    """`name`, then `name-<blake3 prefix>`, then `name-<blake3 prefix>-2`, `-3`, …"""
    base = normalize_dir_name(name)
    yield base
    suffixed = with_collision_suffix(base, blake3_hex)
    yield suffixed
    for n in range(2, settings.COLLISION_MAX_ATTEMPTS):
        tail = f"-{n}"
        yield (
            with_collision_suffix(
                base, blake3_hex, max_chars=settings.DIR_NAME_MAX_CHARS - len(tail)
            )
            + tail
        )


def free_model_dir(
    root: Path,
    model_type: str | None,
    family: str | None,
    name: str,
    blake3_hex: str,
    exclude: Path | None = None,
) -> PurePosixPath:
    """The first `<type>/<family>/<name…>` not taken on disk (case/normalisation-insensitive).

    `exclude` is a model dir that may keep its own name (re-filing a model in place)."""
    rel = model_rel_dir(model_type, family, name)
    parent = root.joinpath(*rel.parts[:-1])
    for candidate in candidate_names(rel.parts[-1], blake3_hex):
        ignore = exclude.name if exclude is not None and exclude.parent == parent else None
        if not name_taken(parent, candidate, ignore):
            return PurePosixPath(*rel.parts[:-1], candidate)
    raise InvalidArgument(
        f"no free directory name for {name!r} under {parent}", name=name, parent=str(parent)
    )


def make_parents(root: Path, rel: PurePosixPath) -> Path:
    """Create the model dir's parents (`<type>/<family>`), fsyncing each new entry."""
    current = root
    for part in rel.parts[:-1]:
        child = current / part
        try:
            child.mkdir()
            fsync_dir(current)
        except FileExistsError:
            if not child.is_dir() or child.is_symlink():
                raise UnsafePath(
                    f"{child} exists and is not a directory", path=str(child)
                ) from None
        current = child
    return current


def prune_empty_parents(root: Path, model_dir: Path) -> None:
    """Remove `<type>/<family>` dirs left empty after a model left them (never the root)."""
    current = model_dir.parent
    while current != root and is_inside(root, current):
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent
