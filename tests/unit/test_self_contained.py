"""The suite reads nothing outside the repository, so a clone anywhere passes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures.repo_guard import ROOT, OutsideRepoError, is_outside_repo

SOURCES = [
    p
    for d in ("tests", "scripts")
    for p in (ROOT / d).rglob("*")
    if p.is_file()
    and (p.suffix == ".py" or p.parent.name == "scripts")
    and "__pycache__" not in p.parts
]
OUTWARD = re.compile(r"""\.\./shared|["']shared["']\s*/\s*["']corpus|ROOT\.parent\b""")


def test_a_read_beside_the_clone_is_refused() -> None:
    beside = ROOT.parent / "shared" / "corpus" / "README.md"
    with pytest.raises(OutsideRepoError, match="outside the repository"):
        beside.open("rb")
    with pytest.raises(OutsideRepoError):
        list((ROOT.parent / "shared").glob("*"))


def test_the_guard_classifies_paths() -> None:
    assert is_outside_repo(ROOT.parent / "shared" / "x.json")
    assert not is_outside_repo(ROOT / "tests" / "fixtures" / "corpus")
    assert not is_outside_repo("/usr/lib/python3/os.py")


def test_no_test_or_script_names_a_path_beside_the_clone() -> None:
    own = Path(__file__).resolve()
    hits = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        if p.resolve() != own
        for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
        if OUTWARD.search(line) and "repo_guard" not in p.name
    ]
    assert not hits, hits
