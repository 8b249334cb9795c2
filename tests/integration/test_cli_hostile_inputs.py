"""`inspect` of what is not a regular file, or not a model: a clear error, at once, and no
content of arbitrary files in the message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import make_cli, write_lora

HANG_GUARD_S = 20  # a FIFO open would block for good; the run must end long before this


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_inspect_refuses_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    cli = make_cli(tmp_path)
    if kind == "fifo":
        target = tmp_path / "looks like a model.gguf"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    result = cli.run("--json", "inspect", str(target), timeout=HANG_GUARD_S)
    assert result.returncode == 1, result.stderr
    error = result.json()["error"]
    assert error["code"] == "not_a_regular_file"
    assert str(target) in error["message"]
    assert ("named pipe" if kind == "fifo" else "character device") in error["message"]


def test_only_model_files_show_their_first_bytes(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    secret = tmp_path / "passwords.txt"
    secret.write_text("hunter2 hunter2 hunter2")
    named_like_a_model = tmp_path / "notes.safetensors"
    named_like_a_model.write_text("not a model, honest")
    plain = cli.run("--json", "inspect", str(secret))
    model = cli.run("--json", "inspect", str(named_like_a_model))
    assert plain.returncode == model.returncode == 1
    assert "68 75 6e" not in plain.stdout + plain.stderr  # "hun" in hex: never shown
    assert "hunter2" not in plain.stdout + plain.stderr
    assert "6e 6f 74" in model.json()["error"]["message"]  # "not": a model file's bytes are


def test_a_garbage_models_db_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    """models.db is only an index: a file that is not a database must not block any
    command. It is kept aside (models.db.corrupt-<time>) and the index is re-read from the
    metadata.json files."""
    cli = make_cli(tmp_path)
    source = write_lora(tmp_path / "in" / "Kept Lora.safetensors", seed=7)
    cli.json("import", "--no-lookup", str(source))
    db = cli.library / "models.db"
    for leftover in ("models.db-wal", "models.db-shm"):
        (cli.library / leftover).unlink(missing_ok=True)
    db.write_bytes(b"this is not an SQLite database at all" * 100)
    listed = cli.run("--json", "list")
    assert listed.returncode == 0, listed.stderr
    assert [m["name"] for m in listed.json()["models"]] == ["Kept Lora"]
    assert "not a usable database" in listed.stderr and "rebuilding the index" in listed.stderr
    kept = sorted(p.name for p in cli.library.glob("models.db.corrupt-*"))
    assert kept and kept[0].startswith("models.db.corrupt-")
    assert cli.json("rebuild")["models_indexed"] == 1  # and the new index works for writers


def test_user_text_is_capped_and_a_huge_metadata_json_is_refused_unread(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    source = write_lora(tmp_path / "in" / "Small Lora.safetensors", seed=8)
    model_id = cli.json("import", "--no-lookup", str(source))["results"][0]["id"]
    too_long = cli.run("--json", "edit", model_id, "--notes", "x" * 100_001)
    assert too_long.returncode in (1, 2), too_long.stdout
    assert "100000" in too_long.stdout + too_long.stderr  # the limit is named
    model_dir = next(cli.library.rglob("metadata.json")).parent
    bloated = model_dir / "metadata.json"
    text = bloated.read_text()
    bloated.write_text(text[:-2] + ', "x_notes": "' + "n" * (5 * 1024 * 1024) + '"}\n')
    report = cli.json("scan", expect=0)
    (error,) = report["errors"]
    assert "too large" in error["message"] and error["details"]["path"] == str(bloated)


def test_a_folder_with_a_symlink_loop_and_non_utf8_names_imports_the_rest(
    tmp_path: Path,
) -> None:
    """A loop is skipped, a name that is not UTF-8 is reported (escaped, raw bytes in hex),
    everything else is imported, and --json output stays valid UTF-8 JSON."""
    cli = make_cli(tmp_path)
    drop = tmp_path / "drop"
    write_lora(drop / "Good Lora.safetensors", seed=9)
    os.symlink(drop / "loop-b", drop / "loop-a")
    os.symlink(drop / "loop-a", drop / "loop-b")
    bad_dir = os.path.join(os.fsencode(drop), b"sub\xff")
    os.mkdir(bad_dir)
    write_lora(Path(os.fsdecode(os.path.join(bad_dir, b"lora\xfe.safetensors"))), seed=10)
    write_lora(Path(os.fsdecode(os.path.join(os.fsencode(drop), b"odd\xfe.safetensors"))), seed=11)
    result = cli.run("--json", "import", "--no-lookup", str(drop))
    assert result.returncode == 1, result.stderr  # some inputs were refused
    doc = json.loads(result.stdout.encode("utf-8"))  # valid UTF-8 JSON
    by_key = {r["key"]: r for r in doc["results"]}
    assert [k for k, r in by_key.items() if r["ok"]] == [str(drop / "Good Lora.safetensors")]
    loops = [r for k, r in by_key.items() if k.endswith(("loop-a", "loop-b"))]
    assert len(loops) == 2 and all("loop" in r["error"]["message"] for r in loops)
    odd = by_key[str(drop) + "/odd\\xfe.safetensors"]["error"]
    assert "not valid UTF-8" in odd["message"]
    assert bytes.fromhex(odd["details"]["path_bytes"]).endswith(b"odd\xfe.safetensors")
    assert str(drop) + "/sub\\xff" in by_key
