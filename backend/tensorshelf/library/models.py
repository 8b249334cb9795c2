"""Pydantic models at the library service's boundary (used by jobs, api, cli)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, PrivateAttr, field_validator

from tensorshelf import settings
from tensorshelf.detect.models import Detection, ModelType
from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import InvalidArgument
from tensorshelf.library.metadata.document import Hashes, ModelFormat

ImportMode = Literal["copy", "move", "link"]
ImportStage = Literal[
    "queued",
    "validating",
    "copying",
    "hashing",
    "verifying",
    "publishing",
    "done",
    "failed",
    "duplicate",
    "skipped",
]


FileStatus = Literal["ok", "mismatch", "missing", "cached"]
MODEL_TYPES: tuple[str, ...] = get_args(ModelType)


def known_model_type(value: str | None) -> str | None:
    """model_type is a closed vocabulary (DESIGN "Detection vocabulary"); it names the
    library's top-level folders, so a typo must not invent a new one. Raises InvalidArgument
    (not a ValueError), so the boundary reports it with its own code and sentence."""
    if value is not None and value.strip() and value.strip() not in MODEL_TYPES:
        raise InvalidArgument(
            f"unknown model type {value!r}: use one of {', '.join(MODEL_TYPES)}", model_type=value
        )
    return value


# A model type a user may give (None: keep or detect it): checked where it enters.
ModelTypeChoice = Annotated[str | None, AfterValidator(known_model_type)]

# A user's text is capped where it enters, so metadata.json stays small (and readable).
UserText = Annotated[str, Field(max_length=settings.USER_TEXT_MAX_CHARS)]
UserName = Annotated[str, Field(max_length=settings.USER_NAME_MAX_CHARS)]


class ImportOptions(BaseModel):
    """Per-item options (the UI may set them per dropped item; the CLI sets them for all)."""

    mode: ImportMode = "copy"
    name: UserName | None = None
    family: UserName | None = None
    model_type: ModelTypeChoice = None
    subtype: UserName | None = None
    tags: list[UserName] = Field(default_factory=list, max_length=settings.USER_TAGS_MAX)
    accept_pickle: bool = False
    lookup: bool = True  # Hugging Face lookup after import (hf issue); --no-lookup clears it


class SourceStamp(BaseModel):
    """A source file as planned: an import refuses it if any of this changed meanwhile
    (ctime cannot be set back by a user, so a rewrite that restores mtime still shows)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, st: os.stat_result) -> SourceStamp:
        return cls(
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
            ctime_ns=st.st_ctime_ns,
            inode=st.st_ino,
            device=st.st_dev,
        )


class ImportPlanItem(BaseModel):
    """One logical model an import of some paths would create (what the dialog lists)."""

    key: str  # stable key of this unit (its primary path), used to attach per-item options
    name: str
    model_format: ModelFormat
    paths: list[str]  # absolute source paths, weights first
    root: str  # absolute dir the relative file names are taken from
    relative_files: list[str]
    size_bytes: int
    stamps: dict[str, SourceStamp] = Field(default_factory=dict)  # by relative file name
    detection: Detection | None = None
    security_tier: Literal["safe", "unknown", "pickle"] = "unknown"
    duplicate_of: str | None = (
        None  # id of a library model with the same primary sha256 (from the hash cache only)
    )
    warnings: list[str] = Field(default_factory=list)
    error: ErrorInfo | None = None  # set when the unit cannot be imported (not a model file…)


class ImportPlan(BaseModel):
    """What an import of some paths would do, as reviewed: `start_import(plan_id)` imports
    exactly these items (kept in ops.db, so a resumed job imports the same plan)."""

    plan_id: str | None = None  # set when the plan is kept for an import
    items: list[ImportPlanItem]
    rejected: list[ErrorInfo] = Field(default_factory=list)  # inputs left out; details.path


class ImportResult(BaseModel):
    ok: bool
    key: str | None = None
    id: str | None = None
    path: str | None = None
    hashes: Hashes | None = None
    duplicate_of: str | None = None
    warnings: list[str] = Field(default_factory=list)
    error: ErrorInfo | None = None  # set when ok is false


class ImportProgress(BaseModel):
    """Pushed per file while an import runs."""

    key: str
    file: str
    stage: ImportStage
    bytes_done: int = 0
    bytes_total: int = 0
    rate_bps: float = 0.0
    eta_s: float | None = None


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


class CollectionChange(BaseModel):
    """Models put into / taken out of collections (the ids it touched)."""

    ids: list[str] = Field(default_factory=list)
    collections: dict[str, int] = Field(default_factory=dict)  # every collection, its size


class ModelEdit(BaseModel):
    name: UserName | None = None
    family: UserName | None = None
    model_type: ModelTypeChoice = None
    subtype: UserName | None = None
    tags: list[UserName] | None = Field(default=None, max_length=settings.USER_TAGS_MAX)
    notes: UserText | None = None
    rating: int | None = Field(default=None, ge=0, le=5)
    # a family outside the vocabulary (and the library) is refused as a likely typo unless
    # forced; known aliases ("SD 1.5", "Flux.1 D", "SDXL 1.0") become the family id
    force: bool = False


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


class RemoveResult(BaseModel):
    id: str
    path: str
    removed: bool
    error: ErrorInfo | None = None
    restored: list[str] = Field(default_factory=list)  # undo of a move: files put back there


class ScanReport(BaseModel):
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: int = 0
    phantoms: list[str] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(default_factory=list)  # details.path: the model dir
    unreadable: list[ErrorInfo] = Field(
        default_factory=list
    )  # corrupt metadata.json (also in errors)
    staging_swept: list[str] = Field(default_factory=list)


class RebuildReport(BaseModel):
    models_found: int = 0
    models_indexed: int = 0
    phantoms: list[str] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(default_factory=list)  # details.path: the model dir
    unreadable: list[ErrorInfo] = Field(
        default_factory=list
    )  # corrupt metadata.json (also in errors)


class FileVerification(BaseModel):
    path: str
    ok: bool
    status: FileStatus
    expected_sha256: str
    actual_sha256: str | None = None
    actual_blake3: str | None = None  # what a read computed (fills in a missing BLAKE3)


class ModelVerification(BaseModel):
    id: str
    path: str
    ok: bool
    files: list[FileVerification]
    bytes_read: int = 0  # bytes actually re-read (0 when every file was answered by the cache)


class VerifyReport(BaseModel):
    models: list[ModelVerification] = Field(default_factory=list)
    bytes_read: int = 0

    @property
    def ok(self) -> bool:
        return all(m.ok for m in self.models)


class ReclassifyChange(BaseModel):
    id: str
    old_path: str
    new_path: str
    changes: dict[str, list[str | None]]  # field -> [old, new]


class ReclassifyItem(BaseModel):
    """The outcome for one model of a reclassify run (a job's per-model checkpoint and
    `job.item_done` result): `change` when its classification changed (or would, in a dry
    run), `error` when it could not be checked, neither when it is unchanged."""

    ref: str
    change: ReclassifyChange | None = None
    error: ErrorInfo | None = None


class ReclassifyReport(BaseModel):
    dry_run: bool
    changed: list[ReclassifyChange] = Field(default_factory=list)
    unchanged: int = 0
    errors: list[ErrorInfo] = Field(default_factory=list)  # details.ref: the model

    def add(self, item: ReclassifyItem) -> None:
        """Count one model's outcome."""
        if item.error is not None:
            self.errors.append(item.error)
        elif item.change is not None:
            self.changed.append(item.change)
        else:
            self.unchanged += 1


class InspectedModel(BaseModel):
    """One model found in a folder that `inspect` was given."""

    path: str  # the file (or the model's folder) that was detected
    name: str
    model_format: str  # single-file | sharded-set | diffusers-folder | bundle
    detection: Detection
    warnings: list[str] = Field(default_factory=list)


class InspectResult(BaseModel):
    """`detection` for one model (a file, a set, a model folder); `models` (+ `rejected`)
    for a plain folder holding several models."""

    path: str
    detection: Detection | None = None
    models: list[InspectedModel] | None = None
    rejected: list[ErrorInfo] | None = None  # what is not a model; details.path


@dataclass(slots=True)
class MappableFile:
    path: str  # relative to the model dir
    role: str
    sha256: str | None


@dataclass(slots=True)
class MappableModel:
    """What the mapping layer reads of a model (from the index, for thousands at once)."""

    id: str
    path: str  # library-relative model dir
    name: str
    model_type: str
    subtype: str | None
    family: str | None
    model_format: str
    format: str | None
    tags: list[str]
    size_bytes: int
    sha256: str | None
    repo_id: str | None
    files: list[MappableFile] = field(default_factory=list)


class LookupOutcome(BaseModel):
    """What a Hugging Face lookup found for one model (written by `record_lookup`).
    `pending`: the Hub could not be asked — the model stays pending and is retried."""

    status: Literal["matched", "no_match", "pending"]
    repo_id: str | None = None
    revision: str | None = None
    match_method: Literal["hash", "filename_exact", "filename_fuzzy", "none"] = "none"
    match_confidence: float = 0.0
    hash_mismatch: bool = False
    official_name: str | None = None
    hf_tags: list[str] = Field(default_factory=list)
    license: str | None = None
    pipeline_tag: str | None = None
    download_url: str | None = None
    error: str | None = None
    downloaded_file: str | None = None  # set for a model Tensorshelf downloaded: its source


class LookupItem(BaseModel):
    """One model's line in a lookup job's result."""

    id: str
    name: str
    status: Literal["matched", "no_match", "pending"]
    match_method: str = "none"
    repo_id: str | None = None
    hash_mismatch: bool = False
    requests: int = 0
    problem: str | None = None  # why it is pending or unmatched (the Hub's words)
    update: str | None = None  # an update check: up_to_date | update_available | gone
    update_detail: str | None = None


class LookupReport(BaseModel):
    items: list[LookupItem] = Field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(1 for i in self.items if i.status == "pending")
