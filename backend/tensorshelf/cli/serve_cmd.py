"""`tensorshelf serve`: web mode (the UI and the API on 127.0.0.1 behind a token), and the
desktop window launched by `tensorshelf` with no command."""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer

from tensorshelf.cli.output import handle_errors
from tensorshelf.cli.state import get_state
from tensorshelf.errors import ShelfError


class NotAvailable(ShelfError):
    code = "unsupported"


def _load(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"{module}.{name} is not available: {exc}") from exc


@handle_errors
def serve_cmd(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0 picks a free one).")
    ] = 0,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
) -> None:
    """Serve the UI and API on 127.0.0.1 (prints the URL with its token)."""
    state = get_state(ctx)
    serve = _load("tensorshelf.api.web", "serve")
    code = serve(
        state.api(bridge="web", create=True),
        port=port,
        open_browser=not no_open,
        json_output=state.json,
    )
    if code:
        raise typer.Exit(int(code))


@handle_errors
def desktop(ctx: typer.Context) -> int:
    """Open the desktop window (the app falls back to web mode without a display)."""
    run_desktop = _load("tensorshelf.desktop.window", "run_desktop")
    code = run_desktop(get_state(ctx).locations())
    return int(code or 0)
