"""One change applied to many models at once (the window's multi-selection, `tensorshelf
bulk`): add or remove tags, set the rating, put into or take out of collections. Each model
goes through the one metadata path (writer lock held once, journal, index); a model that
cannot be changed (removed meanwhile, unreadable) is reported and the others go on."""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field

from tensorshelf import settings
from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import InvalidArgument, ShelfError
from tensorshelf.library import editing
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.metadata.document import ModelMetadata, utc_now
from tensorshelf.library.models import UserName

log = logging.getLogger(__name__)


class BulkEdit(BaseModel):
    """What to change in every model named; empty lists and None leave a field alone."""

    add_tags: list[UserName] = Field(default_factory=list, max_length=settings.USER_TAGS_MAX)
    remove_tags: list[UserName] = Field(default_factory=list, max_length=settings.USER_TAGS_MAX)
    rating: int | None = Field(default=None, ge=0, le=5)
    add_collections: list[UserName] = Field(default_factory=list)
    remove_collections: list[UserName] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.add_tags
            or self.remove_tags
            or self.rating is not None
            or self.add_collections
            or self.remove_collections
        )


class BulkFailure(BaseModel):
    ref: str
    error: ErrorInfo


class BulkReport(BaseModel):
    """Which models changed, which already were as asked, which could not be changed."""

    changed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    failed: list[BulkFailure] = Field(default_factory=list)


def merged(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    """`current` without `remove` and with `add` appended, compared case-insensitively and
    keeping the first spelling (tags and collections alike)."""
    gone = {n.casefold() for n in remove}
    kept = [n for n in current if n.casefold() not in gone]
    seen = {n.casefold() for n in kept}
    for name in add:
        if name.casefold() not in seen:
            kept.append(name)
            seen.add(name.casefold())
    return kept


def _clean(names: list[str]) -> list[str]:
    return [" ".join(n.split()) for n in names if n.strip()]


def apply(meta: ModelMetadata, change: BulkEdit) -> bool:
    """Apply `change` to `meta`; True if anything differs."""
    tags = merged(meta.tags, _clean(change.add_tags), _clean(change.remove_tags))
    collections = merged(
        meta.collections, _clean(change.add_collections), _clean(change.remove_collections)
    )
    rating = meta.rating if change.rating is None else change.rating
    if (tags, collections, rating) == (meta.tags, meta.collections, meta.rating):
        return False
    if len(tags) > settings.USER_TAGS_MAX:
        raise InvalidArgument(f"a model can have at most {settings.USER_TAGS_MAX} tags")
    meta.tags, meta.collections, meta.rating = tags, collections, rating
    meta.updated_date = utc_now()
    return True


def edit_many(ctx: LibraryContext, refs: list[str], change: BulkEdit) -> BulkReport:
    if not refs:
        raise InvalidArgument("no model given")
    if change.is_empty():
        raise InvalidArgument("nothing to change: add or remove a tag or collection, or rate")
    report = BulkReport()
    with ctx.writer.hold(f"changing {len(refs)} model(s)"):
        for ref in dict.fromkeys(refs):
            try:
                model_dir, meta = editing.load(ctx, ref)
                if apply(meta, change):
                    editing.save(ctx, model_dir, meta, False, "edit")
                    report.changed.append(meta.id)
                else:
                    report.unchanged.append(meta.id)
            except ShelfError as exc:
                log.warning("bulk edit skipped %s: %s", ref, exc)
                report.failed.append(BulkFailure(ref=ref, error=exc.info()))
    return report
