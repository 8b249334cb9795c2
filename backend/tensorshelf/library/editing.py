"""Edit a model's user fields (metadata.json rewritten atomically) and remove a model.

Edits keep unknown keys, bump `updated_date` and record which classification fields the
user set (`user_overrides`, which reclassify respects). Changing `family` or `model_type`
re-files the model (its dir moves; its id stays; the index follows). Removal deletes only
a model dir strictly inside the library whose metadata.json carries the expected id."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from tensorshelf.errors import (
    CorruptMetadata,
    FileAccessError,
    InvalidArgument,
    ShelfError,
    UnsafePath,
)
from tensorshelf.library import journaled
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.ids import new_model_id
from tensorshelf.library.intents import Intent
from tensorshelf.library.layout import is_inside, model_dir_from_rel, rel_of, staging_root
from tensorshelf.library.metadata.document import ModelMetadata, utc_now
from tensorshelf.library.metadata.files import metadata_to_dict, read_metadata
from tensorshelf.library.models import ModelEdit, RemoveResult

log = logging.getLogger(__name__)

REFILE_FIELDS = ("family", "model_type")
_TRASH_SUFFIX = "-removed"


def locate(ctx: LibraryContext, ref: str) -> tuple[str, Path]:
    """(id, model dir) of a ref; ModelNotFound / AmbiguousModelRef / UnsafePath."""
    model_id, rel = ctx.index.resolve_ref(ref)
    return model_id, model_dir_from_rel(ctx.library_root, rel)


def load(ctx: LibraryContext, ref: str) -> tuple[Path, ModelMetadata]:
    model_id, model_dir = locate(ctx, ref)
    meta = read_metadata(model_dir)
    if meta.id != model_id:
        raise CorruptMetadata(
            f"{model_dir} holds model {meta.id}, the index says {model_id}; run `tensorshelf scan`",
            path=str(model_dir),
        )
    meta.path = rel_of(ctx.library_root, model_dir)  # where it is now (it may have been moved)
    return model_dir, meta


def _text(value: str) -> str | None:
    return value.strip() or None


def apply_edit(meta: ModelMetadata, edit: ModelEdit) -> bool:
    """Apply `edit` to `meta`; True if the model must be re-filed."""
    refile_needed = False
    overrides = list(meta.user_overrides)
    if edit.name is not None:
        name = _text(edit.name)
        if name is None:
            raise InvalidArgument("a model's name cannot be empty")
        meta.name = name
        overrides.append("name")
    for field in ("family", "model_type", "subtype"):
        value = getattr(edit, field)
        if value is None:
            continue
        new = _text(value)
        if field == "model_type" and new is None:
            raise InvalidArgument("model_type cannot be empty")
        if new != getattr(meta, field):
            setattr(meta, field, new)
            refile_needed |= field in REFILE_FIELDS
        if new is None:
            overrides = [f for f in overrides if f != field]
        else:
            overrides.append(field)
    if edit.tags is not None:
        meta.tags = list(dict.fromkeys(t.strip() for t in edit.tags if t.strip()))
    if edit.notes is not None:
        meta.notes = edit.notes
    if edit.rating is not None:
        meta.rating = edit.rating
    meta.user_overrides = list(dict.fromkeys(overrides))
    meta.updated_date = utc_now()
    return refile_needed


def save(
    ctx: LibraryContext, model_dir: Path, meta: ModelMetadata, refile_needed: bool, reason: str
) -> Path:
    """Write `meta` (re-filing first if needed) and update the index, journaled; the
    caller holds the writer lock. Returns the model's dir."""
    root = ctx.library_root
    target = model_dir
    if refile_needed:
        target = root.joinpath(*journaled.free_target(root, meta, model_dir).parts)
    intent = Intent(
        op="save",
        id=meta.id,
        path=rel_of(root, model_dir),
        target=rel_of(root, target),
        reason=reason,
        metadata=metadata_to_dict(meta),
    )
    changes = journaled.run(ctx, intent)
    meta.path = changes.get(meta.id) or intent.target  # another name if the planned one went
    meta.cleaned_name = meta.path.rsplit("/", 1)[-1]
    return root.joinpath(*meta.path.split("/"))


def edit_model(ctx: LibraryContext, ref: str, edit: ModelEdit) -> ModelMetadata:
    with ctx.writer.hold(f"editing {ref}"):
        model_dir, meta = load(ctx, ref)
        save(ctx, model_dir, meta, apply_edit(meta, edit), "edit")
        return meta


def remove_model(ctx: LibraryContext, ref: str) -> RemoveResult:
    """Delete a model's dir and its index row. Unknown refs raise ModelNotFound."""
    with ctx.writer.hold(f"removing {ref}"):
        model_id, rel = ctx.index.resolve_ref(ref)
        try:
            model_dir = model_dir_from_rel(ctx.library_root, rel)
        except UnsafePath as exc:
            return RemoveResult(id=model_id, path=rel, removed=False, error=exc.info())
        try:
            _check_removable(ctx, model_id, model_dir)
            trash = staging_root(ctx.library_root) / f"{new_model_id()}{_TRASH_SUFFIX}"
            journaled.run(
                ctx,
                Intent(
                    op="remove",
                    id=model_id,
                    path=rel,
                    target=rel_of(ctx.library_root, trash),
                    reason="delete",
                ),
            )
        except (ShelfError, OSError) as exc:
            error = (
                exc.info()
                if isinstance(exc, ShelfError)
                else FileAccessError(f"{exc.strerror or exc}: {model_dir}", path=rel).info()
            )
            log.warning("could not remove %s: %s", rel, error.message)
            return RemoveResult(id=model_id, path=rel, removed=False, error=error)
        return RemoveResult(id=model_id, path=rel, removed=True)


def _check_removable(ctx: LibraryContext, model_id: str, model_dir: Path) -> None:
    """Only a real model dir inside the library that holds this model may go (a phantom
    row whose dir is gone just loses its row)."""
    root = ctx.library_root
    if not os.path.lexists(model_dir):
        return
    if model_dir.is_symlink() or not model_dir.is_dir() or not is_inside(root, model_dir):
        raise UnsafePath(
            f"{model_dir} is not a model directory inside the library", path=str(model_dir)
        )
    try:
        on_disk = read_metadata(model_dir).id
    except CorruptMetadata:
        on_disk = None
    if on_disk != model_id:
        raise CorruptMetadata(
            f"{model_dir} does not hold model {model_id}; nothing was removed", path=str(model_dir)
        )
