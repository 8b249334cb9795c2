"""Multi-file downloads end to end through the real CLI against the fake Hub: a whole shard
set becomes one sharded model, a diffusers folder one model keeping its relative paths, and
"Download missing shards" (`download --complete MODEL`) completes an incomplete set in
place — same id, same folder, every shard verified against the Hub's SHA-256."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import Cli, make_cli
from tests.fixtures.fake_hub import COMMIT, FakeHub, fake_hub
from tests.fixtures.import_files import make_diffusers_folder, make_sharded_set

SHARDS = "bigorg/big-model"
PIPELINE = "pipeorg/tiny-pipeline"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Cli, FakeHub, Path]]:
    made = tmp_path / "made"
    shards = make_sharded_set(made / "shards", "big", 3, seed=4)
    pipeline = made / "pipeline"
    pipeline_files = make_diffusers_folder(pipeline, seed=5)
    with fake_hub(tmp_path) as hub:
        repo = hub.repo(SHARDS, downloads=5)
        for shard in shards:
            repo.add(shard.name, shard.read_bytes())
        repo.add(
            "big.safetensors.index.json",
            (made / "shards" / "big.safetensors.index.json").read_bytes(),
            lfs=False,
        )
        repo.add("README.md", b"# big\n", lfs=False)
        pipe = hub.repo(PIPELINE, downloads=3)
        for rel in pipeline_files:
            pipe.add(rel, (pipeline / rel).read_bytes(), lfs=rel.endswith(".safetensors"))
        cli = make_cli(
            tmp_path, HF_HUB_OFFLINE="0", HF_ENDPOINT=hub.url, SSL_CERT_FILE=str(hub.ca_file)
        )
        yield cli, hub, made


def test_a_shard_set_and_a_diffusers_folder_download_as_one_model_each(world) -> None:
    cli, hub, made = world
    done = cli.json("download", SHARDS, "big-*.safetensors", "big.safetensors.index.json")
    (imported,) = [i for i in done["imported"] if i["ok"]]
    meta = cli.json("show", imported["id"])["model"]
    assert meta["model_format"] == "sharded-set" and meta["match_method"] == "hash"
    shards = sorted((f["path"], f["shard_index"]) for f in meta["files"] if f["role"] == "weights")
    assert shards == [(f"big-0000{i}-of-00003.safetensors", i) for i in (1, 2, 3)]

    done = cli.json("download", PIPELINE, "*")
    (pipeline,) = [i for i in done["imported"] if i["ok"]]
    meta = cli.json("show", pipeline["id"])["model"]
    assert meta["model_format"] == "diffusers-folder" and meta["repo_id"] == PIPELINE
    stored = cli.library / meta["path"]
    for rel in ("unet/diffusion_pytorch_model.safetensors", "model_index.json", "vae/config.json"):
        assert (stored / rel).read_bytes() == (made / "pipeline" / rel).read_bytes(), rel


def test_download_missing_shards_completes_the_set_in_place(world, tmp_path: Path) -> None:
    cli, hub, made = world
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("big-00001-of-00003.safetensors", "big-00003-of-00003.safetensors"):
        (partial / name).write_bytes((made / "shards" / name).read_bytes())
    done = cli.json("import", str(partial / "big-00001-of-00003.safetensors"))
    (item,) = done["results"]
    model_id = item["id"]
    before = cli.json("show", model_id)["model"]
    assert before["repo_id"] == SHARDS and before["match_method"] == "hash", "matched by hash"
    assert len([f for f in before["files"] if f["role"] == "weights"]) == 2

    completed = cli.json("download", "--complete", model_id)
    assert completed["completed"] == model_id
    assert completed["files"] == ["big-00002-of-00003.safetensors"]
    after = cli.json("show", model_id)["model"]
    assert after["id"] == model_id and after["path"] == before["path"], "in place"
    weights = sorted(f["shard_index"] for f in after["files"] if f["role"] == "weights")
    assert weights == [1, 2, 3]
    added = next(f for f in after["files"] if f["shard_index"] == 2)
    assert added["sha256"] == hub.repos[SHARDS].files["big-00002-of-00003.safetensors"].sha256
    stored = cli.library / after["path"] / "big-00002-of-00003.safetensors"
    assert stored.read_bytes() == (made / "shards" / "big-00002-of-00003.safetensors").read_bytes()
    assert cli.json("verify", "--full", model_id)["ok"]
    assert not list((cli.home / "downloads").glob("bigorg--big-model@*")), "partials gone"

    again = cli.run("--json", "download", "--complete", model_id)
    assert again.returncode == 1 and "not a sharded set with shards missing" in again.stdout
    assert after["revision"] == COMMIT
