"""Journaled changes to published models: write the intent, apply it, record it, clear it.

`run(ctx, intent)` is how publish, save (edit / re-file / reclassify / a duplicate's new
source) and remove make their changes; `recover(ctx)` completes what a killed process left
(library.intents) with the very same steps — every step checks what is already done, so
applying an intent twice is harmless. The caller holds the writer lock. After the steps,
the change is recorded for other processes (library.changes) and the intent removed.

  publish : (the staged dir was renamed into place by the caller, after the intent)
            → index. A publish whose rename never happened is dropped; its staging is swept.
  save    : rename <path> → <target> (if they differ) → metadata.json → index.
  remove  : rename <path> → <target> (a trash dir in staging) → delete it → index."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path, PurePosixPath

from tensorshelf import settings
from tensorshelf.errors import CorruptMetadata
from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.transfer import rename_no_replace
from tensorshelf.library.changes import record_change
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.index.store import stamp_of
from tensorshelf.library.intents import Intent, clear_intent, pending_intents, write_intent
from tensorshelf.library.layout import free_model_dir, make_parents, prune_empty_parents, rel_of
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.metadata.files import (
    read_metadata,
    sweep_metadata_temps,
    write_metadata,
)

log = logging.getLogger(__name__)

Changes = dict[str, str | None]


def holds(model_dir: Path, model_id: str) -> bool:
    """True if `model_dir` is a real dir whose metadata.json carries `model_id`."""
    if model_dir.is_symlink() or not model_dir.is_dir():
        return False
    try:
        return read_metadata(model_dir).id == model_id
    except CorruptMetadata:
        return False


def free_target(root: Path, meta: ModelMetadata, exclude: Path | None) -> PurePosixPath:
    """The dir `meta`'s classification and name call for (its own dir may keep its name)."""
    # an adopted model may not have its BLAKE3 yet: its SHA-256 makes as good a suffix
    blake3_hex = (
        (meta.hashes.blake3 or meta.hashes.sha256)
        if meta.hashes
        else "0" * settings.COLLISION_SUFFIX_HEX
    )
    return free_model_dir(
        root, meta.model_type, meta.family, meta.name, blake3_hex, exclude=exclude
    )


def begin(ctx: LibraryContext, intent: Intent) -> Path:
    return write_intent(ctx.library_root, intent)


def finish(ctx: LibraryContext, intent_path: Path, intent: Intent) -> Changes:
    """Complete `intent`'s remaining steps, tell other processes, clear it."""
    changes = complete(ctx, intent)
    if changes:
        ctx.pause.reached(f"{intent.op}_before_journal")
        record_change(ctx.library_root, intent.reason, changes)
    clear_intent(intent_path)
    return changes


def run(ctx: LibraryContext, intent: Intent) -> Changes:
    """The whole journaled change: write the intent, apply it, record it, clear it."""
    return finish(ctx, begin(ctx, intent), intent)


def complete(ctx: LibraryContext, intent: Intent) -> Changes:
    if intent.op == "publish":
        return _complete_publish(ctx, intent)
    if intent.op == "save":
        return _complete_save(ctx, intent)
    return _complete_remove(ctx, intent)


def _complete_publish(ctx: LibraryContext, intent: Intent) -> Changes:
    final = ctx.library_root / intent.target
    if not holds(final, intent.id):
        log.info("publish of %s never happened; its staging is swept", intent.target)
        return {}
    meta = read_metadata(final)
    ctx.pause.reached("publish_before_index")
    ctx.index.upsert_model(meta, stamp_of(final), path=intent.target)
    return {intent.id: intent.target}


def _complete_save(ctx: LibraryContext, intent: Intent) -> Changes:
    root = ctx.library_root
    assert intent.metadata is not None
    meta = ModelMetadata.model_validate(intent.metadata)
    src, dst = root / intent.path, root / intent.target
    if src != dst and holds(src, intent.id) and not holds(dst, intent.id):
        if os.path.lexists(dst):  # something else took the name meanwhile: the next free one
            rel = free_target(root, meta, None)
            dst = root.joinpath(*rel.parts)
        parent = make_parents(root, PurePosixPath(rel_of(root, dst)))
        rename_no_replace(src, dst)
        fsync_dir(parent)
        fsync_dir(src.parent)
        prune_empty_parents(root, src)
        ctx.pause.reached("save_after_rename")
    if not holds(dst, intent.id):
        log.warning("model %s is at neither %s nor %s; `scan` will tell", intent.id, src, dst)
        return {}
    meta.path = rel_of(root, dst)
    meta.cleaned_name = dst.name
    write_metadata(dst, meta)
    ctx.pause.reached("save_before_index")
    ctx.index.upsert_model(meta, stamp_of(dst), path=meta.path)
    return {meta.id: meta.path}


def _complete_remove(ctx: LibraryContext, intent: Intent) -> Changes:
    root = ctx.library_root
    src, trash = root / intent.path, root / intent.target
    if holds(src, intent.id):
        forget_hashes(ctx, src)
        trash.parent.mkdir(exist_ok=True)
        rename_no_replace(src, trash)  # vanish atomically first, then delete
        fsync_dir(src.parent)
        prune_empty_parents(root, src)
        ctx.pause.reached("remove_after_rename")
    if os.path.lexists(trash):
        shutil.rmtree(trash, ignore_errors=True)
    ctx.index.remove_model(intent.id)
    return {intent.id: None}


def forget_hashes(ctx: LibraryContext, model_dir: Path) -> None:
    if ctx.hash_cache is None:
        return
    for current, _dirs, files in os.walk(model_dir):
        for name in files:
            path = Path(current) / name
            try:
                if os.lstat(path).st_nlink == 1:  # a linked-in file's inode is the user's too
                    ctx.hash_cache.forget(path)
            except OSError:
                pass


def recover(ctx: LibraryContext) -> list[str]:
    """Complete every change a killed process left (the caller holds the writer lock).
    Returns the ids of the models it touched."""
    touched: list[str] = []
    for path, intent in pending_intents(ctx.library_root):
        if intent is None:
            clear_intent(path)
            continue
        log.warning("completing an interrupted %s of model %s", intent.op, intent.id)
        for rel in (intent.path, intent.target):  # a write killed midway left its temp file
            sweep_metadata_temps(ctx.library_root / rel)
        try:
            finish(ctx, path, intent)
        except OSError as exc:
            log.error("could not complete the %s of %s: %s", intent.op, intent.id, exc)
            continue
        touched.append(intent.id)
    return touched
