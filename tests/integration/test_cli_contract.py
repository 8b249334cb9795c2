"""The CLI contract (DESIGN.md "CLI contract"): --json shapes, exit codes 0/1/2, errors
for unknown models and bad files — through the real console script in subprocesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.cli_runner import (
    Cli,
    file_hashes,
    make_cli,
    published_model_dirs,
    write_junk,
    write_lora,
)

# One worker builds the shared library once (pytest-xdist --dist loadgroup).
pytestmark = pytest.mark.xdist_group("cli_contract")

MODEL_KEYS = {
    "id",
    "path",
    "name",
    "model_type",
    "subtype",
    "family",
    "model_format",
    "size_bytes",
    "hashes",
    "tags",
    "repo_id",
    "match_method",
}
RESULT_KEYS = {"ok", "id", "path", "hashes", "duplicate_of", "warnings"}


class Shelf:
    """One library shared by the read-mostly tests of this module (saves subprocesses)."""

    def __init__(self, root: Path) -> None:
        self.cli: Cli = make_cli(root)
        self.src = root / "src"
        self.lora_a = write_lora(self.src / "detail tweaker.safetensors", seed=1)
        self.lora_b = write_lora(self.src / "Ünïcode style.safetensors", seed=2)
        doc = self.cli.json(
            "import", "--no-lookup", "--tag", "demo", str(self.lora_a), str(self.lora_b)
        )
        self.results = {Path(r["key"]).name: r for r in doc["results"]}
        self.doc = doc


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Shelf:
    return Shelf(tmp_path_factory.mktemp("shelf"))


def test_import_json_shape_and_hashes(shelf: Shelf) -> None:
    assert shelf.doc["ok"] is True
    assert len(shelf.doc["results"]) == 2
    for source in (shelf.lora_a, shelf.lora_b):
        result = shelf.results[source.name]
        assert set(result) >= RESULT_KEYS, result
        assert result["ok"] is True and result["duplicate_of"] is None
        sha256, blake3 = file_hashes(source)
        assert result["hashes"] == {"sha256": sha256, "blake3": blake3}
        stored = shelf.cli.library / result["path"] / source.name  # original name kept
        assert file_hashes(stored) == (sha256, blake3)
    assert len(published_model_dirs(shelf.cli.library)) == 2


def test_import_of_a_known_file_reports_the_duplicate(shelf: Shelf) -> None:
    doc = shelf.cli.json("import", "--no-lookup", str(shelf.lora_a))
    (result,) = doc["results"]
    assert result["ok"] is True
    assert result["duplicate_of"] == shelf.results[shelf.lora_a.name]["id"]
    assert shelf.cli.json("list")["total"] == 2


def test_import_of_a_bad_file_exits_1_with_the_item_error(shelf: Shelf, tmp_path: Path) -> None:
    junk = write_junk(tmp_path / "notes.safetensors")
    result = shelf.cli.run("--json", "import", "--no-lookup", str(junk), str(shelf.lora_b))
    assert result.returncode == 1, str(result)
    assert "Traceback" not in result.stderr
    doc = result.json()
    assert doc["ok"] is False and doc["error"]["code"] == "import_failed"
    by_name = {Path(r["key"]).name: r for r in doc["results"]}
    assert by_name["notes.safetensors"]["ok"] is False
    assert by_name["notes.safetensors"]["error"]["message"]
    assert by_name[shelf.lora_b.name]["ok"] is True  # one bad item does not stop the batch
    assert junk.read_text() == "this is not a model file\n"


def test_import_of_a_missing_path_is_a_handled_error(shelf: Shelf, tmp_path: Path) -> None:
    result = shelf.cli.run("--json", "import", str(tmp_path / "nope.safetensors"))
    assert result.returncode == 1, str(result)
    assert result.json()["ok"] is False
    assert "Traceback" not in result.stderr


def test_list_json_shape_filters_and_paging(shelf: Shelf) -> None:
    doc = shelf.cli.json("list")
    assert doc["ok"] is True and doc["total"] == 2
    for model in doc["models"]:
        assert set(model) >= MODEL_KEYS, model
        assert model["tags"] == ["demo"]
    ids = {r["id"] for r in shelf.results.values()}
    assert {m["id"] for m in doc["models"]} == ids
    page = shelf.cli.json("list", "--limit", "1", "--offset", "1")
    assert page["total"] == 2 and len(page["models"]) == 1
    assert shelf.cli.json("list", "--tag", "no-such-tag")["total"] == 0
    assert shelf.cli.json("list", "--type", "diffusion", "--subtype", "loras")["total"] == 2
    assert shelf.cli.json("list", "--type", "llm")["total"] == 0


def test_show_by_id_prefix_and_by_path(shelf: Shelf) -> None:
    result = shelf.results[shelf.lora_a.name]
    by_prefix = shelf.cli.json("show", result["id"][:-4])
    assert by_prefix["ok"] is True
    assert by_prefix["model"]["id"] == result["id"]
    assert by_prefix["model"]["files"][0]["sha256"] == result["hashes"]["sha256"]
    by_path = shelf.cli.json("show", result["path"])
    assert by_path["model"]["id"] == result["id"]


@pytest.mark.parametrize("command", ["show", "edit", "rm", "verify"])
def test_unknown_model_is_exit_1_with_error_code(shelf: Shelf, command: str) -> None:
    extra = {"edit": ["--name", "x"], "rm": ["--yes"]}.get(command, [])
    result = shelf.cli.run("--json", command, "zzzz-no-such-model", *extra)
    assert result.returncode == 1, str(result)
    assert "Traceback" not in result.stderr
    assert "zzzz-no-such-model" in result.stderr
    doc = result.json()
    assert doc["ok"] is False
    assert doc["error"]["code"] == "model_not_found"
    assert set(doc["error"]) == {"code", "message", "details"}
    if command == "rm":  # nothing was deleted
        assert shelf.cli.json("list")["total"] == 2


def test_search_finds_by_name(shelf: Shelf) -> None:
    doc = shelf.cli.json("search", "tweaker")
    assert doc["ok"] is True and doc["total"] == 1
    assert doc["models"][0]["id"] == shelf.results[shelf.lora_a.name]["id"]
    assert shelf.cli.json("search", "nothingmatchesthis")["total"] == 0


def test_inspect_json_shape(shelf: Shelf, tmp_path: Path) -> None:
    doc = shelf.cli.json("inspect", str(shelf.lora_a))
    detection = doc["detection"]
    assert {
        "format",
        "model_type",
        "subtype",
        "family",
        "precision",
        "confidence",
        "evidence",
    } <= set(detection)
    assert detection["format"] == "safetensors"
    junk = shelf.cli.run("--json", "inspect", str(write_junk(tmp_path / "x.gguf")))
    assert junk.returncode == 1 and junk.json()["error"]["code"] == "invalid_model_file"
    assert "Traceback" not in junk.stderr


def test_inspect_human_output_names_the_evidence(shelf: Shelf) -> None:
    result = shelf.cli.run("inspect", str(shelf.lora_a))
    assert result.returncode == 0, str(result)
    assert "safetensors" in result.stdout and "confidence" in result.stdout


def test_human_list_is_a_table(shelf: Shelf) -> None:
    result = shelf.cli.run("list")
    assert result.returncode == 0, str(result)
    assert "detail tweaker" in result.stdout and "of 2 model(s)" in result.stdout


def test_scan_and_jobs_and_reclassify_shapes(shelf: Shelf) -> None:
    scan = shelf.cli.json("scan")
    assert scan["ok"] is True and {"added", "updated", "removed", "unchanged"} <= set(scan)
    assert scan["added"] == [] and scan["removed"] == []
    jobs = shelf.cli.json("jobs")["jobs"]
    assert jobs and all(j["kind"] == "import" for j in jobs)
    assert {j["status"] for j in jobs} == {"done"}
    reclassify = shelf.cli.json("reclassify", "--all", "--dry-run")
    assert reclassify["ok"] is True and reclassify["dry_run"] is True


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["list", "--bogus"],
        ["list", "--limit", "0"],
        ["import"],
        ["import", "--move", "--link", "x.safetensors"],
        ["reclassify"],
        ["edit", "abc"],
        ["jobs", "--resume", "--cancel", "x"],
    ],
)
def test_bad_usage_exits_2(shelf: Shelf, args: list[str]) -> None:
    result = shelf.cli.run("--json", *args)
    assert result.returncode == 2, str(result)
    assert "Traceback" not in result.stderr
    assert result.json()["error"]["code"] == "usage"


def test_global_options_override_the_environment(shelf: Shelf, tmp_path: Path) -> None:
    elsewhere = make_cli(tmp_path)  # env points at a library that does not exist (yet)
    missing = elsewhere.json("list", expect=1)
    assert missing["error"]["code"] == "library_not_found"
    assert not elsewhere.library.exists() and not elsewhere.home.exists()  # nothing created
    doc = elsewhere.json("--home", str(shelf.cli.home), "--library", str(shelf.cli.library), "list")
    assert doc["total"] == 2


def test_edit_then_favorites_and_tags(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    doc = cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", 5)))
    model_id = doc["results"][0]["id"]
    edited = cli.json(
        "edit",
        model_id[:10],
        "--name",
        "Renamed",
        "--tag",
        "x",
        "--tag",
        "y",
        "--rating",
        "5",
        "--notes",
        "hello",
    )
    assert edited["model"]["name"] == "Renamed"
    assert edited["model"]["tags"] == ["x", "y"] and edited["model"]["rating"] == 5
    favorites = cli.json("list", "--favorites")
    assert [m["id"] for m in favorites["models"]] == [model_id]
    assert cli.json("list", "--tag", "y")["total"] == 1
    on_disk = cli.json("show", model_id)["model"]
    assert on_disk["notes"] == "hello"
    assert cli.run("--json", "edit", model_id, "--rating", "9").returncode == 2


def test_rm_confirms_and_deletes_only_library_files(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    source = write_lora(tmp_path / "keep me.safetensors", 7)
    before = file_hashes(source)
    model_id = cli.json("import", "--no-lookup", str(source))["results"][0]["id"]
    refused = cli.run("--json", "rm", model_id)  # stdin is not a terminal, no --yes
    assert refused.returncode == 1, str(refused)
    assert refused.json()["error"]["code"] == "confirmation_required"
    assert cli.json("list")["total"] == 1
    bad = cli.run("--json", "rm", "--yes", model_id, "no-such-model")
    assert bad.returncode == 1 and cli.json("list")["total"] == 1  # nothing deleted
    doc = cli.json("rm", "--yes", model_id)
    assert doc["ok"] is True and doc["results"][0]["removed"] is True
    assert cli.json("list")["total"] == 0
    assert published_model_dirs(cli.library) == []
    assert file_hashes(source) == before  # the user's file is untouched


def test_verify_detects_a_changed_library_file(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    result = cli.json("import", "--no-lookup", str(write_lora(tmp_path / "v.safetensors", 9)))[
        "results"
    ][0]
    ok = cli.json("verify", "--full")
    assert ok["ok"] is True and [m["ok"] for m in ok["models"]] == [True]
    stored = cli.library / result["path"] / "v.safetensors"
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0xFF
    stored.write_bytes(bytes(data))
    bad = cli.run("--json", "verify", result["id"])
    assert bad.returncode == 1, str(bad)
    doc = bad.json()
    assert doc["ok"] is False and doc["error"]["code"] == "verify_failed"
    assert doc["models"][0]["files"][0]["status"] == "mismatch"
