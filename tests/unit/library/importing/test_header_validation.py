"""Validation by header before any copy (issue "Library core"): a safetensors file whose JSON
header does not parse or whose tensors run past the end of the file, a GGUF with an
unsupported version or cut short, and a sharded set with one truncated shard are refused
with the file named — not imported as `other/unknown` with a "could not classify" warning."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import (
    make_sharded_set,
    published_dirs,
    run_import,
    staged_entries,
    write_gguf,
    write_safetensors,
)


def _bad_json(path: Path) -> Path:
    head = b'{"w": {"dtype": "F32", "shape": [4], "data_off'
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"\0" * 64)
    return path


def _data_truncated(path: Path) -> Path:
    head = json.dumps({"w": {"dtype": "F32", "shape": [1024], "data_offsets": [0, 4096]}})
    path.write_bytes(struct.pack("<Q", len(head)) + head.encode() + b"\0" * 10)
    return path


def _gguf_bad_version(path: Path) -> Path:
    path.write_bytes(b"GGUF" + struct.pack("<I", 99) + b"\0" * 64)
    return path


def _gguf_magic_only(path: Path) -> Path:
    path.write_bytes(b"GGUF" + struct.pack("<I", 3))
    return path


@pytest.mark.parametrize(
    ("name", "make", "what"),
    [
        ("bad_json.safetensors", _bad_json, "not valid JSON"),
        ("cut.safetensors", _data_truncated, "truncated"),
        ("future.gguf", _gguf_bad_version, "version 99"),
        ("stub.gguf", _gguf_magic_only, "only 8 bytes"),
    ],
)
def test_malformed_header_is_refused_with_the_file_named(
    service: LibraryService, tmp_path: Path, name: str, make, what: str
) -> None:
    source = make(tmp_path / name)
    good = write_safetensors(tmp_path / "good.safetensors")
    _plan, results = run_import(service, [source, good])
    by_name = {Path(r.key).name: r for r in results}
    bad = by_name[name]
    assert not bad.ok and name in bad.error.message and what in bad.error.message, bad
    assert by_name["good.safetensors"].ok
    assert len(published_dirs(service.root)) == 1 and staged_entries(service.root) == []


def test_valid_gguf_without_tensors_still_imports(service: LibraryService, tmp_path: Path) -> None:
    (result,) = run_import(service, [write_gguf(tmp_path / "m.gguf")])[1]
    assert result.ok, result


def test_sharded_set_with_a_truncated_shard_is_refused(
    service: LibraryService, tmp_path: Path
) -> None:
    shards = make_sharded_set(tmp_path / "set", n=3)
    second = shards[1]
    second.write_bytes(second.read_bytes()[:-16])  # the header now claims bytes it lacks
    _plan, (result,) = run_import(service, [shards[0]])
    assert not result.ok and second.name in result.error.message, result
    assert published_dirs(service.root) == [] and staged_entries(service.root) == []


def test_byte_split_parts_are_not_taken_for_a_truncated_file(
    service: LibraryService, tmp_path: Path
) -> None:
    whole = write_safetensors(tmp_path / "whole.safetensors", {"w": ("F16", [64, 64])}).read_bytes()
    third = len(whole) // 3
    pieces = [whole[:third], whole[third : 2 * third], whole[2 * third :]]
    for i, piece in enumerate(pieces, start=1):  # part 1's header describes the whole file
        (tmp_path / "set" / f"big.safetensors.part{i}").parent.mkdir(exist_ok=True)
        (tmp_path / "set" / f"big.safetensors.part{i}").write_bytes(piece)
    _plan, (result,) = run_import(service, [tmp_path / "set" / "big.safetensors.part2"])
    assert result.ok, result
    assert len(service.get_model(result.id).files) == 3
