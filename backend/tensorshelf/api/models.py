"""Pydantic models that exist only at the API boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tensorshelf.detect.models import Detection
from tensorshelf.library.metadata.document import ModelMetadata


class AppStatus(BaseModel):
    version: str
    home: str
    library_root: str
    model_count: int
    bridge: Literal["desktop", "web", "cli"]
    staging_swept: list[str] = Field(default_factory=list)


class ModelDetail(BaseModel):
    model: ModelMetadata
    library_dir: str  # absolute path of the model's directory


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
    rejected: list[dict[str, str]] | None = None  # {"path", "reason"}: what is not a model


class PreviewImage(BaseModel):
    """A model's preview image as a `data:` URL (None when it has none that can be shown)."""

    data_url: str | None = None
