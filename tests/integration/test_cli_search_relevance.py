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


def test_kind_words_find_that_kind_and_list_takes_the_vocabulary(tmp_path: Path) -> None:
    """Searching "lora" or "loras" finds the LoRAs (their subtype), also beside other words;
    `list --subtype lora` is `loras`, ComfyUI's legacy names work, an unknown word is refused
    with the vocabulary instead of silently listing nothing."""
    from tests.fixtures.detect_files import make_model_file

    cli = make_cli(tmp_path)
    src = tmp_path / "src"
    loras = [write_lora(src / f"{n}.safetensors", seed=i) for i, n in enumerate(("ink", "neon"))]
    vae = make_model_file("sd1_vae_ft_mse_fp32", src / "vae")
    doc = cli.json("import", "--no-lookup", *(str(p) for p in (*loras, vae)))
    ids = {Path(r["key"]).stem: r["id"] for r in doc["results"]}
    assert len(ids) == 3

    for word in ("lora", "loras", "LoRA"):
        found = cli.json("search", word)
        assert {m["id"] for m in found["models"]} == {ids["ink"], ids["neon"]}, word
        assert found["total"] == 2
    both = cli.json("search", "neon lora")
    assert [m["id"] for m in both["models"]] == [ids["neon"]]
    assert cli.json("search", "vae")["total"] == 1

    assert cli.json("list", "--subtype", "lora")["total"] == 2
    assert cli.json("list", "--subtype", "loras")["total"] == 2
    refused = cli.run("--json", "list", "--subtype", "lorax")
    assert refused.returncode == 1
    error = refused.json()["error"]
    assert error["code"] == "invalid_argument" and "loras" in error["message"]


def test_family_names_as_people_write_them_find_that_family(tmp_path: Path) -> None:
    """ "SD 1.5", "sd1.5", "Stable Diffusion XL", "SDXL 1.0" find the family (sd1, sdxl) though
    no name holds those words, also beside other words; a plain word keeps its own meaning."""
    cli = make_cli(tmp_path)
    src = tmp_path / "src"
    made = [
        write_lora(src / f"{n}.safetensors", seed=i) for i, n in enumerate(("ink", "neon", "dune"))
    ]
    doc = cli.json("import", "--no-lookup", *(str(p) for p in made))
    ids = {Path(r["key"]).stem: r["id"] for r in doc["results"]}
    for name, family in (("ink", "sd1"), ("neon", "sd1"), ("dune", "sdxl")):
        cli.json("edit", ids[name], "--family", family)

    def found(text: str) -> set[str]:
        return {m["id"] for m in cli.json("search", text)["models"]}

    for text in ("SD 1.5", "sd1.5", "SD15", "stable diffusion 1.5"):
        assert found(text) == {ids["ink"], ids["neon"]}, text
    for text in ("Stable Diffusion XL", "SDXL 1.0", "sdxl"):
        assert found(text) == {ids["dune"]}, text
    assert found("neon SD 1.5") == {ids["neon"]}
    assert found("SD 1.5 dune") == set()  # both must hold
    assert cli.json("list", "sd", "1.5", "--sort", "name")["total"] == 2


def test_a_hash_prefix_finds_its_model(tmp_path: Path) -> None:
    """`search sha256:ab12…` (or blake3:) finds the model by a prefix of its hash."""
    cli = make_cli(tmp_path)
    files = [write_lora(tmp_path / "src" / f"h{i}.safetensors", seed=i) for i in range(2)]
    results = cli.json("import", "--no-lookup", *map(str, files))["results"]
    for item in results:
        sha, b3 = item["hashes"]["sha256"], item["hashes"]["blake3"]
        assert [m["id"] for m in cli.json("search", f"sha256:{sha[:10]}")["models"]] == [item["id"]]
        assert [m["id"] for m in cli.json("search", f"blake3:{b3[:8].upper()}")["models"]] == [
            item["id"]
        ]
    assert cli.json("search", "sha256:000000000000")["total"] == 0


def test_list_filters_by_trust_lookup_state_and_integrity(tmp_path: Path) -> None:
    """`list --pending`, `--match`, `--integrity` filter in SQL, with exact totals."""
    cli = make_cli(tmp_path)
    files = [write_lora(tmp_path / "src" / f"t{i}.safetensors", seed=i) for i in range(3)]
    waiting = cli.json("import", str(files[0]))["results"][0]["id"]  # offline: pending
    others = [r["id"] for r in cli.json("import", "--no-lookup", *map(str, files[1:]))["results"]]
    assert [m["id"] for m in cli.json("list", "--pending")["models"]] == [waiting]
    assert cli.json("list", "--match", "none")["total"] == 3, "no match yet, for all"
    assert cli.json("list", "--match", "hash")["total"] == 0
    cli.json("verify", others[1])
    ok = cli.json("list", "--integrity", "ok")
    assert [m["id"] for m in ok["models"]] == [others[1]] and ok["total"] == 1
    assert cli.json("list", "--integrity", "unverified")["total"] == 2


def test_collections_group_models_and_survive_a_rebuild(tmp_path: Path) -> None:
    """collections add / rm / rename / delete through the CLI; stored in metadata.json, so a
    rebuild of the index restores them; `list --collection` filters."""
    cli = make_cli(tmp_path)
    files = [write_lora(tmp_path / "src" / f"c{i}.safetensors", seed=i) for i in range(3)]
    ids = [r["id"] for r in cli.json("import", "--no-lookup", *map(str, files))["results"]]
    assert cli.json("collections")["collections"] == {}
    added = cli.json("collections", "add", "Portrait workflow", ids[0], ids[1][-12:])
    assert sorted(added["ids"]) == sorted(ids[:2])
    assert added["collections"] == {"Portrait workflow": 2}
    cli.json("collections", "add", "Inks", ids[1], ids[2])
    listed = cli.json("list", "--collection", "Portrait workflow")
    assert sorted(m["id"] for m in listed["models"]) == sorted(ids[:2])
    meta = cli.json("show", ids[1])["model"]
    assert sorted(meta["collections"]) == ["Inks", "Portrait workflow"]

    cli.json("rebuild")
    assert cli.json("collections")["collections"] == {"Inks": 2, "Portrait workflow": 2}
    cli.json("collections", "rm", "Inks", ids[2])
    renamed = cli.json("collections", "rename", "Portrait workflow", "Portraits")
    assert renamed["collections"] == {"Inks": 1, "Portraits": 2}
    gone = cli.json("collections", "delete", "Portraits")
    assert gone["collections"] == {"Inks": 1}
    assert cli.json("list")["total"] == 3, "deleting a collection keeps its models"
    bad = cli.run("--json", "collections", "rename", "Nope", "X")
    assert bad.returncode == 1 and "no collection named" in bad.json()["error"]["message"]
