"""Publishing a staged model: metadata.json last, then ONE rename, journaled.

A crash before the rename leaves only staging (swept at the next start); after it, the
complete model, which the next start indexes (library.journaled). Directory names are
chosen case- and normalisation-insensitively and get a `-<blake3 prefix>` suffix on
collision; a lost race (the name appeared meanwhile) simply
tries the next candidate, because the rename never replaces anything."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument
from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.transfer import rename_no_replace
from tensorshelf.library import journaled
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.intents import Intent
from tensorshelf.library.journaled import free_target
from tensorshelf.library.layout import make_parents, rel_of
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.metadata.files import write_metadata

log = logging.getLogger(__name__)


def fsync_tree(top: Path) -> None:
    """fsync every directory under `top` (file data was fsynced when written)."""
    for current, _dirs, _files in os.walk(top):
        fsync_dir(current)


def publish(
    ctx: LibraryContext, staged_dir: Path, meta: ModelMetadata, warnings: list[str]
) -> Path:
    """Write metadata.json into `staged_dir`, journal the publish, rename it into place and
    index it (library.journaled). The caller holds the writer lock. Returns the dir.

    Once renamed the model is published: an index failure after that (a full disk) is a
    warning, and the intent stays for the next start to index it."""
    root = ctx.library_root
    fsync_tree(staged_dir)
    for _attempt in range(settings.COLLISION_MAX_ATTEMPTS):
        rel = free_target(root, meta, None)
        meta.path, meta.cleaned_name = rel.as_posix(), rel.name
        ctx.pause.reached("metadata_write")
        write_metadata(staged_dir, meta)  # last file of the model, fsynced
        parent = make_parents(root, rel)
        final = parent / rel.name
        intent = Intent(
            op="publish",
            id=meta.id,
            path=rel_of(root, staged_dir),
            target=meta.path,
            reason="import",
        )
        intent_path = journaled.begin(ctx, intent)
        ctx.pause.reached("publish_rename")
        try:
            rename_no_replace(staged_dir, final)
        except FileExistsError:
            log.info("%s appeared meanwhile; choosing another name", final)
            continue
        try:
            fsync_dir(parent)
        except OSError as exc:  # published already; durability of the rename is best effort
            log.warning("could not fsync %s: %s", parent, exc)
        try:
            journaled.finish(ctx, intent_path, intent)
        except (OSError, sqlite3.Error) as exc:
            log.error("indexing %s failed after it was published: %s", meta.path, exc)
            warnings.append(
                f"imported, but the index could not be updated ({exc}); it is indexed when "
                "Tensorshelf next starts (or run `tensorshelf scan`)"
            )
        return final
    raise InvalidArgument(f"could not find a free directory for {meta.name!r}", name=meta.name)
