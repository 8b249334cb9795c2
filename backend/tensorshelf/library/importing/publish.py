"""Publishing a staged model (metadata.json last, then ONE rename) and re-filing a model.

A crash before the rename leaves only staging (swept at the next start); after it, the
complete model. Directory names are chosen case- and normalisation-insensitively and get a
`-<blake3 prefix>` suffix on collision; a lost race (the name appeared meanwhile) simply
tries the next candidate, because the rename never replaces anything."""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePosixPath

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument
from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.transfer import rename_no_replace
from tensorshelf.library.layout import free_model_dir, make_parents, prune_empty_parents
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.metadata.files import write_metadata
from tensorshelf.library.pause import NO_PAUSE, PausePoints

log = logging.getLogger(__name__)


def fsync_tree(top: Path) -> None:
    """fsync every directory under `top` (file data was fsynced when written)."""
    for current, _dirs, _files in os.walk(top):
        fsync_dir(current)


def _target(root: Path, meta: ModelMetadata, exclude: Path | None) -> PurePosixPath:
    blake3_hex = meta.hashes.blake3 if meta.hashes else "0" * settings.COLLISION_SUFFIX_HEX
    return free_model_dir(
        root, meta.model_type, meta.family, meta.name, blake3_hex, exclude=exclude
    )


def publish(
    root: Path, staged_dir: Path, meta: ModelMetadata, pause: PausePoints = NO_PAUSE
) -> Path:
    """Write metadata.json into `staged_dir`, then rename it into place. Returns the dir."""
    fsync_tree(staged_dir)
    for _attempt in range(settings.COLLISION_MAX_ATTEMPTS):
        rel = _target(root, meta, None)
        meta.path, meta.cleaned_name = rel.as_posix(), rel.name
        pause.reached("metadata_write")
        write_metadata(staged_dir, meta)  # last file of the model, fsynced
        parent = make_parents(root, rel)
        final = parent / rel.name
        try:
            rename_no_replace(staged_dir, final)
        except FileExistsError:
            log.info("%s appeared meanwhile; choosing another name", final)
            continue
        try:
            fsync_dir(parent)
        except OSError as exc:  # published already; durability of the rename is best effort
            log.warning("could not fsync %s: %s", parent, exc)
        return final
    raise InvalidArgument(f"could not find a free directory for {meta.name!r}", name=meta.name)


def refile(root: Path, model_dir: Path, meta: ModelMetadata) -> Path:
    """Move a published model to the dir its (changed) classification/name calls for, then
    rewrite its metadata.json. The id never changes; returns the (possibly same) dir."""
    for _attempt in range(settings.COLLISION_MAX_ATTEMPTS):
        rel = _target(root, meta, model_dir)
        target = root.joinpath(*rel.parts)
        if target == model_dir:
            break
        parent = make_parents(root, rel)
        try:
            rename_no_replace(model_dir, target)
        except FileExistsError:
            continue
        fsync_dir(parent)
        fsync_dir(model_dir.parent)
        prune_empty_parents(root, model_dir)
        model_dir = target
        break
    else:
        raise InvalidArgument(f"could not find a free directory for {meta.name!r}", name=meta.name)
    meta.path = PurePosixPath(*model_dir.relative_to(root).parts).as_posix()
    meta.cleaned_name = model_dir.name
    write_metadata(model_dir, meta)
    return model_dir
