"""Copy-mode imports through LibraryService: hashes, names, grouping, companions, duplicates."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import (
    blake3_of,
    fingerprint,
    make_diffusers_folder,
    make_sharded_set,
    published_dirs,
    run_import,
    sha256_of,
    staged_entries,
    tree_fingerprints,
    write_gguf,
    write_safetensors,
)


def _meta(service: LibraryService, result) -> dict:
    return json.loads((service.root / result.path / "metadata.json").read_text("utf-8"))


def test_single_file_hashes_names_metadata_and_untouched_source(
    service: LibraryService, tmp_path: Path
) -> None:
    source = write_safetensors(tmp_path / "src" / "Détail Tweaker.safetensors", seed=7)
    before = fingerprint(source)
    progress: list = []
    (result,) = run_import(service, [source], progress)[1]
    assert result.ok, result.error
    assert result.hashes.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert result.hashes.blake3 == blake3_of(source)
    stored = service.root / result.path / source.name
    assert stored.read_bytes() == source.read_bytes()
    assert fingerprint(source) == before
    meta = _meta(service, result)
    assert meta["id"] == result.id and meta["path"] == result.path
    assert meta["name"] == "Détail Tweaker" and meta["model_format"] == "single-file"
    (entry,) = meta["files"]
    assert entry["path"] == source.name and entry["role"] == "weights"
    assert (entry["size"], entry["sha256"]) == (source.stat().st_size, result.hashes.sha256)
    assert entry["mtime_ns"] == stored.stat().st_mtime_ns
    assert meta["hashes"] == {"sha256": result.hashes.sha256, "blake3": result.hashes.blake3}
    assert meta["size_bytes"] == source.stat().st_size and meta["security_tier"] == "safe"
    (src,) = meta["sources"]
    assert (src["kind"], src["path"], src["mode"]) == ("local", str(source), "copy")
    assert service.get_model(result.id).id == result.id
    assert service.model_dir(result.id) == service.root / result.path
    assert service.list_models().total == 1
    assert staged_entries(service.root) == []
    stages = [p.stage for p in progress]
    assert stages[0] == "validating" and stages[-1] == "done"
    assert stages.index("copying") < stages.index("publishing") < stages.index("done")
    copy_events = [p for p in progress if p.stage == "copying"]
    assert copy_events[-1].bytes_done == copy_events[-1].bytes_total == source.stat().st_size


def test_sharded_set_dropped_as_separate_shards_is_one_model(
    service: LibraryService, tmp_path: Path
) -> None:
    shards = make_sharded_set(tmp_path / "src", "model", 3)
    before = tree_fingerprints(tmp_path / "src")
    plan, results = run_import(service, list(reversed(shards)))
    (result,) = results
    assert result.ok and len(plan.items) == 1
    meta = _meta(service, result)
    # a generic shard stem ("model-0000i-of-…") gives way to the folder the set came from
    assert meta["model_format"] == "sharded-set" and meta["name"] == "src"
    by_path = {f["path"]: f for f in meta["files"]}
    for i, shard in enumerate(shards, 1):
        entry = by_path[shard.name]
        assert entry["sha256"] == sha256_of(shard) and entry["blake3"] == blake3_of(shard)
        assert (entry["shard_index"], entry["shard_total"], entry["role"]) == (i, 3, "weights")
        assert (service.root / result.path / shard.name).read_bytes() == shard.read_bytes()
    assert by_path["model.safetensors.index.json"]["role"] == "index"
    assert (service.root / result.path / "model.safetensors.index.json").exists()
    assert meta["hashes"]["sha256"] == sha256_of(shards[0])
    assert tree_fingerprints(tmp_path / "src") == before


def test_diffusers_folder_keeps_every_relative_name_and_hash(
    service: LibraryService, tmp_path: Path
) -> None:
    folder = tmp_path / "src" / "my pipeline"
    rels = make_diffusers_folder(folder)
    (result,) = run_import(service, [folder])[1]
    assert result.ok
    meta = _meta(service, result)
    assert meta["model_format"] == "diffusers-folder"
    assert sorted(f["path"] for f in meta["files"]) == rels
    for entry in meta["files"]:
        stored = service.root / result.path / entry["path"]
        source = folder / entry["path"]
        assert stored.read_bytes() == source.read_bytes()
        assert entry["sha256"] == sha256_of(source) and entry["blake3"] == blake3_of(source)
    fp16 = service.root / result.path / "unet" / "diffusion_pytorch_model.fp16.safetensors"
    assert fp16.exists()
    roles = {f["path"]: f["role"] for f in meta["files"]}
    assert roles["unet/diffusion_pytorch_model.fp16.safetensors"] == "weights"
    assert roles["unet/config.json"] == "config" and roles["tokenizer/vocab.json"] == "tokenizer"


def test_folder_with_three_models_gives_three_imports(
    service: LibraryService, tmp_path: Path
) -> None:
    top = tmp_path / "stuff"
    write_safetensors(top / "one.safetensors", seed=1)
    write_gguf(top / "nested" / "two.gguf", seed=2)
    make_sharded_set(top / "nested" / "three", "three", 2, seed=3)
    results = run_import(service, [top])[1]
    assert len(results) == 3 and all(r.ok for r in results)
    assert len({r.id for r in results}) == 3
    assert len(published_dirs(service.root)) == 3
    assert service.list_models().total == 3


def test_companions_travel_and_preview_is_recorded(service: LibraryService, tmp_path: Path) -> None:
    source = write_safetensors(tmp_path / "pixel.safetensors", seed=3)
    (tmp_path / "pixel.preview.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "pixel.civitai.info").write_text('{"trainedWords": ["pixel art"]}')
    (tmp_path / "pixel.yaml").write_text("model: {}")
    (result,) = run_import(service, [source])[1]
    meta = _meta(service, result)
    names = {f["path"]: f["role"] for f in meta["files"]}
    assert names == {
        "pixel.safetensors": "weights",
        "pixel.preview.png": "preview",
        "pixel.civitai.info": "companion",
        "pixel.yaml": "config",
    }
    assert meta["preview_image"] == "pixel.preview.png"
    assert meta["hashes"]["sha256"] == sha256_of(source)  # the primary file's, not a companion's


def test_duplicate_is_not_stored_twice_and_gains_a_source(
    service: LibraryService, tmp_path: Path
) -> None:
    first = write_safetensors(tmp_path / "a" / "model.safetensors", seed=11)
    second = tmp_path / "b" / "renamed copy.safetensors"
    second.parent.mkdir()
    second.write_bytes(first.read_bytes())
    (r1,) = run_import(service, [first])[1]
    (r2,) = run_import(service, [second])[1]
    assert r2.ok and r2.duplicate_of == r1.id and r2.id == r1.id and r2.path == r1.path
    assert len(published_dirs(service.root)) == 1
    meta = _meta(service, r1)
    assert [s["path"] for s in meta["sources"]] == [str(first), str(second)]
    assert meta["updated_date"] >= meta["added_date"]
    assert staged_entries(service.root) == []
    # the copy's hashes are now cached, so a later plan knows the duplicate without hashing
    plan = service.plan_import([str(second)])
    assert plan.items[0].duplicate_of == r1.id
    # ... and the import of a known file reads nothing at all
    progress: list = []
    (r3,) = run_import(service, [second], progress)[1]
    assert r3.duplicate_of == r1.id and r3.hashes == r1.hashes
    assert [p.stage for p in progress] == ["validating", "duplicate"]
    assert len(_meta(service, r1)["sources"]) == 3


def test_same_name_different_content_gets_a_blake3_suffix(
    service: LibraryService, tmp_path: Path
) -> None:
    a = write_safetensors(tmp_path / "x" / "Model:A.safetensors", seed=1)
    b = write_safetensors(tmp_path / "y" / "Model:A.safetensors", seed=2)
    (ra,) = run_import(service, [a])[1]
    (rb,) = run_import(service, [b])[1]
    assert ra.path.endswith("/Model_A")
    assert rb.path == f"{ra.path}-{rb.hashes.blake3[:8]}"


def test_options_override_classification_and_are_remembered(
    service: LibraryService, tmp_path: Path
) -> None:
    source = write_safetensors(tmp_path / "w.safetensors", seed=5)
    (result,) = run_import(
        service,
        [source],
        name="My Name",
        family="foo",
        model_type="diffusion",
        subtype="loras",
        tags=["a", "a", " b "],
    )[1]
    assert result.path == "diffusion/foo/My Name"
    meta = _meta(service, result)
    assert (meta["family"], meta["subtype"], meta["tags"]) == ("foo", "loras", ["a", "b"])
    assert set(meta["user_overrides"]) == {"name", "family", "model_type", "subtype"}


def test_embedded_thumbnail_becomes_the_preview(service: LibraryService, tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    source = write_safetensors(
        tmp_path / "thumb.safetensors",
        seed=9,
        metadata={"modelspec.thumbnail": uri, "modelspec.trigger_phrase": "pixel, art"},
    )
    (result,) = run_import(service, [source])[1]
    meta = service.get_model(result.id)
    assert meta.preview_image == "preview.png"
    assert (service.root / result.path / "preview.png").read_bytes() == png
    roles = {f.path: f.role for f in meta.files}
    assert roles == {"thumb.safetensors": "weights", "preview.png": "preview"}
    assert meta.trigger_words == ["pixel", "art"]
    assert meta.size_bytes == source.stat().st_size + len(png)
