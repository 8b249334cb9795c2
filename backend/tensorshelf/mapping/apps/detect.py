"""What kind of app a folder is (interfaces.md part B), from its layout alone.

- comfyui : a git/manual install (`main.py` + `comfy/` or `folder_paths.py`), the Windows
            portable folder (`ComfyUI_windows_portable/ComfyUI`), or a Desktop install's base
            folder (`models/` + `custom_nodes/` + `user/`, no code). Version from
            `comfyui_version.py`, else `pyproject.toml`.
- a1111   : A1111 / Forge / reForge / SD.Next: `models/Stable-diffusion` (or `webui.py` +
            `modules/`). Links go under the data root (`embeddings/` sits beside `models/`).
- lmstudio: an LM Studio home (its `models/` folder is used) or models folder
            (`<publisher>/<repo>/<file>.gguf`); found from `~/.lmstudio-home-pointer`.
- folder  : a generic "one folder per subtype" tree, only when asked for (`--kind folder`).
An unknown or missing folder is refused with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

from tensorshelf.errors import InvalidArgument
from tensorshelf.io.text_head import read_head
from tensorshelf.mapping.apps.models import AppCandidate, AppKind

_VERSION_PY = re.compile(r"""__version__\s*=\s*["']([^"']+)["']""")
_PYPROJECT_VERSION = re.compile(r"""^version\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def comfyui_version(code_root: Path) -> str | None:
    found = _VERSION_PY.search(read_head(code_root / "comfyui_version.py"))
    if found:
        return found.group(1)
    found = _PYPROJECT_VERSION.search(read_head(code_root / "pyproject.toml"))
    return found.group(1) if found else None


def _comfy(code_root: Path, flavour: str, evidence: str) -> AppCandidate:
    return AppCandidate(
        kind="comfyui",
        root=str(code_root),
        models_dir=str(code_root / "models"),
        version=comfyui_version(code_root),
        flavour=flavour,
        evidence=[evidence],
    )


def _comfyui(root: Path) -> AppCandidate | None:
    portable = root / "ComfyUI"
    if (root / "python_embeded").is_dir() and (portable / "main.py").is_file():
        return _comfy(portable, "windows-portable", "python_embeded/ beside ComfyUI/main.py")
    if (root / "main.py").is_file() and (
        (root / "comfy").is_dir() or (root / "folder_paths.py").is_file()
    ):
        return _comfy(root, "git", "main.py with comfy/ or folder_paths.py")
    if all((root / d).is_dir() for d in ("models", "custom_nodes", "user")):
        return _comfy(
            root, "desktop", "models/, custom_nodes/ and user/ (a ComfyUI Desktop base folder)"
        )
    return None


def _a1111(root: Path) -> AppCandidate | None:
    checkpoints = (root / "models" / "Stable-diffusion").is_dir()
    code = (root / "webui.py").is_file() and (root / "modules").is_dir()
    if not (checkpoints or code):
        return None
    flavour = "forge" if (root / "modules_forge").is_dir() else "a1111"
    return AppCandidate(
        kind="a1111",
        root=str(root),
        models_dir=str(root),
        flavour=flavour,
        evidence=["models/Stable-diffusion" if checkpoints else "webui.py with modules/"],
    )


def _has_gguf_two_levels_down(folder: Path) -> bool:
    try:
        for publisher in folder.iterdir():
            if publisher.is_dir() and not publisher.name.startswith("."):
                for repo in publisher.iterdir():
                    if repo.is_dir() and any(repo.glob("*.gguf")):
                        return True
    except OSError:
        return False
    return False


def lmstudio_home(home: Path | None = None) -> Path | None:
    """LM Studio's home: the pointer file's content, else ~/.cache/lm-studio, else ~/.lmstudio."""
    user = home or Path.home()
    pointer = read_head(user / ".lmstudio-home-pointer").strip()
    for candidate in (
        Path(pointer) if pointer else None,
        user / ".cache" / "lm-studio",
        user / ".lmstudio",
    ):
        if candidate is not None and candidate.is_dir():
            return candidate
    return None


def _lmstudio(root: Path, explicit: bool) -> AppCandidate | None:
    if root.name in (".lmstudio", "lm-studio") and (root / "models").is_dir():
        return AppCandidate(
            kind="lmstudio",
            root=str(root),
            models_dir=str(root / "models"),
            evidence=["an LM Studio home folder with models/"],
        )
    if _has_gguf_two_levels_down(root) or explicit:
        return AppCandidate(
            kind="lmstudio",
            root=str(root),
            models_dir=str(root),
            evidence=["<publisher>/<repo>/<file>.gguf"] if not explicit else ["--kind lmstudio"],
        )
    return None


def detect_app(path: str, kind: AppKind | None = None) -> AppCandidate:
    """What `path` is (or, with `kind`, check that it can be one). InvalidArgument if the
    folder is missing or not recognised."""
    root = Path(path).expanduser().absolute()
    if not root.is_dir():
        raise InvalidArgument(f"{root} is not a folder (is the drive mounted?)", path=str(root))
    if kind == "folder":
        return AppCandidate(
            kind="folder", root=str(root), models_dir=str(root), evidence=["--kind folder"]
        )
    finders = {
        "comfyui": lambda: _comfyui(root),
        "a1111": lambda: _a1111(root),
        "lmstudio": lambda: _lmstudio(root, kind == "lmstudio"),
    }
    order = [kind] if kind else ["comfyui", "a1111", "lmstudio"]
    for name in order:
        found = finders[name]()
        if found is not None:
            return found
    what = f"a {kind} install" if kind else "an app Tensorshelf knows"
    raise InvalidArgument(
        f"{root} does not look like {what} (ComfyUI: main.py and models/; A1111/Forge: "
        "models/Stable-diffusion; LM Studio: its models folder). Name its kind with --kind, "
        "or use --kind folder for a plain one-folder-per-type tree",
        path=str(root),
    )
