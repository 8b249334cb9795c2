"""Pydantic models that exist only at the API boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.sync.apply import SyncResult
from tensorshelf.network.status import HostStatus


class AppStatus(BaseModel):
    version: str
    home: str
    library_root: str
    model_count: int
    bridge: Literal["desktop", "web", "cli"]
    staging_swept: list[str] = Field(default_factory=list)
    read_only: bool = False  # the library is on read-only media: browsing only
    shared_filesystem: str | None = None  # network/FUSE filesystem type (index kept locally)
    moved_from: str | None = None  # the library was here when links were made: offer relocate


class ModelDetail(BaseModel):
    model: ModelMetadata
    library_dir: str  # absolute path of the model's directory


class PreviewImage(BaseModel):
    """A model's preview image as a `data:` URL (None when it has none that can be shown)."""

    data_url: str | None = None


class AddedApp(BaseModel):
    """A newly registered app and what its first sync did."""

    app: AppInstall
    sync: list[SyncResult] = Field(default_factory=list)


class HubStatus(BaseModel):
    """The Hub as this process sees it (the token itself is never returned)."""

    endpoint: str
    token_source: str  # env | settings | token file | none
    offline_reason: str | None = None
    hosts: list[HostStatus] = Field(default_factory=list)
