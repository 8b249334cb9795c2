"""metadata.json: the single source of truth for one model (DESIGN.md "metadata.json").

Unknown keys are preserved on rewrite (`extra="allow"`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tensorshelf.detect.models import Detection, SecurityTier

METADATA_SCHEMA_VERSION = 1

ModelFormat = Literal["single-file", "sharded-set", "diffusers-folder", "bundle"]
FileRole = Literal["weights", "config", "tokenizer", "preview", "companion", "index"]
MatchMethod = Literal["hash", "filename_exact", "filename_fuzzy", "manual", "none"]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    path: str  # relative to the model dir, "/"-separated, original name byte-for-byte
    size: int
    sha256: str
    # None: not computed yet — a file adopted from a Hugging Face cache with the cache's
    # SHA-256 (never read); the first verify that reads it fills it in
    blake3: str | None = None
    mtime_ns: int | None = None
    role: FileRole = "weights"
    shard_index: int | None = None
    shard_total: int | None = None
    git_sha1: str | None = None  # small files: the git blob SHA-1 the Hub lists for non-LFS


class Source(BaseModel):
    model_config = ConfigDict(extra="allow")

    kind: Literal["local", "huggingface", "url"] = "local"
    path: str | None = None
    repo_id: str | None = None
    revision: str | None = None
    file: str | None = None
    url: str | None = None
    imported_at: str = Field(default_factory=utc_now)
    mode: Literal["copy", "move", "link"] | None = None


class Hashes(BaseModel):
    sha256: str
    blake3: str | None = None  # see FileEntry.blake3


IntegrityState = Literal["ok", "mismatch", "missing", "unverified"]


class IntegrityFile(BaseModel):
    """One file's verdict in the last verify: ok (read now), cached (the hash cache vouched
    for unchanged bytes), mismatch or missing."""

    path: str
    status: Literal["ok", "cached", "mismatch", "missing"]
    actual_sha256: str | None = None


class Integrity(BaseModel):
    """What the last `verify` found, recorded so it is not forgotten: `mismatch` if any
    file's bytes differ, else `missing` if any file is gone, else `ok`."""

    state: IntegrityState = "unverified"
    checked_at: str | None = None
    files: list[IntegrityFile] = Field(default_factory=list)


class ModelMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")

    schema_version: int = METADATA_SCHEMA_VERSION
    # identity
    id: str
    path: str  # library-relative dir "<model_type>/<family>/<name>", "/"-separated
    name: str
    cleaned_name: str
    # classification
    model_format: ModelFormat = "single-file"
    model_type: str = "other"
    subtype: str | None = None
    family: str | None = None
    base_model: str | None = None
    variant: str | None = None
    precision: str | None = None
    detection: Detection | None = None
    # files
    files: list[FileEntry] = Field(default_factory=list)
    hashes: Hashes | None = None  # the primary weight file's
    size_bytes: int = 0
    # provenance
    sources: list[Source] = Field(default_factory=list)
    import_session: str | None = None
    # Hugging Face match
    repo_id: str | None = None
    revision: str | None = None
    match_method: MatchMethod = "none"
    match_confidence: float = 0.0
    match_source: Literal["auto", "manual"] = "auto"
    hash_mismatch: bool = False
    integrity: Integrity | None = None  # the last verify's verdict (None: never verified)
    pending_online_lookup: bool = False
    lookup_attempts: int = 0
    last_lookup_attempt: str | None = None
    official_name: str | None = None
    hf_tags: list[str] = Field(default_factory=list)
    license: str | None = None
    pipeline_tag: str | None = None
    download_url: str | None = None
    model_card_excerpt: str | None = None
    # what other tools / embedded metadata said
    trigger_words: list[str] = Field(default_factory=list)
    description: str | None = None
    # user
    tags: list[str] = Field(default_factory=list)
    notes: str = ""
    rating: int = Field(default=0, ge=0, le=5)
    collections: list[str] = Field(default_factory=list)
    preview_image: str | None = None
    # fields the user set explicitly (import options, edit); reclassify never overwrites them
    user_overrides: list[str] = Field(default_factory=list)
    # safety
    security_tier: SecurityTier = "unknown"
    pickle_scan: dict[str, Any] | None = None
    # times
    added_date: str = Field(default_factory=utc_now)
    updated_date: str = Field(default_factory=utc_now)
