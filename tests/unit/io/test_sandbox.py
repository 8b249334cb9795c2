"""Sandbox detection from a (fake) filesystem root and environment: each kind by its own
marker, none on a plain system, and advice that names the folder to allow."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.io.sandbox import access_advice, detect_sandbox


def test_each_kind_by_its_marker(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    (plain / "proc" / "1").mkdir(parents=True)
    (plain / "proc" / "1" / "cgroup").write_text("0::/init.scope\n")
    assert detect_sandbox(plain, {}) is None

    flatpak = detect_sandbox(plain, {"FLATPAK_ID": "io.tensorshelf.App"})
    assert (
        flatpak is not None and flatpak.kind == "flatpak" and flatpak.name == "io.tensorshelf.App"
    )
    snap = detect_sandbox(plain, {"SNAP": "/snap/tensorshelf/7", "SNAP_NAME": "tensorshelf"})
    assert snap is not None and snap.kind == "snap"

    (plain / "proc" / "1" / "cgroup").write_text("0::/system.slice/docker-ab12.scope\n")
    by_cgroup = detect_sandbox(plain, {})
    assert by_cgroup is not None and by_cgroup.kind == "docker" and "cgroup" in by_cgroup.evidence

    podman = tmp_path / "podman"
    (podman / "run").mkdir(parents=True)
    (podman / "run" / ".containerenv").write_text("")
    assert (found := detect_sandbox(podman, {})) is not None and found.kind == "podman"
    docker = tmp_path / "docker"
    docker.mkdir()
    (docker / ".dockerenv").write_text("")
    assert (found := detect_sandbox(docker, {})) is not None and found.kind == "docker"


def test_advice_names_the_folder(tmp_path: Path) -> None:
    flatpak = detect_sandbox(tmp_path, {"FLATPAK_ID": "io.tensorshelf.App"})
    assert flatpak is not None
    advice = access_advice(flatpak, "/home/me/ComfyUI/models", write=True)
    assert "--filesystem=/home/me/ComfyUI/models io.tensorshelf.App" in advice
    docker = tmp_path / "d"
    docker.mkdir()
    (docker / ".dockerenv").write_text("")
    found = detect_sandbox(docker, {})
    assert found is not None and "-v /lib:/lib:ro" in access_advice(found, "/lib", write=False)
