"""Pydantic models at the library service's boundary (used by jobs, api, cli)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field

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
    card_image: str | None = None  # a trusted match's card image (repo path): a preview to fetch


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
