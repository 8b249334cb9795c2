"""Whether Tensorshelf runs inside a sandbox or container, which limits the folders it can see
and makes links it creates point at paths that may not exist outside: Flatpak
(`/.flatpak-info`, `FLATPAK_ID`), Snap (`SNAP` + `SNAP_NAME`), Podman (`/run/.containerenv`),
Docker (`/.dockerenv`, or a docker/containerd/kubepods cgroup). Read once per call from the
filesystem root and the environment given (tests pass their own)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from tensorshelf.io.text_head import read_head

SandboxKind = Literal["flatpak", "snap", "podman", "docker"]
_CONTAINER_CGROUPS = ("docker", "containerd", "kubepods", "libpod")


class Sandbox(BaseModel):
    kind: SandboxKind
    evidence: str
    name: str | None = None  # the Flatpak app id / snap name, when known


def detect_sandbox(
    root: Path = Path("/"), environ: Mapping[str, str] | None = None
) -> Sandbox | None:
    env = os.environ if environ is None else environ
    if env.get("FLATPAK_ID") or (root / ".flatpak-info").is_file():
        return Sandbox(
            kind="flatpak", evidence="FLATPAK_ID / /.flatpak-info", name=env.get("FLATPAK_ID")
        )
    if env.get("SNAP") and env.get("SNAP_NAME"):
        return Sandbox(kind="snap", evidence=f"SNAP={env['SNAP']}", name=env["SNAP_NAME"])
    if (root / "run" / ".containerenv").exists():
        return Sandbox(kind="podman", evidence="/run/.containerenv")
    if (root / ".dockerenv").exists():
        return Sandbox(kind="docker", evidence="/.dockerenv")
    cgroup = read_head(root / "proc" / "1" / "cgroup")
    for marker in _CONTAINER_CGROUPS:
        if f"/{marker}" in cgroup:
            return Sandbox(kind="docker", evidence=f"/proc/1/cgroup names {marker}")
    return None


def access_advice(sandbox: Sandbox, folder: str, write: bool) -> str:
    """What the user has to grant so that Tensorshelf (and the app) can use `folder`."""
    mode = "" if write else ":ro"
    if sandbox.kind == "flatpak":
        app = sandbox.name or "<the Tensorshelf app id>"
        return f"allow it with: flatpak override --user --filesystem={folder}{mode} {app}"
    if sandbox.kind == "snap":
        return (
            f"a snap sees only your home folder (and /media, /mnt with `sudo snap connect "
            f"{sandbox.name or 'tensorshelf'}:removable-media`): keep {folder} there"
        )
    return (
        f"mount it into the container at the same path (-v {folder}:{folder}{mode}), or the "
        "links made inside point at paths that do not exist outside"
    )
