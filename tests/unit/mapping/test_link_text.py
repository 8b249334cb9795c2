"""The link text fast path is `os.path.relpath` exactly, for every pair of absolute paths
(hypothesis: segments that need normalising take the slow path, the rest the fast one)."""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st

from tensorshelf.mapping.links.make import _relative_dir

SEGMENT = st.sampled_from(["a", "b", "models", ".hidden", ".", "..", "", "ü", "x y"])
PATH = st.lists(SEGMENT, max_size=6).map(lambda parts: "/" + "/".join(parts))


@given(PATH, PATH)
def test_same_as_relpath(source_dir: str, link_dir: str) -> None:
    assert _relative_dir(source_dir, link_dir) == os.path.relpath(source_dir, start=link_dir)
