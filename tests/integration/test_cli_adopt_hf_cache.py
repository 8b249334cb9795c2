"""Adopting a local Hugging Face cache through the real CLI: `import --from-hf-cache` lists
its model repos (stale partial downloads, dangling links and links out of the blobs left
out, with why); adopting hard-links the blobs into the library on the same filesystem —
no file read (shown by a damaged blob whose name the adoption takes at its word, which the
first verify then catches) and nothing in the cache changed — and copies from a cache on a
read-only filesystem; each model is Verified from its repo at the cached commit, offline."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora
from tests.fixtures.hf_cache import COMMIT, fingerprint, make_repo
from tests.fixtures.mounts import Mount, remount_read_only

REPO = "someorg/portrait-loras"


def _cache(where: Path, scratch: Path) -> tuple[dict[str, bytes], str]:
    """A cache with one model repo (two LoRAs, a README) and the leftovers of a real one;
    returns the LoRAs' bytes and the damaged blob's claimed SHA-256."""
    repo = make_repo(where, REPO)
    loras = {
        f"portrait-{i}.safetensors": write_lora(scratch / f"l{i}.safetensors", seed=i).read_bytes()
        for i in (1, 2)
    }
    for name, data in loras.items():
        repo.add(name, data)
    repo.add("README.md", b"# portraits\n", lfs=False)
    repo.write_tree()
    (repo.folder / "blobs" / ("f" * 64 + ".incomplete")).write_bytes(b"partial")
    (repo.snapshot / "gone.safetensors").symlink_to("../../blobs/" + "e" * 64)
    outside = scratch / "elsewhere.safetensors"
    outside.write_bytes(b"not the cache's")
    (repo.snapshot / "escape.safetensors").symlink_to(outside)
    damaged = make_repo(where, "other/damaged")
    data = write_lora(scratch / "d.safetensors", seed=9).read_bytes()
    claimed = hashlib.sha256(b"what the name says").hexdigest()
    damaged.add("damaged.safetensors", data, etag=claimed)
    make_repo(where, "datasets-are-not-models").folder.rename(where / "datasets--x--y")
    return loras, claimed


def test_list_then_adopt_by_hard_link_without_reading_or_writing_the_cache(
    tmp_path: Path,
) -> None:
    cli = make_cli(tmp_path)
    cache = tmp_path / "hf" / "hub"
    loras, claimed = _cache(cache, tmp_path / "scratch")
    before = fingerprint(cache)

    listed = cli.json("import", "--from-hf-cache", str(cache))
    repos = {r["repo_id"]: r for r in listed["repos"]}
    assert set(repos) == {REPO, "other/damaged"}, "datasets are not models"
    (snap,) = repos[REPO]["snapshots"]
    assert snap["commit"] == COMMIT and snap["refs"] == ["main"]
    assert sorted(f["path"] for f in snap["files"]) == sorted([*loras, "README.md"])
    skipped = " ".join(snap["skipped"])
    assert "gone.safetensors: a dangling link" in skipped
    assert "escape.safetensors: points outside" in skipped
    human = cli.run("import", "--from-hf-cache", str(cache))
    assert REPO in human.stdout and "--repo" in human.stdout, human

    done = cli.json(
        "import", "--from-hf-cache", str(cache), "--repo", REPO, "--repo", "other/damaged"
    )
    imported = [i for r in done["repos"] for i in r["imported"] if i.get("ok")]
    assert len(imported) == 3, done
    for item in imported:
        meta = cli.json("show", item["id"])["model"]
        assert meta["match_method"] == "hash" and meta["revision"] == COMMIT
        (weights,) = [f for f in meta["files"] if f["path"].endswith(".safetensors")]
        stored = cli.library / meta["path"] / weights["path"]
        blob = cache / f"models--{meta['repo_id'].replace('/', '--')}" / "blobs" / weights["sha256"]
        assert stored.stat().st_ino == blob.stat().st_ino, "hard-linked, not copied"
        assert weights["blake3"] is None, "never read: its BLAKE3 waits for a verify"
    assert fingerprint(cache) == before, "nothing in the cache changed"
    assert not (cli.home / "adopt").exists() or not any((cli.home / "adopt").iterdir())

    (bad,) = [
        i for i in imported if cli.json("show", i["id"])["model"]["repo_id"] == "other/damaged"
    ]
    assert cli.json("show", bad["id"])["model"]["hashes"]["sha256"] == claimed
    verify = cli.run("--json", "verify", "--full")
    assert verify.returncode == 1, "the damaged blob is caught by the first verify"
    good = [i for i in imported if i is not bad]
    for item in good:
        meta = cli.json("show", item["id"])["model"]
        (weights,) = [f for f in meta["files"] if f["path"].endswith(".safetensors")]
        assert weights["blake3"] and meta["hashes"]["blake3"], "the verify filled it in"


def test_rehash_reads_every_file_and_a_read_only_cache_is_copied(
    tmp_path: Path, tmpfs: Mount
) -> None:
    cache = tmpfs("hub", "64m")
    loras, _claimed = _cache(cache, tmp_path / "scratch")
    remount_read_only(cache)
    cli = make_cli(tmp_path)
    done = cli.json("import", "--from-hf-cache", str(cache), "--repo", REPO, "--rehash")
    (entry,) = done["repos"]
    assert all(i["ok"] for i in entry["imported"]) and len(entry["imported"]) == 2
    for item in entry["imported"]:
        meta = cli.json("show", item["id"])["model"]
        assert meta["match_method"] == "hash" and meta["repo_id"] == REPO
        (weights,) = [f for f in meta["files"] if f["path"].endswith(".safetensors")]
        assert weights["blake3"], "copied: hashed on the way"
        assert (cli.library / meta["path"] / weights["path"]).read_bytes() == loras[weights["path"]]

    damaged = cli.run("--json", "import", "--from-hf-cache", str(cache), "--repo", "other/damaged")
    assert damaged.returncode == 1
    assert "not what its name says" in damaged.stdout, damaged

    missing = cli.run("--json", "import", "--from-hf-cache", str(cache), "--repo", "no/such")
    assert missing.returncode == 1 and "not in the cache" in missing.json()["error"]["message"]
