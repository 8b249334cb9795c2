"""The import pass's git blob SHA-1 of a small file equals `git hash-object` (what the Hub
lists as `oid` for a file not in LFS); big files get none."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.io.copying import copy_with_hashes
from tensorshelf.io.hashing import hash_file


# ids named: pytest 9.1 puts a bytes value whole into the test id, and so into the
# PYTEST_CURRENT_TEST variable of every process the test starts (1 MB: git fails with E2BIG)
@pytest.mark.parametrize(
    "data",
    [b"", b'{"a": 1}\n', bytes(range(256)) * 4000],
    ids=["empty", "small-json", "one-mib"],
)
def test_equals_git_hash_object(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(data)
    expected = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert hash_file(path).git_sha1 == expected
    assert copy_with_hashes(path, tmp_path / "copy.json").git_sha1 == expected


def test_big_files_get_none(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as f:
        f.truncate(settings.GIT_SHA1_MAX_BYTES + 1)
    assert hash_file(path).git_sha1 is None
