"""`tensorshelf search` (and ShelfApi.search) rank by relevance: a model whose name matches
comes before one that only mentions the word in its notes, whatever the alphabet says."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora


def test_search_ranks_a_name_match_above_a_notes_match(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    src = tmp_path / "src"
    # by name, "aardvark" sorts first; only its notes mention the word searched for
    notes_hit = write_lora(src / "aardvark_style.safetensors", seed=1)
    name_hit = write_lora(src / "lumen_detail.safetensors", seed=2)
    other = write_lora(src / "zebra.safetensors", seed=3)
    doc = cli.json("import", "--no-lookup", str(notes_hit), str(name_hit), str(other))
    ids = {Path(r["key"]).stem: r["id"] for r in doc["results"]}
    cli.json("edit", ids["aardvark_style"], "--notes", "soft lumen lighting, try 0.6")

    found = cli.json("search", "lumen")
    assert found["total"] == 2
    assert [m["id"] for m in found["models"]] == [ids["lumen_detail"], ids["aardvark_style"]]
    human = cli.run("search", "lumen")
    assert human.returncode == 0, str(human)
    assert human.stdout.index("lumen") < human.stdout.index("aardvark"), str(human)
