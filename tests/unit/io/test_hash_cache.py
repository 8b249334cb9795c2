"""HashCache: hits only while (dev, inode, size, mtime_ns) match; real SQLite."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from tensorshelf.io.hash_cache import HashCache
from tensorshelf.io.hashing import hash_file
from tensorshelf.io.types import FileHashes


@pytest.fixture
def cache(tmp_path: Path) -> HashCache:
    c = HashCache(tmp_path / "state" / "cache.db")
    yield c
    c.close()


def _file(tmp_path: Path, name: str = "m.bin", data: bytes = b"weights") -> tuple[Path, FileHashes]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, hash_file(path)


def test_miss_then_hit(tmp_path: Path, cache: HashCache) -> None:
    path, hashes = _file(tmp_path)
    assert cache.get(path) is None
    assert cache.put(path, hashes)
    assert cache.get(path) == hashes


def test_mtime_change_is_a_miss(tmp_path: Path, cache: HashCache) -> None:
    path, hashes = _file(tmp_path)
    cache.put(path, hashes)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert cache.get(path) is None


def test_size_change_is_a_miss(tmp_path: Path, cache: HashCache) -> None:
    path, hashes = _file(tmp_path)
    cache.put(path, hashes)
    st = os.stat(path)
    with open(path, "ab") as f:
        f.write(b"!")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime, bigger file
    assert cache.get(path) is None


def test_replaced_file_is_a_miss(tmp_path: Path, cache: HashCache) -> None:
    path, hashes = _file(tmp_path)
    cache.put(path, hashes)
    st = os.stat(path)
    other = tmp_path / "other"
    other.write_bytes(b"weights")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, path)  # same size and mtime, different inode
    assert cache.get(path) is None


def test_moving_its_folder_keeps_the_entry(tmp_path: Path, cache: HashCache) -> None:
    (tmp_path / "a").mkdir()
    path, hashes = _file(tmp_path / "a")
    cache.put(path, hashes)
    os.rename(tmp_path / "a", tmp_path / "b")  # a re-file renames the model dir only
    assert cache.get(tmp_path / "b" / path.name) == hashes


def test_a_rewrite_that_restores_the_mtime_is_still_a_miss(
    tmp_path: Path, cache: HashCache
) -> None:
    path, hashes = _file(tmp_path)
    cache.put(path, hashes)
    st = path.stat()
    path.write_bytes(b"weighs")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns
    assert cache.get(path) is None  # ctime moved on, and a user cannot set it back


def test_forget(tmp_path: Path, cache: HashCache) -> None:
    path, hashes = _file(tmp_path)
    cache.put(path, hashes)
    cache.forget(path)
    assert cache.get(path) is None
    cache.put(path, hashes)
    path.unlink()
    cache.forget(path)  # by path once the file is gone
    assert cache.get(path) is None
    assert cache.get(tmp_path / "never-existed") is None


def test_stale_stat_or_wrong_size_not_stored(tmp_path: Path, cache: HashCache) -> None:
    path, hashes = _file(tmp_path)
    before = os.stat(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 5))  # changed while hashing
    assert not cache.put(path, hashes, stat=before)
    assert cache.get(path) is None
    wrong = FileHashes(sha256=hashes.sha256, blake3=hashes.blake3, size=hashes.size + 1)
    assert not cache.put(path, wrong)
    assert cache.get(path) is None


def test_persists_across_instances_and_uses_wal(tmp_path: Path) -> None:
    path, hashes = _file(tmp_path)
    db = tmp_path / "cache.db"
    with HashCache(db) as first:
        first.put(path, hashes)
    with HashCache(db) as second:
        assert second.get(path) == hashes
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_shares_cache_db_with_other_tables(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE http_cache (k TEXT PRIMARY KEY, v BLOB)")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    path, hashes = _file(tmp_path)
    with HashCache(db) as cache:
        cache.put(path, hashes)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    assert conn.execute("SELECT count(*) FROM http_cache").fetchone()[0] == 0
    conn.close()


def test_thread_safe(tmp_path: Path, cache: HashCache) -> None:
    files = [_file(tmp_path, f"f{i}", bytes([i]) * (i + 1)) for i in range(16)]
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for _ in range(20):
                for path, hashes in files[offset::4]:
                    cache.put(path, hashes)
                    assert cache.get(path) == hashes
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(cache.get(p) == h for p, h in files)
