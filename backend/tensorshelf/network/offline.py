"""Whether the network may be used at all: `HF_HUB_OFFLINE=1` (or `TRANSFORMERS_OFFLINE`),
`--offline` (TENSORSHELF_OFFLINE for the process) or the settings switch. Offline means no
request is attempted — not even to find out."""

from __future__ import annotations

import os
from collections.abc import Mapping

from tensorshelf import settings

_TRUE = {"1", "true", "yes", "on"}


def offline_reason(switch: bool = False, environ: Mapping[str, str] | None = None) -> str | None:
    """Why requests are off (a sentence), or None when they may be made."""
    env = os.environ if environ is None else environ
    if switch:
        return "offline mode is on in Settings"
    if env.get(settings.ENV_TENSORSHELF_OFFLINE, "").strip().lower() in _TRUE:
        return "--offline was given"
    for name in (settings.ENV_OFFLINE, *settings.ENV_OFFLINE_ALIASES):
        if env.get(name, "").strip().lower() in _TRUE:
            return f"{name}=1 is set"
    return None
