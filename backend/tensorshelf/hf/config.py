"""Where the Hub is and who we are there, as huggingface_hub decides it: `HF_ENDPOINT`
(default https://huggingface.co), the token from `HF_TOKEN` (or the legacy
`HUGGING_FACE_HUB_TOKEN`), else the one set in Tensorshelf's Settings (state dir, 0600), else
the token file (`HF_TOKEN_PATH`, default `$HF_HOME/token`, `HF_HOME` defaulting to
`~/.cache/huggingface`). The token is only ever sent to the endpoint's own host; it is never
logged or returned (`HubConfig` hides it from repr and dumps)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tensorshelf import settings
from tensorshelf.io.atomic import write_bytes_atomic
from tensorshelf.io.text_head import read_head

_TOKEN_MODE = 0o600


@dataclass(frozen=True)
class HubConfig:
    endpoint: str
    token: str | None = field(default=None, repr=False)
    token_source: str = "none"  # env | settings | token file | none (safe to show)

    @property
    def host(self) -> str:
        rest = self.endpoint.split("://", 1)[-1]
        return rest.split("/", 1)[0]


def hf_home(environ: Mapping[str, str]) -> Path:
    if environ.get(settings.ENV_HF_HOME):
        return Path(environ[settings.ENV_HF_HOME]).expanduser()
    cache = environ.get("XDG_CACHE_HOME")
    return (Path(cache) if cache else Path.home() / ".cache") / "huggingface"


def load_config(state_dir: Path, environ: Mapping[str, str] | None = None) -> HubConfig:
    env = os.environ if environ is None else environ
    endpoint = (env.get(settings.ENV_HF_ENDPOINT) or settings.HF_DEFAULT_ENDPOINT).rstrip("/")
    for name in (settings.ENV_HF_TOKEN, settings.ENV_HF_TOKEN_LEGACY):
        if env.get(name, "").strip():
            return HubConfig(endpoint, env[name].strip(), "env")
    own = read_head(state_dir / settings.HF_TOKEN_FILE).strip()
    if own:
        return HubConfig(endpoint, own, "settings")
    path = (
        Path(env[settings.ENV_HF_TOKEN_PATH])
        if env.get(settings.ENV_HF_TOKEN_PATH)
        else (hf_home(env) / "token")
    )
    theirs = read_head(path).strip()
    return HubConfig(endpoint, theirs, "token file") if theirs else HubConfig(endpoint)


def save_token(state_dir: Path, token: str | None) -> None:
    """Store (or, with None/"", forget) the token set in Settings, readable by the user only."""
    path = state_dir / settings.HF_TOKEN_FILE
    if not token:
        path.unlink(missing_ok=True)
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, token.strip().encode("utf-8"), _TOKEN_MODE)
