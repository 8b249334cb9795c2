"""`tensorshelf filters [--rm NAME]`: the saved filters the window's sidebar shows; apply one
with `list --saved NAME`, save one with `list … --save-as NAME` (a thin adapter over
ShelfApi's settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tensorshelf.cli.output import emit, handle_errors, plain
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console


@handle_errors
def filters_cmd(
    ctx: typer.Context,
    remove: Annotated[str | None, typer.Option("--rm", help="Remove this saved filter.")] = None,
) -> None:
    """List the saved filters (name, words, filters), or remove one."""
    from tensorshelf.api.saved_filters import find_saved

    state = get_state(ctx)
    api = state.api()
    saved = api.get_settings().saved_filters
    if remove is not None:
        gone = find_saved(saved, remove)
        saved = api.update_settings(
            {"saved_filters": [f for f in saved if f.name != gone.name]}
        ).saved_filters

    def human(c: Console) -> None:
        if remove is not None:
            c.print(f"removed the saved filter {plain(remove)}")
        for f in saved:
            parts = [f"“{plain(f.text)}”"] if f.text else []
            parts += [k if v is True else f"{k}={plain(v)}" for k, v in f.filters.items()]
            c.print(f"{plain(f.name)}: {', '.join(parts) or 'everything'}")
        if not saved:
            c.print("no saved filters yet: tensorshelf list … --save-as NAME")

    emit(state, {"ok": True, "filters": saved}, human)
