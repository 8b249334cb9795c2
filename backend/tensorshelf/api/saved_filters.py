"""Saved filters (settings.json `saved_filters`) as list queries and back. The window and the
CLI (`list --saved NAME`, `list … --save-as NAME`, `filters`) keep the same keys — each a
ListQuery field — so a filter saved on one side applies on the other."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tensorshelf.api.settings_store import SavedFilter
from tensorshelf.errors import InvalidArgument
from tensorshelf.library.query_models import ListQuery

# what a saved filter may hold besides its text (the window's sidebar filters)
SAVED_KEYS: tuple[str, ...] = (
    "model_type",
    "subtype",
    "family",
    "precision",
    "format",
    "tag",
    "collection",
    "security_tier",
    "match_method",
    "integrity",
    "linked_to",
    "not_linked_to",
    "size",
    "added",
    "favorites",
    "attention",
    "pending",
)


def find_saved(saved: list[SavedFilter], name: str) -> SavedFilter:
    """The saved filter called `name` (case-insensitive), or a clear error naming those
    there are."""
    for item in saved:
        if item.name.casefold() == name.casefold():
            return item
    names = ", ".join(f"“{s.name}”" for s in saved) or "none yet"
    raise InvalidArgument(f"no saved filter is called “{name}” (saved filters: {names})")


def saved_query(saved: SavedFilter | None, overrides: dict[str, Any]) -> ListQuery:
    """The list query of a saved filter (or of none), with `overrides` (e.g. sort, paging, a
    filter given on the command line) on top. Keys it does not know are ignored, as the
    window does."""
    if saved is None:
        return ListQuery.model_validate(overrides)
    fields: dict[str, Any] = {k: v for k, v in saved.filters.items() if k in SAVED_KEYS}
    if saved.text:
        fields["text"] = saved.text
    try:
        return ListQuery.model_validate({**fields, **overrides})
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise InvalidArgument(
            f"the saved filter “{saved.name}” has an invalid {where}: {problem['msg']}"
        ) from None


def saved_filter(name: str, query: ListQuery) -> SavedFilter:
    """`query`'s text and filters under `name`, as the window saves them."""
    filters: dict[str, str | bool | None] = {}
    for key in SAVED_KEYS:
        value = getattr(query, key)
        if value is not None and value is not False:
            filters[key] = value
    return SavedFilter(name=name, text=query.text or "", filters=filters)
