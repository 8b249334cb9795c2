"""What verify finds is kept: recorded in metadata.json, indexed (`list --attention`), shown
as "finished with problems" by `jobs`, with the bytes actually read; a corrupt metadata.json
is reported as unreadable by scan and rebuild instead of silently dropping the model."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora


def _flip_last_byte(path: Path) -> None:
    st = path.stat()
    with path.open("r+b") as f:
        f.seek(st.st_size - 1)
        last = f.read(1)[0]
        f.seek(st.st_size - 1)
        f.write(bytes([last ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_failed_verify_is_recorded_and_needs_attention(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    good = write_lora(tmp_path / "good.safetensors", seed=1)
    bad = write_lora(tmp_path / "bad.safetensors", seed=2)
    cli.json("import", "--no-lookup", str(good), str(bad))
    ids = {m["name"]: m for m in cli.json("list")["models"]}
    assert {m["integrity"] for m in ids.values()} == {"unverified"}
    stored = cli.library / ids["bad"]["path"] / "bad.safetensors"
    _flip_last_byte(stored)

    report = cli.json("verify", expect=1)
    assert report["error"]["code"] == "verify_failed"
    meta = json.loads((stored.parent / "metadata.json").read_text())
    assert meta["integrity"]["state"] == "mismatch" and meta["integrity"]["checked_at"]
    assert meta["integrity"]["files"][0]["status"] == "mismatch"
    listed = {m["name"]: m["integrity"] for m in cli.json("list")["models"]}
    assert listed == {"good": "ok", "bad": "mismatch"}
    attention = cli.json("list", "--attention")["models"]
    assert [m["name"] for m in attention] == ["bad"]

    jobs = cli.json("jobs")["jobs"]
    verify_job = next(j for j in jobs if j["kind"] == "verify")
    assert verify_job["status"] == "done" and verify_job["problems"] == 1
    assert verify_job["bytes_read"] == stored.stat().st_size  # good.safetensors was cached
    human = cli.run("jobs")
    assert "finished with problems (1)" in human.stdout, human

    cli.json("rebuild")  # the verdict lives in metadata.json: it survives a rebuild
    assert [m["name"] for m in cli.json("list", "--attention")["models"]] == ["bad"]


def test_a_corrupt_metadata_json_is_reported_unreadable(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "m.safetensors", seed=3)))
    (model,) = cli.json("list")["models"]
    (cli.library / model["path"] / "metadata.json").write_text("{ not json")
    scan = cli.json("scan")
    assert scan["removed"] == []
    assert [u["details"]["path"] for u in scan["unreadable"]] == [model["path"]]
    assert "unreadable" in cli.run("scan").stdout
    rebuild = cli.json("rebuild")
    assert [u["details"]["path"] for u in rebuild["unreadable"]] == [model["path"]]
