"""`tensorshelf inspect FILE_OR_DIR`: what a file is, from its header alone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tensorshelf.cli.output import emit, handle_errors, key_values, plain
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.detect.models import Detection
    from tensorshelf.error_info import ErrorInfo
    from tensorshelf.library.models import InspectedModel


def _print_detection(c: Console, path: str, d: Detection) -> None:
    c.print(f"[bold]{plain(path)}[/]")
    rows = [
        ("format", d.format),
        ("model type", d.model_type),
        ("subtype", d.subtype),
        ("family", d.family),
        ("precision", d.precision),
        ("variant", d.variant),
        ("architecture", d.architecture),
        ("parameters", d.parameter_count),
        ("quantization", d.quantization),
        ("context length", d.context_length),
        ("lora rank", d.lora_rank),
        ("lora base", d.lora_target),
        ("security", d.security_tier),
        ("confidence", f"{d.confidence:.2f}"),
    ]
    always = {"format", "model type", "subtype", "family", "precision"}
    c.print(key_values((k, v) for k, v in rows if v is not None or k in always))
    _print_pickle_scan(c, d)
    if d.evidence:
        c.print("evidence:")
        for line in d.evidence:
            c.print(f"  • {plain(line)}")
    foreign = d.foreign
    base = foreign.base_model_raw or foreign.base_model
    if (
        foreign.base_model
        and foreign.base_model_raw
        and foreign.base_model_raw != foreign.base_model
    ):
        base = f"{foreign.base_model_raw} → {foreign.base_model}"
    said = [
        f"{k}: {v}"
        for k, v in (
            ("title", foreign.title),
            ("base model", base),
            ("trigger words", ", ".join(foreign.trigger_words)),
        )
        if v
    ]
    if said:
        c.print(
            f"embedded / sidecar metadata ({', '.join(foreign.source)}): " + plain("; ".join(said))
        )


_SCAN_WORDS = {
    "clean": "[green]clean[/]: no dangerous code references found",
    "unknown_globals": "[yellow]unknown globals[/]: references Tensorshelf cannot vouch for",
    "dangerous": "[red]DANGEROUS[/]: would run code when loaded — import is blocked",
}


def _print_pickle_scan(c: Console, d: Detection) -> None:
    scan = d.pickle_scan
    if scan is None:
        return
    c.print(
        f"pickle scan: {_SCAN_WORDS[scan.verdict]} ({scan.streams_scanned} pickle "
        f"stream(s) walked{', scan incomplete' if scan.truncated else ''})"
    )
    if scan.dangerous:
        c.print("  dangerous globals: " + plain(", ".join(scan.dangerous)))
    if scan.unknown:
        c.print("  unknown globals: " + plain(", ".join(scan.unknown)))


@handle_errors
def inspect_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A model file or folder.")],
) -> None:
    """Identify a model file from its header; imports nothing."""
    state = get_state(ctx)
    from tensorshelf.library.inspecting import inspect_path

    result = inspect_path(str(path))  # no library needed, none created
    if result.models is not None:  # a plain folder holding several models
        emit(
            state,
            {
                "ok": True,
                "path": result.path,
                "models": [m.model_dump(mode="json") for m in result.models],
                "rejected": result.rejected or [],
            },
            lambda c: _print_models(c, result.models or [], result.rejected or []),
        )
        return
    assert result.detection is not None
    detection = result.detection
    emit(
        state,
        {"ok": True, "path": result.path, "detection": detection},
        lambda c: _print_detection(c, result.path, detection),
    )


def _print_models(c: Console, models: list[InspectedModel], rejected: list[ErrorInfo]) -> None:
    """One compact block per model, then what is not a model."""
    for m in models:
        d = m.detection
        c.print(f"[bold]{plain(m.path)}[/]")
        rows = [
            ("format", d.format),
            ("model type", d.model_type),
            ("subtype", d.subtype),
            ("family", d.family),
            ("precision", d.precision),
            ("parameters", d.parameter_count),
            ("quantization", d.quantization),
            ("lora rank", d.lora_rank),
            ("lora base", d.lora_target),
            ("confidence", f"{d.confidence:.2f}"),
        ]
        always = {"format", "model type", "subtype", "family", "precision"}
        c.print(key_values((k, v) for k, v in rows if v is not None or k in always))
        for warning in m.warnings:
            c.print(f"  warning: {plain(warning)}")
        c.print()
    c.print(f"{len(models)} model(s)" + (f", {len(rejected)} not a model:" if rejected else ""))
    for r in rejected:
        c.print(f"  {plain(r.details.get('path', '?'))}: {plain(r.message)}")
