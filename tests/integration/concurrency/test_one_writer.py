"""One writer at a time across real processes: two imports of one file store it once; a
second writer says whom it waits for; readers never wait; an import or rm made while a
rebuild runs survives its swap; a CLI change reaches an open window's event stream."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tensorshelf.api.shelf import ShelfApi
from tensorshelf.jobs.events import Event
from tensorshelf.settings import resolve_locations
from tests.fixtures.cli_runner import (
    PAUSE_ENV,
    PAUSE_MARKER,
    StderrWatcher,
    make_cli,
    write_lora,
)

RESUME_ENV = "TENSORSHELF_TEST_RESUME_FILE"
TIMEOUT_S = 60
ROUNDS = 3


def _ids(cli) -> list[str]:
    return sorted(m["id"] for m in cli.json("list")["models"])


def test_a_second_import_waits_for_the_first_and_finds_the_duplicate(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    source = write_lora(tmp_path / "one.safetensors", seed=1)
    resume = tmp_path / "go"
    first = cli.spawn(
        "--json",
        "import",
        "--no-lookup",
        str(source),
        env={PAUSE_ENV: "publish_rename", RESUME_ENV: str(resume)},
    )
    first_err = StderrWatcher(first)
    first_err.wait_for(PAUSE_MARKER, TIMEOUT_S)  # holds the writer lock, about to publish
    second = cli.spawn("--json", "import", "--no-lookup", str(source))
    second_err = StderrWatcher(second)
    line = second_err.wait_for("waiting for another Tensorshelf", TIMEOUT_S)
    assert f"pid {first.pid}" in line and "importing" in line and str(source) in line
    # A reader does not wait for the writer.
    started = time.monotonic()
    assert cli.json("list")["total"] == 0
    assert time.monotonic() - started < TIMEOUT_S / 2
    resume.touch()
    out1, _ = first.communicate(timeout=TIMEOUT_S)
    out2, _ = second.communicate(timeout=TIMEOUT_S)
    assert first.returncode == 0 and second.returncode == 0, (out1, out2)
    listed = cli.json("list")["models"]
    assert len(listed) == 1
    assert f'"duplicate_of": "{listed[0]["id"]}"' in out2


def test_imports_of_one_file_started_together_store_it_once(tmp_path: Path) -> None:
    for round_no in range(ROUNDS):
        cli = make_cli(tmp_path / f"round{round_no}")
        source = write_lora(tmp_path / f"same{round_no}.safetensors", seed=round_no)
        procs = [cli.spawn("--json", "import", "--no-lookup", str(source)) for _ in range(2)]
        for proc in procs:
            out, err = proc.communicate(timeout=TIMEOUT_S)
            assert proc.returncode == 0, (out, err)
        assert len(_ids(cli)) == 1, f"round {round_no}: stored twice"
        assert len([p for p in cli.library.rglob("metadata.json") if ".staging" not in str(p)]) == 1


def test_an_import_and_an_rm_made_during_a_rebuild_survive_its_swap(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    kept = write_lora(tmp_path / "kept.safetensors", seed=1)
    doomed = write_lora(tmp_path / "doomed.safetensors", seed=2)
    late = write_lora(tmp_path / "late.safetensors", seed=3)
    cli.json("import", "--no-lookup", str(kept), str(doomed))
    by_name = {m["name"]: m["id"] for m in cli.json("list")["models"]}
    resume = tmp_path / "go"
    rebuild = cli.spawn(
        "--json", "rebuild", env={PAUSE_ENV: "rebuild_built", RESUME_ENV: str(resume)}
    )
    StderrWatcher(rebuild).wait_for(PAUSE_MARKER, TIMEOUT_S)  # built from the old state
    cli.json("import", "--no-lookup", str(late))
    cli.json("rm", "--yes", by_name["doomed"])
    resume.touch()
    out, _ = rebuild.communicate(timeout=TIMEOUT_S)
    assert rebuild.returncode == 0, out
    names = sorted(m["name"] for m in cli.json("list")["models"])
    assert names == ["kept", "late"]
    cli.json("rebuild")  # and a fresh rebuild agrees
    assert sorted(m["name"] for m in cli.json("list")["models"]) == names


def test_a_cli_import_reaches_an_open_window_as_library_changed(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    first = write_lora(tmp_path / "first.safetensors", seed=1)
    cli.json("import", "--no-lookup", str(first))  # the library exists
    api = ShelfApi(resolve_locations(cli.home, cli.library), bridge="web")
    seen: list[Event] = []
    arrived = threading.Event()

    def on_event(event: Event) -> None:
        if event.type == "library.changed" and event.payload.get("elsewhere"):
            seen.append(event)
            arrived.set()

    api.bus.subscribe(on_event)
    try:
        time.sleep(0.2)  # the watch is up
        result = cli.json("import", "--no-lookup", str(write_lora(tmp_path / "b.safetensors", 2)))
        new_id = result["results"][0]["id"]
        assert arrived.wait(TIMEOUT_S / 6), "no library.changed pushed"
        assert any(new_id in e.payload["ids"] and e.payload["reason"] == "import" for e in seen)
        assert new_id in {m.id for m in api.list_models().models}  # the window's index sees it
    finally:
        api.close()
