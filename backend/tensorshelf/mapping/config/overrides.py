"""`overrides.json` beside a model's metadata.json: per-app choices for that one model.

    {"apps": {"lmstudio": {"exclude": true},
              "comfyui": {"target_name": "my name.safetensors"}}}

`exclude` keeps the model out of that app; `target_name` names its (single) link there. A
file that cannot be read or does not have this shape excludes the model from every app, and
the plan says why, naming the file — it is never guessed around."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tensorshelf import settings
from tensorshelf.io.atomic import write_json_atomic
from tensorshelf.mapping.apps.models import AppInstall

MAX_BYTES = 64 * 1024


class AppOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exclude: bool = False
    target_name: str | None = None

    @field_validator("target_name")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or "/" in value or value in (".", "..")):
            raise ValueError("target_name must be a plain file name")
        return value


class Overrides(BaseModel):
    model_config = ConfigDict(extra="forbid")

    apps: dict[str, AppOverride] = Field(default_factory=dict)

    def for_app(self, app: AppInstall) -> AppOverride | None:
        return self.apps.get(app.id) or self.apps.get(app.kind)


class AppLinkChoice(BaseModel):
    """One app as seen from one model: linked there or kept out, under which name, and the
    links Tensorshelf made for it there (relative to the app's folder)."""

    app_id: str
    app_name: str
    exclude: bool = False
    target_name: str | None = None
    links: list[str] = Field(default_factory=list)


class ModelLinks(BaseModel):
    model_id: str
    apps: list[AppLinkChoice] = Field(default_factory=list)
    problem: str | None = None  # an unusable overrides.json (the model is linked nowhere)


def read_overrides(model_dir: Path) -> Overrides | str | None:
    """The model's overrides, None without a file, or the reason it is unusable."""
    path = model_dir / settings.OVERRIDES_FILE
    try:
        if path.stat().st_size > MAX_BYTES:
            return f"{path} is larger than {MAX_BYTES} bytes"
        return Overrides.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, json.JSONDecodeError) as exc:
        first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return f"{path} is not usable ({first})"


def write_overrides(model_dir: Path, overrides: Overrides) -> None:
    """Replace the model's overrides.json atomically (removed when it says nothing)."""
    path = model_dir / settings.OVERRIDES_FILE
    if overrides.apps:
        write_json_atomic(path, overrides)
    else:
        path.unlink(missing_ok=True)
