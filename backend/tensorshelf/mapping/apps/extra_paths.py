"""ComfyUI's `extra_model_paths.yaml` for an app registered with the extra-paths method:
Tensorshelf keeps its links in a view tree in the state dir and adds ONE marked group to the
install's YAML that names the view and every folder key explicitly (ComfyUI has no "all
folders" switch). The file is edited as text — the group's lines between our two marker
comments are written or removed, every other byte (the user's groups, comments, line
endings) stays as it was; the values are quoted strings (a YAML list crashes ComfyUI's
loader). A file left with nothing in it is removed (ComfyUI cannot load an empty one)."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path

from tensorshelf import settings
from tensorshelf.errors import FileAccessError, ShelfError
from tensorshelf.io.atomic import write_bytes_atomic

log = logging.getLogger(__name__)

GROUP = "tensorshelf"
BEGIN = "# >>> tensorshelf: managed group, rewritten by Tensorshelf"
END = "# <<< tensorshelf"
_INDENT = "    "
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_OUR_KEY = re.compile(rf"^{GROUP}\s*:")


class ExtraPathsConflict(ShelfError):
    code = "extra_paths_conflict"


def yaml_path(comfyui_root: str | Path) -> Path:
    return Path(comfyui_root) / settings.COMFYUI_EXTRA_PATHS_FILE


def _key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def render_group(view: Path, folders: list[str], app_id: str, newline: str = "\n") -> str:
    """The group's text: marker, `tensorshelf:` with base_path and one key per folder."""
    lines = [
        f"{BEGIN} for the app {app_id}; `tensorshelf apps rm {app_id}` removes it",
        f"{GROUP}:",
        f"{_INDENT}base_path: {json.dumps(os.fspath(view), ensure_ascii=False)}",
        *(f"{_INDENT}{_key(f)}: {json.dumps(f, ensure_ascii=False)}" for f in folders),
        END,
    ]
    return newline.join(lines) + newline


def _read(path: Path) -> tuple[str, int | None]:
    """The file's text ("" if there is none) and its permission bits."""
    try:
        data = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return "", None
    except OSError as exc:
        raise FileAccessError(f"cannot read {path}: {exc.strerror}", path=str(path)) from exc
    try:
        return data.decode("utf-8"), mode
    except UnicodeDecodeError as exc:
        raise ExtraPathsConflict(
            f"{path} is not UTF-8 text (ComfyUI could not read it either); it is left alone",
            path=str(path),
        ) from exc


def _span(text: str, path: Path) -> tuple[int, int] | None:
    """Character offsets of our group (marker to end marker, with its line break)."""
    start = _line_start(text, BEGIN)
    if start is None:
        for line in text.splitlines():
            if _OUR_KEY.match(line):
                raise ExtraPathsConflict(
                    f"{path} already has a group named {GROUP!r} that Tensorshelf did not "
                    "write; rename it, or register the app with links",
                    path=str(path),
                )
        return None
    end = _line_start(text, END, start)
    if end is None:
        raise ExtraPathsConflict(
            f"the Tensorshelf group in {path} has lost its end marker ({END!r}); "
            "restore it or delete the group by hand",
            path=str(path),
        )
    stop = text.find("\n", end)
    return start, (len(text) if stop < 0 else stop + 1)


def _line_start(text: str, marker: str, after: int = 0) -> int | None:
    at = after
    while True:
        found = text.find(marker, at)
        if found < 0:
            return None
        if found == 0 or text[found - 1] == "\n":
            return found
        at = found + 1


def _write(path: Path, text: str, mode: int | None) -> None:
    try:
        if text.strip():
            write_bytes_atomic(path, text.encode("utf-8"), mode)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        raise FileAccessError(f"cannot write {path}: {exc.strerror}", path=str(path)) from exc


def write_group(comfyui_root: str | Path, view: Path, folders: list[str], app_id: str) -> bool:
    """Add or update our group; True when the file changed (an unchanged group is not
    rewritten, so a sync that changes nothing touches nothing)."""
    path = yaml_path(comfyui_root)
    text, mode = _read(path)
    newline = "\r\n" if "\r\n" in text else "\n"
    group = render_group(view, folders, app_id, newline)
    span = _span(text, path)
    if span is not None:
        new = text[: span[0]] + group + text[span[1] :]
    elif text and not text.endswith("\n"):
        new = text + newline + group
    else:
        new = text + group
    if new == text:
        return False
    _write(path, new, mode)
    log.info("%s: the Tensorshelf group names %s", path, view)
    return True


def remove_group(comfyui_root: str | Path) -> bool:
    """Remove our group (only it); True when there was one."""
    path = yaml_path(comfyui_root)
    text, mode = _read(path)
    span = _span(text, path)
    if span is None:
        return False
    _write(path, text[: span[0]] + text[span[1] :], mode)
    log.info("%s: the Tensorshelf group is removed", path)
    return True


def group_text(comfyui_root: str | Path) -> str | None:
    """Our group as it is in the file now (None when absent or unreadable)."""
    path = yaml_path(comfyui_root)
    try:
        text, _mode = _read(path)
        span = _span(text, path)
    except ShelfError:
        return None
    return None if span is None else text[span[0] : span[1]]
