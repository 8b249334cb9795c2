"""The crash matrix's machinery: a small library with known sources, a command run in a
real `tensorshelf` process (CLI or web-mode server) that is SIGKILLed at a named pause
point (TENSORSHELF_TEST_PAUSE_AT, library/pause.py), and the checks every restart must
pass: no partial model, no lost or altered source, index = metadata.json (a fresh rebuild
lists the same), every model wholly old or wholly new, interrupted jobs offered again."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.fixtures.cli_runner import (
    PAUSE_ENV,
    PAUSE_MARKER,
    Cli,
    StderrWatcher,
    kill_hard,
    make_cli,
    write_lora,
)
from tests.fixtures.import_files import write_gguf

from tensorshelf.io.naming import normalize_dir_name

PAUSE_TIMEOUT_S = 60
HASH_CHUNK = 1 << 20
BIG_LORA_BYTES = 48 * 1024 * 1024  # big enough to be killed halfway through its copy
INTENTS = ".tensorshelf-intents"
URL_RE = re.compile(r"(http://127\.0\.0\.1:\d+)/#token=(\S+)")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class World:
    """A library holding models `a` (LoRA) and `llm` (GGUF), plus sources not yet imported
    (`new`, `big`), all under `src/`, with their SHA-256 taken before anything ran."""

    cli: Cli
    src: Path
    ids: dict[str, str] = field(default_factory=dict)
    before: dict[str, str] = field(default_factory=dict)  # source path -> sha256

    @classmethod
    def make(cls, tmp_path: Path) -> World:
        cli = make_cli(tmp_path)
        src = tmp_path / "src"
        src.mkdir()
        world = cls(cli, src)
        write_lora(src / "a.safetensors", seed=1)
        write_gguf(src / "llm.gguf", seed=2)
        cli.json("import", "--no-lookup", str(src / "a.safetensors"), str(src / "llm.gguf"))
        write_lora(src / "new.safetensors", seed=3)
        write_lora(src / "big.safetensors", seed=4, total_size=BIG_LORA_BYTES)
        world.ids = {m["name"]: m["id"] for m in cli.json("list")["models"]}
        world.before = {str(p): sha256_of(p) for p in sorted(src.iterdir())}
        return world

    def source(self, name: str) -> str:
        (path,) = self.src.glob(f"{name}.*")
        return str(path)

    def metadata_of(self, name: str) -> tuple[Path, dict[str, Any]]:
        model = self.cli.json("show", self.ids[name])
        model_dir = self.cli.library / model["model"]["path"]
        return model_dir, json.loads((model_dir / "metadata.json").read_text())


Args = Callable[[World], list[str]]


@dataclass(frozen=True)
class Scenario:
    name: str
    point: str  # "<pause point>" or "<pause point>@<n>"
    args: Args  # the CLI command, or a web-mode call (see `web_call`)
    job: str | None = None  # the kind of job the command runs (offered for resume after)
    prepare: Callable[[World], None] | None = None
    web: tuple[str, Callable[[World], dict[str, Any]]] | None = None  # (method, kwargs)

    def __str__(self) -> str:
        return self.name


def run_and_kill(world: World, scenario: Scenario) -> None:
    """Start the command with its pause point set, wait until it stops there, SIGKILL it."""
    env = {PAUSE_ENV: scenario.point}
    if scenario.web is None:
        proc = world.cli.spawn(*scenario.args(world), env=env)
        StderrWatcher(proc).wait_for(PAUSE_MARKER, PAUSE_TIMEOUT_S)
        kill_hard(proc)
        return
    proc = world.cli.spawn("serve", "--no-open", env=env)
    watcher = StderrWatcher(proc)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = URL_RE.search(line)
    assert found, f"no URL from serve: {line!r}"
    base, token = found.group(1), found.group(2)
    method, kwargs = scenario.web
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        import threading

        # The call never returns (the server stops at the pause point): send it aside.
        threading.Thread(
            target=lambda: _post_quietly(client, method, kwargs(world)), daemon=True
        ).start()
        watcher.wait_for(PAUSE_MARKER, PAUSE_TIMEOUT_S)
    kill_hard(proc)


def _post_quietly(client: httpx.Client, method: str, kwargs: dict[str, Any]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server is killed mid-call
        client.post(f"/api/call/{method}", json=kwargs, timeout=PAUSE_TIMEOUT_S)


# --- what every restart must show ----------------------------------------------------------
def _disk_models(library: Path) -> dict[str, str]:
    """id -> library path of every model dir on disk (after checking each is complete)."""
    found: dict[str, str] = {}
    for meta_path in library.rglob("metadata.json"):
        rel = meta_path.parent.relative_to(library)
        if rel.parts[0].startswith("."):
            continue
        meta = json.loads(meta_path.read_text())
        assert meta["path"] == rel.as_posix(), f"{rel}: metadata.json says {meta['path']}"
        assert rel.parts[1] == normalize_dir_name(meta.get("family") or "unknown"), (
            f"{rel} is filed under {rel.parts[1]} but its family is {meta.get('family')}"
        )
        for entry in meta["files"]:
            file = meta_path.parent / entry["path"]
            assert file.is_file() and file.stat().st_size == entry["size"], f"partial: {file}"
        assert meta["id"] not in found, f"model {meta['id']} stored twice"
        found[meta["id"]] = rel.as_posix()
    for leaf in library.glob("*/*/*"):
        if leaf.is_dir() and not leaf.relative_to(library).parts[0].startswith("."):
            assert (leaf / "metadata.json").is_file(), f"model dir without metadata: {leaf}"
    return found


def _listed(cli: Cli) -> dict[str, str]:
    return {m["id"]: m["path"] for m in cli.json("list", "--limit", "1000")["models"]}


def check_after_restart(world: World, scenario: Scenario) -> None:
    cli, library = world.cli, world.cli.library
    listed = _listed(cli)  # the first command after the kill: it recovers what was left
    assert listed == _disk_models(library), "index and metadata.json disagree"
    staging = library / ".staging"
    leftovers = [p.name for p in staging.iterdir()] if staging.exists() else []
    assert leftovers == [], f"staging left behind: {leftovers}"
    intents = library / INTENTS
    assert not intents.exists() or list(intents.iterdir()) == []
    assert not list(library.glob("models.db.rebuild-*")), "rebuild temp left behind"
    assert not list(library.rglob(".metadata.json.tmp-*")), "a metadata.json temp left behind"
    for source, sha in world.before.items():
        path = Path(source)
        if path.exists():
            assert sha256_of(path) == sha, f"source {path} was altered"
        else:  # moved: its bytes must be in the library, unchanged
            held = {sha256_of(p) for p in library.rglob(path.name)}
            assert sha in held, f"source {path} was lost"
    if scenario.job is not None:
        jobs = cli.json("jobs")["jobs"]
        kinds = {(j["kind"], j["status"]) for j in jobs}
        assert (scenario.job, "interrupted") in kinds, f"no interrupted {scenario.job}: {kinds}"
    cli.json("rebuild")
    assert _listed(cli) == listed, "a fresh rebuild lists something else"
