"""Identification end to end through the real CLI against the fake Hub (TLS, HTTP/2): an
imported file the Hub lists is Verified with its repo's metadata, in at most 4 requests
(counted at the server); a renamed copy of another file of that repo is Verified with no
request at all (the hash index); a modified copy is a Modified version, never Verified; with
the Hub down the import still finishes, the model stays pending, and `lookup --pending`
identifies it once the Hub is back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import Cli, make_cli, write_lora
from tests.fixtures.fake_hub import COMMIT, FakeHub, fake_hub

REPO = "someorg/demo-lora-v1"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Cli, FakeHub, Path]]:
    src = tmp_path / "src"
    listed = write_lora(src / "demo-lora-v1.safetensors", seed=1)
    sibling = write_lora(src / "demo-lora-v1-extra.safetensors", seed=2)
    with fake_hub(tmp_path) as hub:
        repo = hub.repo(
            REPO, downloads=900, pipeline_tag="text-to-image", license="openrail", tags=["lora"]
        )
        repo.add(listed.name, listed.read_bytes())
        repo.add(sibling.name, sibling.read_bytes())
        hub.repo("else/demo-lora-v1-merges", downloads=5000).add("merged.safetensors", b"x")
        cli = make_cli(
            tmp_path, HF_HUB_OFFLINE="0", HF_ENDPOINT=hub.url, SSL_CERT_FILE=str(hub.ca_file)
        )
        yield cli, hub, src


def _import(cli: Cli, path: Path) -> dict:
    result = cli.json("import", str(path))
    (item,) = result["lookup"]["items"]
    return item


def test_verified_renamed_modified_and_pending(world) -> None:
    cli, hub, src = world
    before = len(hub.requests)
    item = _import(cli, src / "demo-lora-v1.safetensors")
    assert item["status"] == "matched" and item["match_method"] == "hash"
    assert item["repo_id"] == REPO
    assert len(hub.requests) - before <= 4 and item["requests"] <= 4
    meta = cli.json("show", item["id"])["model"]
    assert meta["repo_id"] == REPO and meta["revision"] == COMMIT
    assert meta["match_method"] == "hash" and meta["pending_online_lookup"] is False
    assert meta["pipeline_tag"] == "text-to-image" and meta["license"] == "openrail"
    assert meta["download_url"].endswith(f"/{REPO}/resolve/{COMMIT}/demo-lora-v1.safetensors")

    renamed = src / "renamed" / "my-own-name.safetensors"
    renamed.parent.mkdir()
    shutil.copy(src / "demo-lora-v1-extra.safetensors", renamed)
    before = len(hub.requests)
    item = _import(cli, renamed)
    assert item["match_method"] == "hash" and item["repo_id"] == REPO
    assert len(hub.requests) == before and item["requests"] == 0, "the hash index: no request"

    modified = write_lora(src / "modified" / "demo-lora-v1.safetensors", seed=3)
    item = _import(cli, modified)
    assert item["match_method"] == "filename_exact" and item["hash_mismatch"] is True
    assert cli.json("show", item["id"])["model"]["match_method"] != "hash", "never Verified"

    hub.faults.status = 503
    offline_copy = write_lora(src / "later" / "demo-lora-later.safetensors", seed=4)
    hub.repo("someorg/demo-lora-later").add(offline_copy.name, offline_copy.read_bytes())
    item = _import(cli, offline_copy)
    assert item["status"] == "pending" and "503" in item["problem"]
    assert cli.json("show", item["id"])["model"]["pending_online_lookup"] is True
    hub.faults.status = None
    again = cli.json("lookup", "--pending")
    (done,) = again["items"]
    assert done["id"] == item["id"] and done["match_method"] == "hash", "identified once back"
    assert cli.json("show", item["id"])["model"]["pending_online_lookup"] is False


def test_a_manual_answer_is_kept_and_an_unknown_repo_refused(world) -> None:
    cli, hub, src = world
    fuzzy = write_lora(src / "fz" / "demo-lora-v1-remix.safetensors", seed=7)
    item = _import(cli, fuzzy)
    assert item["match_method"] == "filename_fuzzy", "a similar name only: low confidence"
    meta = cli.json("show", item["id"])["model"]
    assert meta["license"] is None and meta["pipeline_tag"] is None, "nothing written unconfirmed"

    found = cli.json("lookup", item["id"], "--search", "")
    assert found["query"] == "demo-lora-v1-remix", "the file name without its extension"
    free = cli.json("lookup", "--search", "demo lora v1")
    assert [h["repo_id"] for h in free["hits"]] == ["else/demo-lora-v1-merges", REPO]
    assert free["hits"][1]["pipeline_tag"] == "text-to-image"
    assert "downloads" in cli.run("lookup", "--search", "demo lora v1").stdout

    confirmed = cli.json("lookup", item["id"], "--repo", REPO)["model"]
    assert confirmed["match_source"] == "manual" and confirmed["repo_id"] == REPO
    assert confirmed["pipeline_tag"] == "text-to-image", "the repo's metadata, once confirmed"
    again = cli.json("lookup", item["id"])["items"][0]
    assert cli.json("show", item["id"])["model"]["repo_id"] == REPO, "a lookup keeps it"
    assert again["id"] == item["id"]

    refused = cli.run("--json", "lookup", item["id"], "--repo", "nobody/nothing")
    assert refused.returncode != 0 and refused.json()["error"]["code"] == "repo_not_found"
    gone = cli.json("lookup", item["id"], "--no-match")["model"]
    assert gone["repo_id"] is None and gone["match_source"] == "manual"


def test_the_update_check_reports_new_bytes_and_changes_nothing(world) -> None:
    cli, hub, src = world
    item = _import(cli, src / "demo-lora-v1.safetensors")
    (same,) = cli.json("lookup", "--updates")["items"]
    assert same["update"] == "up_to_date"
    newer = write_lora(src / "v2" / "demo-lora-v1.safetensors", seed=9)
    hub.repos[REPO].add("demo-lora-v1.safetensors", newer.read_bytes())
    hub.repos[REPO].sha = "b" * 40
    before = cli.json("show", item["id"])["model"]
    (checked,) = cli.json("lookup", "--updates")["items"]
    assert checked["update"] == "update_available" and "bbbbbbbb" in checked["update_detail"]
    assert cli.json("show", item["id"])["model"] == before, "nothing is changed"
    del hub.repos[REPO].files["demo-lora-v1.safetensors"]
    assert cli.json("lookup", "--updates", item["id"])["items"][0]["update"] == "gone"


def test_a_small_non_lfs_file_is_matched_by_its_git_sha1(world) -> None:
    cli, hub, src = world
    small = write_lora(src / "small" / "tiny-style.safetensors", seed=21)
    hub.repo("someorg/tiny-style").add(small.name, small.read_bytes(), lfs=False)
    item = _import(cli, small)
    assert item["match_method"] == "filename_exact" and item["hash_mismatch"] is False
    assert item["repo_id"] == "someorg/tiny-style", "the same bytes by git SHA-1 (not Verified)"
    other = write_lora(src / "small2" / "tiny-style.safetensors", seed=22)
    item = _import(cli, other)
    assert item["hash_mismatch"] is True, "another git SHA-1: a modified version"


def _png(colour: str, size: tuple[int, int] = (640, 480)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_a_verified_match_brings_its_card_image_as_the_preview(world) -> None:
    """A Verified model without a preview gets its repo card's first example image (the grid's
    thumbnail follows); a low-confidence match, a model with a preview of its own, a card
    image that is no image or too big, or a Hub failing it, get none — and the match stands."""
    cli, hub, src = world
    repo = hub.repos[REPO]
    picture = _png("purple")
    repo.add("images/example.png", picture, lfs=False)
    repo.card_images = ["https://elsewhere.example/x.png", "../escape.png", "images/example.png"]
    item = _import(cli, src / "demo-lora-v1.safetensors")
    assert item["match_method"] == "hash"
    meta = cli.json("show", item["id"])["model"]
    assert meta["preview_image"] == "preview.png"
    preview = next(f for f in meta["files"] if f["role"] == "preview")
    library_dir = Path(cli.json("show", item["id"])["library_dir"])
    assert (library_dir / "preview.png").read_bytes() == picture
    assert preview["size"] == len(picture)
    cli.json("verify", item["id"])  # exit 0: every file, the preview too, is as recorded
    assert cli.json("show", item["id"])["model"]["integrity"]["state"] == "ok"
    thumb = cli.json("show", item["id"], "--thumbnail", str(src / "thumb.webp"))
    assert thumb["thumbnail"] and (src / "thumb.webp").stat().st_size > 0

    # no image after all, or one bigger than allowed: the match is kept, no preview
    for name, card in (
        ("fake", b"<html>not an image</html>"),
        ("huge", b"\x89PNG\r\n\x1a\n" + bytes(9 << 20)),
    ):
        weights = write_lora(src / name / f"{name}-style.safetensors", seed=ord(name[0]))
        other = hub.repo(f"someorg/{name}-style")
        other.add(weights.name, weights.read_bytes())
        other.add(f"images/{name}.png", card, lfs=False)
        other.card_images = [f"images/{name}.png"]
        item = _import(cli, weights)
        meta = cli.json("show", item["id"])["model"]
        assert item["match_method"] == "hash" and meta["preview_image"] is None, name
        assert not any(f["role"] == "preview" for f in meta["files"])
        assert not (Path(cli.json("show", item["id"])["library_dir"]) / "preview.png").exists()
