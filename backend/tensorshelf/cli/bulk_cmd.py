"""`tensorshelf bulk MODEL... [--add-tag T] [--remove-tag T] [--rating N] [--add-to NAME]
[--remove-from NAME] [--exclude-from APP | --link-in APP]`: one change to many models (the
window's multi-selection). `-` reads model references from stdin, one per line, so a
`list --json` can be piped in. A thin adapter over ShelfApi."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from tensorshelf.cli.output import EXIT_ERROR, UsageError, emit, handle_errors, plain
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.library.bulk import BulkReport

STDIN_REF = "-"


def _refs(models: list[str]) -> list[str]:
    refs: list[str] = []
    for ref in models:
        if ref == STDIN_REF:
            refs.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            refs.append(ref)
    if not refs:
        raise UsageError("no model given (name them, or pass - and give their ids on stdin)")
    return refs


def _summary(report: BulkReport, what: str) -> str:
    parts = [f"{len(report.changed)} model(s) {what}"]
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} already so")
    if report.failed:
        parts.append(f"{len(report.failed)} could not be changed")
    return ", ".join(parts)


@handle_errors
def bulk_cmd(
    ctx: typer.Context,
    models: Annotated[
        list[str], typer.Argument(help="Model ids, short refs or paths; - reads them from stdin.")
    ],
    add_tag: Annotated[
        list[str] | None, typer.Option("--add-tag", help="Add this tag (repeatable).")
    ] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", help="Remove this tag (repeatable).")
    ] = None,
    rating: Annotated[
        int | None, typer.Option("--rating", min=0, max=5, help="0–5 (5 = favourite).")
    ] = None,
    add_to: Annotated[
        list[str] | None, typer.Option("--add-to", help="Put into this collection (repeatable).")
    ] = None,
    remove_from: Annotated[
        list[str] | None, typer.Option("--remove-from", help="Take out of this collection.")
    ] = None,
    exclude_from: Annotated[
        str | None, typer.Option("--exclude-from", help="Keep the models out of this app.")
    ] = None,
    link_in: Annotated[
        str | None, typer.Option("--link-in", help="Link the models into this app again.")
    ] = None,
) -> None:
    """Tag, rate, collect, or link/exclude many models at once."""
    from tensorshelf.library.bulk import BulkEdit

    state = get_state(ctx)
    if exclude_from and link_in:
        raise UsageError("give --exclude-from or --link-in, not both")
    change = BulkEdit(
        add_tags=list(add_tag or []),
        remove_tags=list(remove_tag or []),
        rating=rating,
        add_collections=list(add_to or []),
        remove_collections=list(remove_from or []),
    )
    app = exclude_from or link_in
    if change.is_empty() and app is None:
        raise UsageError(
            "nothing to change: give --add-tag, --remove-tag, --rating, --add-to, "
            "--remove-from, --exclude-from or --link-in"
        )
    refs = _refs(models)
    api = state.api()
    reports: dict[str, BulkReport] = {}
    if not change.is_empty():
        reports["edit"] = api.edit_models(refs=refs, change=change)
    if app is not None:
        reports["links"] = api.set_link_choices(refs=refs, app=app, exclude=bool(exclude_from))

    def human(c: Console) -> None:
        if "edit" in reports:
            c.print(_summary(reports["edit"], "changed"))
        if "links" in reports:
            verb = f"kept out of {plain(app)}" if exclude_from else f"linked in {plain(app)}"
            c.print(_summary(reports["links"], verb))
        for report in reports.values():
            for failure in report.failed:
                c.print(f"  {plain(failure.ref)}: {plain(failure.error.message)}")

    failed = any(r.failed for r in reports.values())
    document = {"ok": not failed, **{k: r.model_dump(mode="json") for k, r in reports.items()}}
    emit(state, document, human)
    if failed:
        raise typer.Exit(EXIT_ERROR)
