"""models.db is only an index: delete it, `tensorshelf rebuild`, get the same listing back.
A corrupt metadata.json is reported by path and does not stop the rebuild."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fixtures.cli_runner import make_cli, write_lora

MODELS = 4


def _listing(doc: dict[str, Any]) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    return sorted(
        (m["id"], m["path"], m["hashes"]["sha256"], m["hashes"]["blake3"], tuple(m["tags"]))
        for m in doc["models"]
    )


def test_delete_models_db_then_rebuild_gives_an_identical_listing(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    sources = [
        write_lora(tmp_path / "src" / f"model {i}.safetensors", seed=100 + i) for i in range(MODELS)
    ]
    cli.json("import", "--no-lookup", "--tag", "t", *map(str, sources))
    first = cli.json("list", "--limit", "1000")
    assert first["total"] == MODELS

    for name in ("models.db", "models.db-wal", "models.db-shm"):
        (cli.library / name).unlink(missing_ok=True)
    report = cli.json("rebuild")
    assert report["ok"] is True
    assert report["models_found"] == MODELS and report["models_indexed"] == MODELS
    assert report["errors"] == [] and report["phantoms"] == []
    again = cli.json("list", "--limit", "1000")
    assert again["total"] == MODELS
    assert _listing(again) == _listing(first)
    assert again["models"] == first["models"]  # every listed field, not only the keys


def test_rebuild_reports_a_corrupt_metadata_json_and_indexes_the_rest(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    sources = [write_lora(tmp_path / f"m{i}.safetensors", seed=200 + i) for i in range(3)]
    results = cli.json("import", "--no-lookup", *map(str, sources))["results"]
    broken = cli.library / results[0]["path"] / "metadata.json"
    broken.write_text('{"id": "truncated', encoding="utf-8")
    report = cli.json("rebuild")
    assert report["models_indexed"] == 2
    assert [Path(e["details"]["path"]) for e in report["errors"]] in ([broken], [broken.parent])
    assert {m["id"] for m in cli.json("list")["models"]} == {r["id"] for r in results[1:]}
