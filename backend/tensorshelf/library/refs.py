"""Model refs: what a user may type to name a model (DESIGN "CLI contract") — its id, a
unique id prefix (at least MODEL_REF_MIN_PREFIX characters), or its library path
(relative to the library root or to the working directory, or absolute under the library
root; a path inside a model dir names it too)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path, PurePosixPath

from tensorshelf.errors import AmbiguousModelRef, ModelNotFound
from tensorshelf.settings import MODEL_REF_MIN_PREFIX, SHORT_REF_CHARS, SHORT_REF_MIN_CHARS

MAX_CANDIDATES_SHOWN = 10
_SHORT_REF = re.compile(rf"[0-9A-Fa-f]{{{SHORT_REF_MIN_CHARS},{SHORT_REF_CHARS}}}")
_LIKE_ESCAPE = "\\"


def _escape_like(text: str) -> str:
    return (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )


def ref_path_candidates(ref: str, library_root: Path) -> list[str]:
    """Library-relative dirs `ref` could name: itself and its parents, longest first."""
    text = ref.replace(os.sep, "/") if os.sep != "/" else ref
    if os.path.isabs(ref):
        try:
            rel = os.path.relpath(os.path.abspath(ref), os.path.abspath(library_root))
        except ValueError:  # another drive (Windows)
            return []
        text = rel.replace(os.sep, "/")
        if text == ".." or text.startswith("../"):
            return []
    parts = [p for p in PurePosixPath(text).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return []
    return ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]


def on_disk_candidates(ref: str, library_root: Path) -> list[str]:
    """Library-relative dirs named by `ref` taken as a path on disk: relative to the working
    directory (a tab-completed `lib/llm/x`), or reaching the library through a symlink."""
    if not os.path.lexists(ref):
        return []
    return ref_path_candidates(os.path.realpath(ref), Path(os.path.realpath(library_root)))


def resolve_ref(conn: sqlite3.Connection, ref: str, library_root: Path) -> tuple[str, str]:
    """(id, library path) of the one model `ref` names; ModelNotFound / AmbiguousModelRef."""
    ref = ref.strip()
    if not ref:
        raise ModelNotFound("empty model reference", ref=ref)
    row = conn.execute("SELECT id, path FROM models WHERE id = ?", (ref,)).fetchone()
    if row:
        return row[0], row[1]
    for find in (ref_path_candidates, on_disk_candidates):
        candidates = find(ref, library_root)
        if not candidates:
            continue
        marks = ", ".join("?" for _ in candidates)
        rows = conn.execute(
            f"SELECT id, path FROM models WHERE path IN ({marks})", candidates
        ).fetchall()
        if rows:
            best = max(rows, key=lambda r: len(r[1]))
            return best[0], best[1]
    if len(ref) >= MODEL_REF_MIN_PREFIX and "/" not in ref:
        found = _unique_id_like(conn, ref, _escape_like(ref) + "%", "matches several models")
        if found is not None:
            return found
    if _SHORT_REF.fullmatch(ref):  # the short reference: the end of the id (its random part)
        found = _unique_id_like(conn, ref, "%" + _escape_like(ref.lower()), "ends several ids")
        if found is not None:
            return found
    raise ModelNotFound(
        f"no model matches {ref!r} (give an id, its short reference (the last "
        f"{SHORT_REF_CHARS} characters), a unique id prefix of at least "
        f"{MODEL_REF_MIN_PREFIX} characters, or a library path)",
        ref=ref,
    )


def _unique_id_like(
    conn: sqlite3.Connection, ref: str, pattern: str, several: str
) -> tuple[str, str] | None:
    """(id, path) of the one model whose id matches the LIKE `pattern`; None for none;
    AmbiguousModelRef (naming the candidates) for several."""
    rows = conn.execute(
        "SELECT id, path FROM models WHERE id LIKE ? ESCAPE ? ORDER BY id LIMIT ?",
        (pattern, _LIKE_ESCAPE, MAX_CANDIDATES_SHOWN + 1),
    ).fetchall()
    if len(rows) == 1:
        return rows[0][0], rows[0][1]
    if rows:
        shown = [f"{i} ({p})" for i, p in rows[:MAX_CANDIDATES_SHOWN]]
        raise AmbiguousModelRef(
            f"{ref!r} {several}: {', '.join(shown)}", ref=ref, candidates=[i for i, _ in rows]
        )
    return None


def short_ref(model_id: str) -> str:
    """How a model is named for people: the last group of its UUIDv7 id — the random part,
    so models imported in the same second still differ (their prefixes are the time)."""
    return model_id[-SHORT_REF_CHARS:]
