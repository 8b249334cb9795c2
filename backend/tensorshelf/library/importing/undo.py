"""Undo one model of an import batch: remove exactly what the import added, never a source.

A copied or linked model's sources are still where they were, so the library's copy (or
link) just goes, the way a delete does. A *moved* model's files are the user's only copy:
each is first given back its original name (a hard link on the same filesystem, else a
copy that is renamed into place), and only then does the model dir go. A model whose files
cannot all be put back — no record of where one came from, or something is in its place —
stays in the library, and the result says why."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from tensorshelf import settings
from tensorshelf.errors import FileAccessError, ShelfError, UnsafePath
from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.transfer import rename_no_replace
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.editing import load, remove_model
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.models import RemoveResult

log = logging.getLogger(__name__)


def undo_model(ctx: LibraryContext, model_id: str, source_paths: list[str]) -> RemoveResult:
    """Remove one model an import added; a moved model's files are put back first (to
    `source_paths`, the import's record of where they were). Never raises a ShelfError:
    a model that must stay comes back with removed=False and the reason."""
    with ctx.writer.hold(f"undoing the import of {model_id}"):
        try:
            model_dir, meta = load(ctx, model_id)
            restored = _put_back(model_dir, meta, source_paths) if _was_moved(meta) else []
        except ShelfError as exc:
            log.warning("kept %s: %s", model_id, exc.message)
            path = ctx.index.get_path(model_id) or model_id
            return RemoveResult(id=model_id, path=path, removed=False, error=exc.info())
        result = remove_model(ctx, model_id)
        result.restored = restored
        return result


def _was_moved(meta: ModelMetadata) -> bool:
    return bool(meta.sources) and meta.sources[0].mode == "move"


def _put_back(model_dir: Path, meta: ModelMetadata, source_paths: list[str]) -> list[str]:
    """Give each of a moved model's files its original name again; the paths restored."""
    pairs = [(model_dir.joinpath(*f.path.split("/")), _origin(f.path, source_paths, meta))
             for f in meta.files]  # fmt: skip
    for _src, dest in pairs:  # every file checked before any is touched
        if os.path.lexists(dest):
            raise UnsafePath(
                f"{dest} exists again, so {meta.name} (moved in from there) was kept in the "
                "library; move or rename that file and undo again",
                path=str(dest),
            )
    restored: list[str] = []
    for src, dest in pairs:
        try:
            _give_back(src, dest)
        except OSError as exc:
            raise FileAccessError(
                f"could not put {dest} back ({exc.strerror or exc}); {meta.name} was kept in "
                "the library",
                path=str(dest),
            ) from exc
        restored.append(str(dest))
    return restored


def _origin(rel: str, source_paths: list[str], meta: ModelMetadata) -> Path:
    for path in source_paths:
        if path == rel or path.endswith("/" + rel) or path.endswith(os.sep + rel):
            return Path(path)
    raise UnsafePath(
        f"the import has no record of where {rel} of {meta.name} came from, so the model "
        "was kept in the library (it was moved in: deleting it would lose the file)",
        path=rel,
    )


def _give_back(src: Path, dest: Path) -> None:
    """`dest` becomes a name of `src`'s bytes: a hard link, or a copy renamed into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)  # a moved folder's dirs were pruned
    try:
        os.link(src, dest, follow_symlinks=False)
    except OSError:  # another filesystem, or no hard links there
        partial = dest.with_name(dest.name + settings.UNDO_PARTIAL_SUFFIX)
        try:
            shutil.copy2(src, partial, follow_symlinks=False)
            with open(partial, "rb") as fh:
                os.fsync(fh.fileno())
            rename_no_replace(partial, dest)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    fsync_dir(dest.parent)
