"""Pydantic models of browsing the library (used by jobs, api, cli): the list query and its
page, facet counts and the statistics view's numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, field_validator

from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import InvalidArgument
from tensorshelf.library.metadata.document import Hashes

SortField = Literal[
    "name",
    "added_date",
    "size_bytes",
    "model_type",
    "family",
    "subtype",
    "precision",
    "rating",
    "relevance",
]  # relevance: FTS rank when text is set
SizePreset = Literal["small", "medium", "large", "huge"]  # ranges in settings.SIZE_PRESETS
AddedPreset = Literal["week", "month", "year"]  # days back in settings.ADDED_PRESET_DAYS


class ListQuery(BaseModel):
    model_type: str | None = None
    subtype: str | None = None
    family: str | None = None
    precision: str | None = None
    format: str | None = None  # detection format
    tag: str | None = None
    favorites: bool = False
    security_tier: str | None = None
    attention: bool = False  # only models whose last verify found missing or changed files
    match_method: str | None = None  # hash | filename_exact | filename_fuzzy | none
    pending: bool = False  # only models still waiting for a Hugging Face lookup
    collection: str | None = None  # only the models of this collection
    integrity: str | None = None  # ok | mismatch | missing | unverified
    size_min: int | None = Field(default=None, ge=0)  # bytes, inclusive
    size_max: int | None = Field(default=None, ge=0)  # bytes, inclusive
    added_after: str | None = None  # ISO date or time, inclusive ("2026-11-01")
    added_before: str | None = None  # ISO date or time, exclusive
    size: SizePreset | None = None  # the sidebar's size choice (with size_min/max: both apply)
    added: AddedPreset | None = None  # added within the last week, month or year
    linked_to: str | None = None  # only models linked into this app (id or name)
    not_linked_to: str | None = None  # only models not linked into this app
    text: str | None = None  # FTS query
    sort: SortField = "name"
    descending: bool = False
    limit: int = Field(default=200, ge=1, le=100_000)
    offset: int = Field(default=0, ge=0)
    # linked_to / not_linked_to resolved to model ids by the service (never sent by the UI)
    _linked_ids: list[str] | None = PrivateAttr(default=None)
    _unlinked_ids: list[str] | None = PrivateAttr(default=None)

    @field_validator("added_after", "added_before")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidArgument(f"{value!r} is not a date: use YYYY-MM-DD", value=value) from None
        return value.strip()


class ModelSummary(BaseModel):
    id: str
    path: str
    name: str
    model_type: str
    subtype: str | None
    family: str | None
    model_format: str
    format: str | None  # detection format (safetensors, gguf…)
    precision: str | None
    size_bytes: int
    hashes: Hashes | None
    tags: list[str]
    repo_id: str | None
    match_method: str
    security_tier: str
    rating: int
    added_date: str
    integrity: str = "unverified"  # the last verify's verdict: ok, mismatch, missing
    hash_mismatch: bool = False  # its name matches a Hub file, its bytes do not
    pending_lookup: bool = False  # waiting for a Hugging Face lookup


class ModelPage(BaseModel):
    total: int
    models: list[ModelSummary]


class FacetCounts(BaseModel):
    """Distinct values with counts, for the UI's filter menus."""

    model_type: dict[str, int] = Field(default_factory=dict)
    subtype: dict[str, int] = Field(default_factory=dict)
    family: dict[str, int] = Field(default_factory=dict)
    precision: dict[str, int] = Field(default_factory=dict)
    format: dict[str, int] = Field(default_factory=dict)
    tag: dict[str, int] = Field(default_factory=dict)
    security_tier: dict[str, int] = Field(default_factory=dict)
    match_method: dict[str, int] = Field(default_factory=dict)
    integrity: dict[str, int] = Field(default_factory=dict)
    pending: int = 0  # models waiting for a Hugging Face lookup
    attention: int = 0  # models whose last verify found a problem
    favorites: int = 0  # models rated as favourites
    unreadable: list[ErrorInfo] = Field(default_factory=list)  # model dirs scan could not read


class UsageRow(BaseModel):
    """Models and bytes under one value of a grouping (a type, family, format, app)."""

    key: str
    models: int
    bytes: int


class GrowthRow(BaseModel):
    """What was added in one month, and the library's size at its end."""

    month: str  # "2026-11"
    models: int
    bytes: int
    total_bytes: int


class LibraryStats(BaseModel):
    """The statistics view: the index's numbers (by_*, largest, growth) and, filled in by
    the layers that know them, the space linking saved per app and duplicates avoided."""

    models: int
    bytes: int
    by_type: list[UsageRow]
    by_kind: list[UsageRow]  # key: subtype (loras, checkpoints, …), as the list's Kind column
    by_family: list[UsageRow]
    by_format: list[UsageRow]
    largest: list[ModelSummary]
    growth: list[GrowthRow]
    linked: list[UsageRow] = Field(default_factory=list)  # key: app name; bytes not copied
    duplicates_avoided: int = 0  # imports that found the model already in the library
    duplicate_bytes_avoided: int = 0
