"""Collections: the user's named groups of models ("Portrait workflow"), many-to-many, kept in
each model's metadata.json (`collections`) so a rebuild restores them; the index only lists
them. Every change goes through the one metadata path (writer lock, journal, index)."""

from __future__ import annotations

from tensorshelf.errors import InvalidArgument
from tensorshelf.library import editing
from tensorshelf.library.bulk import merged
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.metadata.document import utc_now

MAX_NAME = 120


def clean_name(name: str) -> str:
    text = " ".join(name.split())
    if not text or len(text) > MAX_NAME:
        raise InvalidArgument(f"a collection needs a name of 1–{MAX_NAME} characters", name=name)
    return text


def change(ctx: LibraryContext, refs: list[str], add: list[str], remove: list[str]) -> list[str]:
    """Add the models to / take them out of collections; returns their ids."""
    done = []
    with ctx.writer.hold(f"changing the collections of {len(refs)} model(s)"):
        for ref in refs:
            model_dir, meta = editing.load(ctx, ref)
            kept = merged(meta.collections, add, remove)
            if kept != meta.collections:
                meta.collections = kept
                meta.updated_date = utc_now()
                editing.save(ctx, model_dir, meta, False, "edit")
            done.append(meta.id)
    return done


def rename(ctx: LibraryContext, old: str, new: str) -> list[str]:
    ids = ctx.index.collection_members(old)
    if not ids:
        raise InvalidArgument(f"there is no collection named {old!r}", name=old)
    return change(ctx, ids, [new], [old])
