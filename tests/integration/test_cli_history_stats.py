"""Import history, undo and statistics through the real CLI: each import is a batch with its
source folder and counts; `history --undo` removes exactly the models one batch added (a
duplicate it found, and every source file, stay; a moved model's files go back where they
were; a model whose place is taken again is kept, with the reason); `stats` adds up the
library; `list` / `search` take the size, date and linked-to-app filters."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fixtures.cli_runner import Cli, file_hashes, make_cli, tree_snapshot, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui


def _import(cli: Cli, *paths: Path, mode: str | None = None) -> dict:
    args = ["import", "--no-lookup", *([mode] if mode else []), *map(str, paths)]
    return cli.json(*args)


def test_history_lists_batches_and_undo_removes_only_what_one_added(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    a = [write_lora(first / f"a{i}.safetensors", seed=i) for i in range(2)]
    b_new = write_lora(second / "b_new.safetensors", seed=10)
    b_dup = second / "b_dup.safetensors"
    b_dup.parent.mkdir(parents=True, exist_ok=True)
    b_dup.write_bytes(a[0].read_bytes())  # the same bytes as a batch-1 model
    junk = second / "notes.safetensors"
    junk.write_text("not a model\n")
    ids_a = [r["id"] for r in _import(cli, *a)["results"]]
    second_run = cli.run("--json", "import", "--no-lookup", str(b_new), str(b_dup), str(junk))
    results_b = second_run.json()["results"]
    new_b = next(r["id"] for r in results_b if r.get("key") == str(b_new))
    before = {p: tree_snapshot(p) for p in (first, second)}

    batches = cli.json("history")["batches"]
    assert len(batches) == 2
    newest, oldest = batches
    assert (oldest["new"], oldest["duplicates"], oldest["failed"]) == (2, 0, 0)
    assert oldest["source"] == str(first)
    assert (newest["new"], newest["duplicates"], newest["failed"]) == (1, 1, 1)
    assert newest["source"] == str(second)
    assert [m["id"] for m in newest["models"]] == [new_b]
    assert newest["duplicate_of"] == [ids_a[0]]
    human = cli.run("history")
    assert human.returncode == 0 and newest["batch_id"][-8:] in human.stdout, str(human)

    refused = cli.run("--json", "history", "--undo", newest["batch_id"][-8:])  # stdin: no tty
    assert refused.returncode == 1
    assert refused.json()["error"]["code"] == "confirmation_required"

    undone = cli.json("history", "--undo", newest["batch_id"][-8:], "--yes")
    assert [(r["id"], r["removed"]) for r in undone["results"]] == [(new_b, True)]
    left = {m["id"] for m in cli.json("list")["models"]}
    assert left == set(ids_a)  # the duplicate it found (a batch-1 model) stays
    assert {p: tree_snapshot(p) for p in (first, second)} == before  # no source touched
    after = cli.json("history")["batches"][0]
    assert after["in_library"] == 0 and after["models"][0]["in_library"] is False
    again = cli.json("history", "--undo", newest["batch_id"], "--yes")
    assert again["results"] == []

    unknown = cli.run("--json", "history", "--undo", "ffffffffff", "--yes")
    assert unknown.returncode == 1 and unknown.json()["error"]["code"] == "job_not_found"


def test_undo_of_a_move_puts_the_files_back_and_keeps_a_model_whose_place_is_taken(
    tmp_path: Path,
) -> None:
    cli = make_cli(tmp_path)
    src = tmp_path / "moved"
    files = [write_lora(src / f"m{i}.safetensors", seed=20 + i) for i in range(2)]
    hashes = {p: file_hashes(p) for p in files}
    inodes = {p: p.stat().st_ino for p in files}
    _import(cli, *files, mode="--move")
    assert not any(p.exists() for p in files)  # moved in
    files[1].write_text("a new file at the old name\n")  # its place is taken again

    batch = cli.json("history")["batches"][0]
    run = cli.run("--json", "history", "--undo", batch["batch_id"], "--yes")
    assert run.returncode == 1, str(run)
    doc = run.json()
    assert doc["error"]["code"] == "undo_incomplete"
    by_id = {r["id"]: r for r in doc["results"]}
    put_back = next(r for r in by_id.values() if r["removed"])
    kept = next(r for r in by_id.values() if not r["removed"])
    assert put_back["restored"] == [str(files[0])]
    assert file_hashes(files[0]) == hashes[files[0]]
    assert files[0].stat().st_ino == inodes[files[0]]  # the same file, given its name back
    assert str(files[1]) in kept["error"]["message"]
    assert files[1].read_text() == "a new file at the old name\n"
    assert [m["id"] for m in cli.json("list")["models"]] == [kept["id"]]  # nothing lost


def test_stats_add_up_the_library(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    src = tmp_path / "src"
    big = write_lora(src / "big.safetensors", seed=1, total_size=3 << 20)
    small = write_lora(src / "small.safetensors", seed=2)
    _import(cli, big, small)
    copy = tmp_path / "again" / "big_copy.safetensors"
    copy.parent.mkdir()
    copy.write_bytes(big.read_bytes())
    _import(cli, copy)  # a duplicate: not stored twice

    stats = cli.json("stats")["stats"]
    total = big.stat().st_size + small.stat().st_size
    assert (stats["models"], stats["bytes"]) == (2, total)
    assert sum(r["bytes"] for r in stats["by_type"]) == total
    assert sum(r["models"] for r in stats["by_family"]) == 2
    assert stats["largest"][0]["name"].startswith("big")
    assert stats["growth"][-1]["total_bytes"] == total
    assert (stats["duplicates_avoided"], stats["duplicate_bytes_avoided"]) == (
        1,
        big.stat().st_size,
    )
    assert stats["linked"] == []
    human = cli.run("stats")
    assert human.returncode == 0 and "Duplicates avoided: 1" in human.stdout, str(human)


def test_list_and_search_filter_by_size_date_and_app(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    src = tmp_path / "src"
    big = write_lora(src / "neon_big.safetensors", seed=1, total_size=3 << 20)
    small = write_lora(src / "neon_small.safetensors", seed=2)
    ids = {Path(r["key"]).stem: r["id"] for r in _import(cli, big, small)["results"]}

    assert [m["id"] for m in cli.json("list", "--min-size", "2M")["models"]] == [ids["neon_big"]]
    assert [m["id"] for m in cli.json("list", "--max-size", "1MiB")["models"]] == [
        ids["neon_small"]
    ]
    found = cli.json("search", "neon", "--min-size", "2m")
    assert (found["total"], found["models"][0]["id"]) == (1, ids["neon_big"])
    assert cli.json("list", "--added-after", "2000-01-01")["total"] == 2
    assert cli.json("list", "--added-before", "2000-01-01")["total"] == 0
    bad_size = cli.run("--json", "list", "--min-size", "lots")
    assert bad_size.returncode != 0 and "--min-size" in bad_size.stdout + bad_size.stderr
    bad_date = cli.run("--json", "list", "--added-after", "last tuesday")
    assert bad_date.returncode == 1
    assert bad_date.json()["error"]["code"] == "invalid_argument"

    comfy = fake_comfyui(tmp_path / "ComfyUI")
    cli.json("apps", "add", str(comfy), "--name", "Comfy")
    assert cli.json("list", "--linked-to", "Comfy")["total"] == 2
    assert cli.json("list", "--not-linked-to", "Comfy")["total"] == 0
    cli.json("links", ids["neon_small"], "--app", "Comfy", "--exclude")
    assert [m["id"] for m in cli.json("list", "--not-linked-to", "Comfy")["models"]] == [
        ids["neon_small"]
    ]
    stats = cli.json("stats")["stats"]
    assert stats["linked"] == [{"key": "Comfy", "models": 1, "bytes": big.stat().st_size}]
    unknown = cli.run("--json", "list", "--linked-to", "Nope")
    assert unknown.returncode == 1 and unknown.json()["error"]["code"] == "app_not_found"
    assert os.path.exists(big) and os.path.exists(small)


def test_saved_filters_are_shared_with_the_window(tmp_path: Path) -> None:
    """`list … --save-as NAME` saves what the window's sidebar saves (settings.json, the same
    keys); `list --saved NAME` applies a filter saved either way, options adding to it;
    `filters` lists them and `--rm` removes one; the size / added choices are the sidebar's."""
    import json

    cli = make_cli(tmp_path)
    src = tmp_path / "src"
    big = write_lora(src / "neon_big.safetensors", seed=1, total_size=600 << 20)
    small = write_lora(src / "neon_small.safetensors", seed=2)
    ids = {Path(r["key"]).stem: r["id"] for r in _import(cli, big, small)["results"]}
    assert [m["id"] for m in cli.json("list", "--size", "medium")["models"]] == [ids["neon_big"]]
    assert [m["id"] for m in cli.json("list", "--size", "small")["models"]] == [ids["neon_small"]]
    assert cli.json("list", "--added", "week")["total"] == 2
    bad_choice = cli.run("--json", "list", "--size", "tiny")
    assert bad_choice.returncode != 0 and "tiny" in bad_choice.stdout + bad_choice.stderr

    saved = cli.json("search", "neon", "--size", "small", "--save-as", "Small neon")
    assert [m["id"] for m in saved["models"]] == [ids["neon_small"]]
    listed = cli.json("filters")["filters"]
    assert listed == [{"name": "Small neon", "text": "neon", "filters": {"size": "small"}}]
    again = cli.json("list", "--saved", "small NEON")  # names are found case-insensitively
    assert [m["id"] for m in again["models"]] == [ids["neon_small"]]
    assert cli.json("list", "--saved", "Small neon", "--favorites")["total"] == 0  # adds to it

    # as the window writes one (its own keys, a key it no longer knows is ignored)
    settings_file = cli.home / "settings.json"
    stored = json.loads(settings_file.read_text())
    stored["saved_filters"].append(
        {"name": "Big ones", "text": "", "filters": {"size": "medium", "someday": "x"}}
    )
    stored["saved_filters"].append({"name": "Broken", "text": "", "filters": {"added": "never"}})
    settings_file.write_text(json.dumps(stored))
    assert [m["id"] for m in cli.json("list", "--saved", "Big ones")["models"]] == [ids["neon_big"]]
    broken = cli.run("--json", "list", "--saved", "Broken")
    assert broken.returncode == 1
    assert broken.json()["error"]["code"] == "invalid_argument"
    assert "Broken" in broken.json()["error"]["message"]
    missing = cli.run("--json", "list", "--saved", "Nope")
    assert missing.returncode == 1 and "Small neon" in missing.json()["error"]["message"]

    left = cli.json("filters", "--rm", "broken")["filters"]
    assert [f["name"] for f in left] == ["Small neon", "Big ones"]
    human = cli.run("filters")
    assert "Small neon: “neon”, size=small" in human.stdout, str(human)
