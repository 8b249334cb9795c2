"""`inspect` of what is not a regular file, or not a model: a clear error, at once, and no
content of arbitrary files in the message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import make_cli

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
