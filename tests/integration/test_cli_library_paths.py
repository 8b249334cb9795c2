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


def test_models_of_one_import_have_short_unique_references(tmp_path: Path) -> None:
    """Ids of one import share their time prefix; the short reference (the id's random end)
    tells them apart, is what the human output prints, and is accepted as a ref."""
    from tests.fixtures.cli_runner import make_cli, write_lora

    cli = make_cli(tmp_path)
    files = [write_lora(tmp_path / "src" / f"m{i}.safetensors", seed=i) for i in range(3)]
    ids = [r["id"] for r in cli.json("import", "--no-lookup", *map(str, files))["results"]]
    assert len({i[:8] for i in ids}) < 3, "the premise: one import shares its prefix"
    refs = [i[-12:] for i in ids]
    assert len(set(refs)) == 3
    listed = cli.run("list").stdout
    assert all(r in listed for r in refs), listed
    for model_id, ref in zip(ids, refs, strict=True):
        assert cli.json("show", ref)["model"]["id"] == model_id
        assert cli.json("show", ref[-6:])["model"]["id"] == model_id
    missing = cli.run("--json", "show", "abcdef")
    assert missing.returncode == 1 and "short reference" in missing.json()["error"]["message"]
