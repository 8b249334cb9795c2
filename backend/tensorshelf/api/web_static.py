"""Serving the built UI (frontend/dist) in web mode, and finding it for the desktop window."""

from __future__ import annotations

import html
import os
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from tensorshelf import settings

_REPO_ROOT = Path(__file__).resolve().parents[3]

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tensorshelf — UI not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>UI not built: run ./scripts/run</h1>
<p>The web UI was not found in <code>{dist}</code>. <code>./scripts/run</code> (or
<code>npm run build</code> in the repository) builds it. The API is running regardless.</p>
</body></html>
"""


def ui_dist_dir() -> Path:
    """Directory holding the built UI's index.html ($TENSORSHELF_UI_DIR or frontend/dist)."""
    override = os.environ.get(settings.ENV_UI_DIR)
    return Path(override).expanduser().absolute() if override else _REPO_ROOT / "frontend" / "dist"


def ui_index(dist: Path | None = None) -> Path | None:
    """The built UI's index.html, or None when the UI has not been built."""
    index = (dist or ui_dist_dir()) / "index.html"
    return index if index.is_file() else None


class StaticUI:
    """ASGI app: the files of `dist` (index.html at `/`), or a page that says how to build
    the UI when it is missing. Checked per request, so building while serving just works."""

    def __init__(self, dist: Path) -> None:
        self._dist = dist
        self._files: StaticFiles | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if ui_index(self._dist) is None:
            page = NOT_BUILT_PAGE.format(dist=html.escape(str(self._dist)))
            await HTMLResponse(page, status_code=503)(scope, receive, send)
            return
        if self._files is None:
            self._files = StaticFiles(directory=self._dist, html=True)
        await self._files(scope, receive, send)
