"""`tensorshelf collections [list | add NAME MODEL... | rm NAME MODEL... | rename OLD NEW |
delete NAME]`: the user's named groups of models (a thin adapter over ShelfApi)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tensorshelf.cli.output import UsageError, emit, handle_errors, plain
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.library.models import CollectionChange

ACTIONS = ("list", "add", "rm", "rename", "delete")


@handle_errors
def collections_cmd(
    ctx: typer.Context,
    action: Annotated[str, typer.Argument(help="list, add, rm, rename or delete.")] = "list",
    args: Annotated[
        list[str] | None, typer.Argument(help="NAME MODEL... | OLD NEW | NAME.")
    ] = None,
) -> None:
    """List collections, put models into one or take them out, rename or delete one."""
    state = get_state(ctx)
    rest = list(args or [])
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    if action == "list":
        if rest:
            raise UsageError("collections list takes nothing more")
        counts = state.api().list_collections()

        def human(c: Console) -> None:
            for name, n in counts.items():
                c.print(f"{plain(name)}  ({n} model{'s' if n != 1 else ''})")
            if not counts:
                c.print("no collections yet: tensorshelf collections add NAME MODEL...")

        emit(state, {"ok": True, "collections": counts}, human)
        return
    api = state.api()
    change: CollectionChange
    if action in ("add", "rm"):
        if len(rest) < 2:
            raise UsageError(f"collections {action} NAME MODEL...")
        name, models = rest[0], rest[1:]
        change = (
            api.change_collections(refs=models, add=[name])
            if action == "add"
            else api.change_collections(refs=models, remove=[name])
        )
        what = f"{len(change.ids)} model(s) {'added to' if action == 'add' else 'taken out of'}"
        summary = f"{what} {plain(name)}"
    elif action == "rename":
        if len(rest) != 2:
            raise UsageError("collections rename OLD NEW")
        change = api.rename_collection(old=rest[0], new=rest[1])
        summary = f"renamed {plain(rest[0])} to {plain(rest[1])} ({len(change.ids)} model(s))"
    else:
        if len(rest) != 1:
            raise UsageError("collections delete NAME")
        change = api.delete_collection(name=rest[0])
        summary = f"deleted {plain(rest[0])} (its {len(change.ids)} model(s) stay in the library)"
    emit(state, {"ok": True, **change.model_dump(mode="json")}, lambda c: c.print(summary))
