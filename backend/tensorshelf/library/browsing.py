"""LibraryService's reading side (a mixin, so callers keep the one service object): list,
search and facet queries over the index, a model's metadata, preview and thumbnails, and the
numbers the statistics view adds up. Nothing here writes the library."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.index.store import Index
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.models import MappableModel
from tensorshelf.library.query_models import FacetCounts, LibraryStats, ListQuery, ModelPage
from tensorshelf.settings import Locations


class LibraryBrowsing:
    index: Index
    locations: Locations
    linked_ids: Callable[[str], list[str]] | None
    _ctx: LibraryContext

    def list_models(self, query: ListQuery | None = None) -> ModelPage:
        """A page of models. A subtype filter takes the vocabulary's aliases ("lora",
        "unet", "clip"); a word outside it (and outside the library) is refused with the
        vocabulary, never silently matched to nothing."""
        return self.index.list_models(self._resolved(query or ListQuery()))

    def _resolved(self, query: ListQuery) -> ListQuery:
        """`query` with its subtype in the vocabulary and its app filters as model ids."""
        query = self._vocabulary_query(query)
        if query.linked_to is None and query.not_linked_to is None:
            return query
        if self.linked_ids is None:
            raise InvalidArgument("the linked-to-app filters need the registered apps")
        query = query.model_copy()
        if query.linked_to is not None:
            query._linked_ids = self.linked_ids(query.linked_to)
        if query.not_linked_to is not None:
            query._unlinked_ids = self.linked_ids(query.not_linked_to)
        return query

    def _vocabulary_query(self, query: ListQuery) -> ListQuery:
        """`query` with its subtype in the vocabulary's id; InvalidArgument for a word that
        is neither an alias nor a subtype the library has."""
        if not query.subtype:
            return query
        from tensorshelf.detect.vocabulary import SUBTYPE_ALIASES, normalise_subtype

        subtype = normalise_subtype(query.subtype)
        if subtype is None and not self.index.has_value("subtype", query.subtype):
            raise InvalidArgument(
                f"unknown subtype {query.subtype!r}: use one of " + ", ".join(SUBTYPE_ALIASES),
                subtype=query.subtype,
            )
        return query.model_copy(update={"subtype": subtype or query.subtype})

    def mappable_models(self, ids: list[str] | None = None) -> list[MappableModel]:
        """Every model (or those of `ids`) as the mapping layer needs it, from the index."""
        return self.index.mappable_models(ids)

    def model_ids(self, query: ListQuery | None = None) -> list[str]:
        """Every model matching `query` (all pages; without one, every indexed model)."""
        return self.index.model_ids(self._resolved(query or ListQuery()))

    def facets(self, query: ListQuery | None = None) -> FacetCounts:
        """Facet counts for `query` (each facet with the other filters applied)."""
        return self.index.facets(self._resolved(query) if query else None)

    def model_id(self, ref: str) -> str:
        """The id a ref names (ModelNotFound / AmbiguousModelRef)."""
        return self.index.resolve_ref(ref)[0]

    def model_dir(self, ref: str) -> Path:
        from tensorshelf.library import editing

        return editing.locate(self._ctx, ref)[1]

    def get_model(self, ref: str) -> ModelMetadata:
        """The model's metadata.json (the source of truth, not the index row)."""
        from tensorshelf.library import editing

        return editing.load(self._ctx, ref)[1]

    def preview(
        self, ref: str, max_bytes: int = settings.PREVIEW_SERVE_MAX_BYTES
    ) -> tuple[str, bytes] | None:
        """(mime type, bytes) of the model's preview image, if it has one that may be shown
        (see library.previews)."""
        from tensorshelf.library import editing
        from tensorshelf.library.previews import read_preview

        model_dir, meta = editing.load(self._ctx, ref)
        return read_preview(model_dir, meta, max_bytes)

    def thumbnails(self, refs: list[str]) -> dict[str, bytes | None]:
        """WebP thumbnails of these models' previews (made once into the state dir); a
        model without one, or no longer in the library, maps to None."""
        from tensorshelf.errors import ShelfError
        from tensorshelf.library import editing
        from tensorshelf.library.thumbnails import thumbnail

        out: dict[str, bytes | None] = {}
        for ref in refs:
            try:
                model_dir, meta = editing.load(self._ctx, ref)
            except ShelfError:
                out[ref] = None
                continue
            out[ref] = thumbnail(self.locations.thumbnails_dir, model_dir, meta)
        return out

    def present_ids(self, ids: list[str]) -> set[str]:
        """Those of `ids` still in the library."""
        return self.index.present_ids(ids)

    def sizes_of(self, ids: list[str]) -> int:
        """The bytes of these models (an id named twice counts twice; gone ones not)."""
        sizes = self.index.sizes(list(dict.fromkeys(ids)))
        return sum(sizes.get(i, 0) for i in ids)

    def statistics(self) -> LibraryStats:
        """Disk use by type, family and format, the largest models, growth by month."""
        return self.index.statistics()

    def collections(self) -> dict[str, int]:
        return self.index.collection_counts()

    def matched_models(self) -> list[str]:
        """Ids of the models matched to a Hugging Face repo."""
        return self.index.matched_models()

    def pending_lookups(self) -> list[str]:
        """Ids of the models waiting for a Hugging Face lookup."""
        return self.index.pending_lookups()
