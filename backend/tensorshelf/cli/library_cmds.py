"""Browsing and changing the library: list, show, search, edit, rm."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tensorshelf.cli.output import (
    UsageError,
    cell,
    confirm_or_fail,
    emit,
    handle_errors,
    human_size,
    key_values,
    models_table,
    plain,
    short_id,
)
from tensorshelf.cli.state import CliState, get_state
from tensorshelf.io.atomic import write_bytes_atomic
from tensorshelf.library.query_models import AddedPreset, SizePreset

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.library.metadata.document import ModelMetadata
    from tensorshelf.library.query_models import ModelPage


class SortField(StrEnum):
    name = "name"
    added_date = "added_date"
    size_bytes = "size_bytes"
    model_type = "model_type"
    family = "family"
    subtype = "subtype"
    precision = "precision"
    rating = "rating"


def _print_page(state: CliState, page: ModelPage, offset: int) -> None:
    def human(console: Console) -> None:
        if not page.models:
            console.print(
                "no models"
                if page.total == 0
                else f"no models at offset {offset} (total {page.total})"
            )
            return
        console.print(models_table(page.models))
        first = offset + 1
        console.print(f"{first}–{offset + len(page.models)} of {page.total} model(s)")

    emit(state, {"ok": True, "total": page.total, "models": page.models}, human)


@handle_errors
def list_cmd(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Words to find (name, family, kind, tags, notes, sha256:…)."),
    ] = None,
    model_type: Annotated[str | None, typer.Option("--type", help="diffusion, llm, other")] = None,
    subtype: Annotated[
        str | None, typer.Option("--subtype", help="checkpoints, loras, vae…")
    ] = None,
    family: Annotated[str | None, typer.Option("--family", help="sd1, sdxl, flux1, llama…")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only models with this tag.")] = None,
    precision: Annotated[str | None, typer.Option("--precision", help="fp16, bf16, q4_k…")] = None,
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="safetensors, gguf, pickle, onnx, diffusers, transformers"),
    ] = None,
    favorites: Annotated[bool, typer.Option("--favorites", help="Only rating 5.")] = False,
    attention: Annotated[
        bool,
        typer.Option(
            "--attention", help="Only models whose last verify found changed or missing files."
        ),
    ] = False,
    match_method: Annotated[
        str | None,
        typer.Option("--match", help="hash (Verified), filename_exact, filename_fuzzy, none."),
    ] = None,
    pending: Annotated[
        bool, typer.Option("--pending", help="Only models waiting for a Hugging Face lookup.")
    ] = False,
    collection: Annotated[
        str | None, typer.Option("--collection", help="Only the models of this collection.")
    ] = None,
    integrity: Annotated[
        str | None, typer.Option("--integrity", help="ok, mismatch, missing, unverified.")
    ] = None,
    min_size: Annotated[
        str | None, typer.Option("--min-size", help="At least this big (500M, 2G, bytes).")
    ] = None,
    max_size: Annotated[
        str | None, typer.Option("--max-size", help="At most this big (500M, 2G, bytes).")
    ] = None,
    added_after: Annotated[
        str | None, typer.Option("--added-after", help="Added on or after YYYY-MM-DD.")
    ] = None,
    added_before: Annotated[
        str | None, typer.Option("--added-before", help="Added before YYYY-MM-DD.")
    ] = None,
    linked_to: Annotated[
        str | None, typer.Option("--linked-to", help="Only models linked into this app.")
    ] = None,
    not_linked_to: Annotated[
        str | None, typer.Option("--not-linked-to", help="Only models not linked into this app.")
    ] = None,
    size: Annotated[
        SizePreset | None, typer.Option("--size", help="The sidebar's size choice.")
    ] = None,
    added: Annotated[
        AddedPreset | None, typer.Option("--added", help="Added in the last week, month, year.")
    ] = None,
    saved: Annotated[
        str | None,
        typer.Option("--saved", help="Apply a saved filter (see `filters`); options add to it."),
    ] = None,
    save_as: Annotated[
        str | None,
        typer.Option(
            "--save-as", help="Save these words and filters under a name (as the window)."
        ),
    ] = None,
    sort: Annotated[
        SortField | None, typer.Option("--sort", help="Sort field (search: best match).")
    ] = None,
    descending: Annotated[bool, typer.Option("--desc", help="Sort descending.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Page size (list 200, search 50).")
    ] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many.")] = 0,
) -> None:
    """List the models in the library; with words, search it (best matches first). `list`
    and `search` take the same filters."""
    from tensorshelf.api.saved_filters import find_saved, saved_filter, saved_query

    state = get_state(ctx)
    api = state.api()
    searching = ctx.info_name == "search"
    given: dict[str, Any] = {
        "text": " ".join(words or []).strip() or None,
        "size_min": parse_size(min_size, "--min-size"),
        "size_max": parse_size(max_size, "--max-size"),
        "added_after": added_after,
        "added_before": added_before,
        "size": size,
        "added": added,
        "linked_to": linked_to,
        "not_linked_to": not_linked_to,
        "model_type": model_type,
        "subtype": subtype,
        "family": family,
        "tag": tag,
        "precision": precision,
        "format": file_format,
        "favorites": favorites,
        "attention": attention,
        "match_method": match_method,
        "pending": pending,
        "integrity": integrity,
        "collection": collection,
    }
    given = {k: v for k, v in given.items() if v is not None and v is not False}
    base = find_saved(api.get_settings().saved_filters, saved) if saved else None
    text = given.get("text") or (base.text if base else None) or None
    if searching and text is None:
        raise UsageError("search needs words to find: tensorshelf search TEXT")
    given["sort"] = "relevance" if text is not None and sort is None else (sort or SortField.name)
    given["descending"] = descending
    given["limit"] = limit or (SEARCH_PAGE if searching else LIST_PAGE)
    given["offset"] = offset
    query = saved_query(base, given)
    if save_as:
        kept = [f for f in api.get_settings().saved_filters if f.name != save_as]
        api.update_settings({"saved_filters": [*kept, saved_filter(save_as, query)]})
    _print_page(state, api.list_models(query=query), offset)


LIST_PAGE, SEARCH_PAGE = 200, 50
_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str | None, option: str) -> int | None:
    """ "500M", "2G", "1.5g", "123" (bytes) → bytes; UsageError naming the option otherwise."""
    if text is None:
        return None
    raw = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = raw[-1:] if raw[-1:] in _SIZE_UNITS else ""
    try:
        value = float(raw[: len(raw) - len(unit)])
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a size: use e.g. 500M, 2G or bytes") from None
    if value < 0:
        raise UsageError(f"{option} must not be negative")
    return int(value * _SIZE_UNITS[unit])


def _print_model(console: Console, meta: ModelMetadata, library_dir: str | None) -> None:
    from rich.table import Table

    console.print(f"[bold]{plain(meta.name)}[/]  [dim]{short_id(meta.id)}  ({meta.id})[/]")
    rows: list[tuple[str, Any]] = [
        ("path", meta.path),
        ("directory", library_dir),
        ("type", f"{meta.model_type} / {meta.subtype or '-'}"),
        ("family", meta.family),
        ("format", meta.model_format),
        ("precision", meta.precision),
        ("size", human_size(meta.size_bytes)),
        ("sha256", meta.hashes.sha256 if meta.hashes else None),
        ("blake3", meta.hashes.blake3 if meta.hashes else None),
        ("security", meta.security_tier),
        ("tags", meta.tags),
        ("rating", meta.rating),
        ("notes", meta.notes),
        ("repo", meta.repo_id),
        ("match", meta.match_method),
        ("added", meta.added_date),
        ("updated", meta.updated_date),
    ]
    console.print(key_values(rows))
    files = Table("file", "size", "role", "sha256", show_edge=False, header_style="bold")
    for f in meta.files:
        files.add_row(plain(f.path), human_size(f.size), f.role, f.sha256[:16] + "…")
    console.print(files)
    if meta.detection is not None:
        d = meta.detection
        console.print(f"detection (v{d.detector_version}, confidence {d.confidence:.2f}):")
        for line in d.evidence:
            console.print(f"  • {plain(line)}")
    for s in meta.sources:
        console.print(
            f"source: {cell(s.path or s.repo_id or s.url)} ({s.mode or s.kind}, {s.imported_at})"
        )


@handle_errors
def show_cmd(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="Model id, unique id prefix or library path.")],
    thumbnail: Annotated[
        Path | None,
        typer.Option(
            "--thumbnail",
            help="Also write its preview's small WebP thumbnail (the grid view's) here.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Show one model's metadata.json and where it lives."""
    state = get_state(ctx)
    api = state.api()
    detail = api.get_model(ref=model)
    document: dict[str, Any] = {
        "ok": True,
        "model": detail.model,
        "library_dir": detail.library_dir,
    }
    if thumbnail is not None:
        _write_thumbnail(api.get_thumbnails(refs=[detail.model.id])[detail.model.id], thumbnail)
        document["thumbnail"] = str(thumbnail)
    emit(state, document, lambda c: _print_model(c, detail.model, detail.library_dir))


def _write_thumbnail(data_url: str | None, path: Path) -> None:
    """The window's thumbnail (a data: URL from get_thumbnails) as a file at `path`."""
    import base64

    from tensorshelf.errors import FileAccessError

    if data_url is None:
        raise UsageError("this model has no preview image to make a thumbnail of")
    try:
        write_bytes_atomic(path, base64.b64decode(data_url.split(",", 1)[1]))
    except OSError as exc:
        raise FileAccessError(
            f"cannot write {path}: {exc.strerror or exc}", path=str(path)
        ) from exc


@handle_errors
def edit_cmd(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="Model id, unique id prefix or library path.")],
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    family: Annotated[str | None, typer.Option("--family", help="Family.")] = None,
    model_type: Annotated[str | None, typer.Option("--type", help="Model type.")] = None,
    subtype: Annotated[str | None, typer.Option("--subtype", help="Subtype.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Replace the tags (repeatable).")
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Free-text notes.")] = None,
    rating: Annotated[
        int | None, typer.Option("--rating", min=0, max=5, help="0–5 (5 = favourite).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="File under a family outside the vocabulary.")
    ] = False,
) -> None:
    """Change a model's name, classification, tags, notes or rating."""
    from tensorshelf.library.models import ModelEdit

    state = get_state(ctx)
    edit = ModelEdit(
        name=name,
        family=family,
        model_type=model_type,
        subtype=subtype,
        tags=list(tag) if tag is not None else None,
        notes=notes,
        rating=rating,
        force=force,
    )
    if not edit.model_dump(exclude_none=True, exclude={"force"}):
        raise UsageError(
            "nothing to change: give at least one of --name, --family, "
            "--type, --subtype, --tag, --notes, --rating"
        )
    meta = state.api().edit_model(ref=model, edit=edit)
    emit(
        state,
        {"ok": True, "model": meta},
        lambda c: c.print(
            f"updated {plain(meta.name)} ({short_id(meta.id)}) at {plain(meta.path)}"
        ),
    )


@handle_errors
def rm_cmd(
    ctx: typer.Context,
    models: Annotated[list[str], typer.Argument(help="Model ids, id prefixes or paths.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove models and their files from the library (never touches your originals)."""
    state = get_state(ctx)
    api = state.api()
    # Resolve every reference first so one bad ref deletes nothing.
    targets = [api.get_model(ref=ref).model for ref in models]
    if not yes:
        confirm_or_fail(
            state,
            f"Delete {len(targets)} model(s) from the library?",
            "delete",
            "nothing deleted",
            (f"  {m.name}  ({m.path}, {human_size(m.size_bytes)})" for m in targets),
        )
    results = api.delete_models(refs=[m.id for m in targets])
    failed = [r for r in results if not r.removed]
    document: dict[str, Any] = {"ok": not failed, "results": results}
    if failed:
        document["error"] = {
            "code": "remove_failed",
            "message": f"{len(failed)} model(s) could not be removed",
            "details": {"failed": [r.id for r in failed]},
        }

    def human(console: Console) -> None:
        for r in results:
            console.print(
                f"removed {plain(r.path)} ({short_id(r.id)})"
                if r.removed
                else f"[red]could not remove[/] {plain(r.path)}: "
                f"{cell(r.error.message if r.error else None)}"
            )

    emit(state, document, human)
    if failed:
        raise typer.Exit(1)
