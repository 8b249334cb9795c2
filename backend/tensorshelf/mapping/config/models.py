"""Mapping configs: which models go into which folder of an app (plan-catalogue §2.3).

A config names its app kind, the app versions it is for (`*` or a PEP 440 specifier such as
`>=0.30`) and a variant; its rules say where matching models go. A rule matches a model
when every filter given matches (lists: any value; `exclude_tags` always wins); its
`patterns` pick the model's files by name; `target_kind: directory` links a whole model
folder (a diffusers folder) as one directory link. `target_subdir` may use `{publisher}` and
`{repo}` (LM Studio's two levels)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tensorshelf.errors import UnsafePath
from tensorshelf.io.naming import safe_relative_path


class RuleFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_type: list[str] | None = None
    subtype: list[str] | None = None
    family: list[str] | None = None
    model_format: list[str] | None = None  # single-file, sharded-set, diffusers-folder, …
    format: list[str] | None = None  # safetensors, gguf, pickle, …
    tags_any: list[str] | None = None
    exclude_tags: list[str] | None = None
    min_size: int | None = Field(default=None, ge=0)  # bytes
    max_size: int | None = Field(default=None, ge=0)


class MappingRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    target_subdir: str = Field(min_length=1)
    patterns: list[str] = Field(default_factory=lambda: ["*"])
    filters: RuleFilters = Field(default_factory=RuleFilters)
    target_kind: Literal["file", "directory"] = "file"
    enabled: bool = True
    priority: int = 0

    @field_validator("target_subdir")
    @classmethod
    def _inside(cls, value: str) -> str:
        template = value.replace("{publisher}", "p").replace("{repo}", "r")
        try:
            safe_relative_path(template)
        except UnsafePath as exc:  # "..", an absolute path, …: it would leave the app
            raise ValueError(exc.message) from exc
        return value


class MappingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app: str
    version: str = "*"
    variant: str = "default"
    app_id: str | None = None  # a user config for one registered app only
    description: str = ""
    rules: list[MappingRule] = Field(default_factory=list)


class LoadedConfig(BaseModel):
    """A config as found: where it came from and how specific it is for one app version."""

    source: str  # "shipped:<file>" or the user config's path
    config: MappingConfig
    specificity: int


class ConfigProblem(BaseModel):
    """An invalid config file: skipped, reported with where and why."""

    path: str
    message: str
