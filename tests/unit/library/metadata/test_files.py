"""metadata.json I/O: round trip keeping unknown keys, clear errors for corrupt files,
and the model-dir walk used by scan and rebuild."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tensorshelf.errors import CorruptMetadata
from tensorshelf.library.metadata.document import FileEntry, ModelMetadata
from tensorshelf.library.metadata.files import (
    read_metadata,
    unsafe_file_path,
    walk_model_dirs,
    write_metadata,
)
from tensorshelf.settings import METADATA_FILE


def _meta(**kw) -> ModelMetadata:
    return ModelMetadata(id="m1", path="llm/llama/m1", name="Mödel ✓", cleaned_name="model", **kw)


def test_write_then_read_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    meta = _meta(future_field={"nested": [1, 2]}, tags=["a"])
    write_metadata(tmp_path, meta)
    raw = json.loads((tmp_path / METADATA_FILE).read_text(encoding="utf-8"))
    assert raw["future_field"] == {"nested": [1, 2]}
    assert "subtype" in raw and raw["subtype"] is None  # None values are written
    assert "Mödel ✓" in (tmp_path / METADATA_FILE).read_text(encoding="utf-8")
    again = read_metadata(tmp_path)
    assert again == meta and again.future_field == {"nested": [1, 2]}
    assert [p.name for p in tmp_path.iterdir()] == [METADATA_FILE]  # no temp file left


@pytest.mark.parametrize(
    ("content", "reason_part"),
    [
        (b"", "(root)"),
        (b"{not json", "(root)"),
        (b"[]", "(root)"),
        (b'{"id": "x"}', "path"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'{"id": "x", "path": "a", "name": "n", "cleaned_name": "n", "rating": 9}', "rating"),
    ],
)
def test_corrupt_metadata_names_the_file_and_reason(
    tmp_path: Path, content: bytes, reason_part: str
) -> None:
    (tmp_path / METADATA_FILE).write_bytes(content)
    with pytest.raises(CorruptMetadata) as err:
        read_metadata(tmp_path)
    assert err.value.details["path"] == str(tmp_path / METADATA_FILE)
    assert reason_part in err.value.details["reason"]


def test_missing_metadata_is_corrupt_metadata(tmp_path: Path) -> None:
    with pytest.raises(CorruptMetadata):
        read_metadata(tmp_path)


def test_bom_is_tolerated(tmp_path: Path) -> None:
    text = _meta().model_dump_json()
    (tmp_path / METADATA_FILE).write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_metadata(tmp_path).id == "m1"


@pytest.mark.parametrize(
    "rel", ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/", "", "a\x00b", "a/./b", ".."]
)
def test_file_paths_escaping_the_model_dir_are_corrupt(tmp_path: Path, rel: str) -> None:
    assert unsafe_file_path(rel)
    meta = _meta(files=[FileEntry(path=rel, size=1, sha256="0" * 64, blake3="0" * 64)])
    (tmp_path / METADATA_FILE).write_text(meta.model_dump_json())
    with pytest.raises(CorruptMetadata, match="unsafe file path"):
        read_metadata(tmp_path)


@pytest.mark.parametrize(
    "rel",
    [
        "model.safetensors",
        "unet/diffusion_pytorch_model.fp16.safetensors",
        ".gitattributes",
        "a/.hidden",
        "x..y",
        "name with spaces.gguf",
    ],
)
def test_ordinary_file_paths_are_safe(rel: str) -> None:
    assert not unsafe_file_path(rel)


def test_walk_model_dirs_finds_models_and_skips_the_rest(tmp_path: Path) -> None:
    def model(rel: str) -> Path:
        d = tmp_path / rel
        d.mkdir(parents=True)
        (d / METADATA_FILE).write_text("{}")
        return d

    wanted = [model("diffusion/sdxl/b"), model("diffusion/sdxl/a"), model("llm/llama/c")]
    model("diffusion/sdxl/a/unet/nested")  # inside a model dir: not descended into
    model(".staging/job/m")
    model(".trash/x/y")
    model("llm/llama/partial.tmp")
    (tmp_path / METADATA_FILE).write_text("{}")  # the root itself is not a model
    (tmp_path / "llm" / "llama" / "d").mkdir()  # a dir without metadata.json
    os.symlink(tmp_path / "llm", tmp_path / "linked")  # symlinked dirs are not followed
    assert sorted(Path(p) for p, _ in walk_model_dirs(str(tmp_path))) == sorted(wanted)


def test_walk_model_dirs_reports_unreadable_dirs(tmp_path: Path) -> None:
    errors: list[Path] = []
    assert (
        list(walk_model_dirs(str(tmp_path / "missing"), on_error=lambda p, e: errors.append(p)))
        == []
    )
    assert errors == [tmp_path / "missing"]
