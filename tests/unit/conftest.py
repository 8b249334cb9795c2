"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import make_locations


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LibraryService]:
    """A LibraryService on a fresh temporary library (modules may override the name)."""
    svc = LibraryService(make_locations(tmp_path))
    yield svc
    svc.close()
