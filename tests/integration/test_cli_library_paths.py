"""CLI user paths around where the library is: commands that only read or maintain a
library never create one at a mistyped --library (or on an unplugged drive's mount point);
`inspect` needs none; importing a folder of models mixed with READMEs exits 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.cli_runner import make_cli, write_lora


@pytest.mark.parametrize(
    "args", [["list"], ["search", "x"], ["show", "abcd"], ["scan"], ["verify"], ["jobs"]]
)
def test_read_commands_do_not_create_a_missing_library(tmp_path: Path, args: list[str]) -> None:
    cli = make_cli(tmp_path / "nowhere")
    doc = cli.json(*args, expect=1)
    assert doc["error"]["code"] == "library_not_found"
    assert str(cli.library) in doc["error"]["message"]
    assert not (tmp_path / "nowhere").exists()


def test_inspect_and_then_import_into_a_new_library(tmp_path: Path) -> None:
    cli = make_cli(tmp_path / "fresh")
    folder = tmp_path / "my models"
    lora = write_lora(folder / "style.safetensors", seed=3)
    (folder / "README.txt").write_text("downloaded from somewhere")
    (folder / "style.preview.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # travels with the lora
    (folder / "cover.jpg").write_bytes(b"\xff\xd8\xff")  # belongs to nothing: skipped
    assert cli.json("inspect", str(lora))["detection"]["format"] == "safetensors"
    assert not (tmp_path / "fresh").exists()
    doc = cli.json("import", "--no-lookup", str(folder))  # exit 0: nothing failed
    assert [Path(r["key"]).name for r in doc["results"]] == ["style.safetensors"]
    assert cli.json("list")["total"] == 1
