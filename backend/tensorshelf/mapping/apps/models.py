"""The pydantic models of registered apps (what `apps.json` holds and the API returns)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

AppKind = Literal["comfyui", "a1111", "lmstudio", "folder"]
LinkMethod = Literal["links", "extra-paths"]


class AppInstall(BaseModel):
    """One registered app. `root` is the install folder the user named; `models_dir` the
    folder links go under (ComfyUI's `models/`, LM Studio's models folder, an A1111 data
    root — embeddings sit beside `models/` there; with the extra-paths method, the app's
    view tree in the state dir, named in its `extra_model_paths.yaml`)."""

    id: str
    name: str
    kind: AppKind
    root: str
    models_dir: str
    method: LinkMethod = "links"
    version: str | None = None
    flavour: str | None = None  # e.g. "git", "windows-portable", "desktop"
    variant: str = "default"  # which mapping-config variant applies (besides "default")
    added_at: str = ""


class AppCandidate(BaseModel):
    """What a folder looks like, before it is registered (shown to the user first)."""

    kind: AppKind
    root: str
    models_dir: str
    version: str | None = None
    flavour: str | None = None
    evidence: list[str] = Field(default_factory=list)
