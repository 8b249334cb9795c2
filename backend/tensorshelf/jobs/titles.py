"""Human titles of jobs (JobInfo.title; the Jobs panel and `tensorshelf jobs` show them).

An import is titled from its inputs when it starts and re-titled from the planned models
once planning has grouped them (a folder of five models is "Import 5 models", not "Import
<first file> and 7 more")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tensorshelf.library.models import ImportPlanItem


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def import_start_title(paths: Sequence[str]) -> str:
    """Before planning: only the inputs are known."""
    if len(paths) == 1:
        return f"Import {Path(paths[0]).name or paths[0]}"
    return f"Import {_count(len(paths), 'item')}"


def import_plan_title(items: Sequence[ImportPlanItem]) -> str | None:
    """After planning: counts models (None when nothing was planned: keep the start title)."""
    if not items:
        return None
    if len(items) == 1:
        return f"Import {items[0].name}"
    return f"Import {_count(len(items), 'model')}"


def verify_title(refs: list[str] | None, full: bool) -> str:
    what = "all models" if refs is None else _count(len(refs), "model")
    return f"Verify {what}" + (" (full re-hash)" if full else "")


def reclassify_title(refs: list[str] | None, dry_run: bool) -> str:
    what = "all models" if refs is None else _count(len(refs), "model")
    return f"Check the classification of {what}" if dry_run else f"Re-classify {what}"


def sync_title(apps: list[str] | None) -> str:
    return "Sync every app" if not apps else f"Sync {', '.join(apps)}"
