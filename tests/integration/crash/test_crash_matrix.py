"""The crash matrix: SIGKILL a real `tensorshelf` (CLI or web-mode server) at each named
pause point and prove, after the restart, what harness.check_after_restart lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.integration.crash.harness import Scenario, World, check_after_restart, run_and_kill

from tensorshelf.library.pause import POINTS

ROOT = Path(__file__).resolve().parents[3]
REACHED_RE = re.compile(r'pause\.reached\(\s*f?"([a-z_{}.]+)"')


def _import(*names: str, move: bool = False):
    return lambda w: [
        "--json",
        "import",
        "--no-lookup",
        *(["--move"] if move else []),
        *(w.source(n) for n in names),
    ]


def _edit_family(w: World) -> list[str]:
    return ["--json", "edit", w.ids["a"], "--family", "fam2", "--force", "--tag", "t2"]


def _edit_tag(w: World) -> list[str]:
    return ["--json", "edit", w.ids["a"], "--tag", "t2", "--rating", "4"]


def _rm(w: World) -> list[str]:
    return ["--json", "rm", "--yes", w.ids["a"]]


def _misfile_llm(w: World) -> None:
    """Make reclassify re-file the GGUF: file it (by hand, consistently) under another
    family, without a user override, as an older detector might have."""
    model_dir, meta = w.metadata_of("llm")
    meta["family"] = meta["detection"]["family"] = "mistral"
    moved = model_dir.parent.parent / "mistral" / model_dir.name
    moved.parent.mkdir()
    model_dir.rename(moved)
    meta["path"] = moved.relative_to(w.cli.library).as_posix()
    (moved / "metadata.json").write_text(json.dumps(meta))
    w.cli.json("scan")
    assert w.cli.json("reclassify", "--all", "--dry-run")["changed"], "nothing to re-file"


SCENARIOS = [
    Scenario("import: mid-copy", "mid_copy", _import("big"), job="import"),
    Scenario("import: copied, before publish", "before_publish", _import("new"), job="import"),
    Scenario("import: metadata write", "metadata_write", _import("new"), job="import"),
    Scenario("import: before the publish rename", "publish_rename", _import("new"), job="import"),
    Scenario("import: published, not indexed", "publish_before_index", _import("new"), "import"),
    Scenario("import: indexed, not journaled", "publish_before_journal", _import("new"), "import"),
    Scenario("import: second model", "before_publish@2", _import("new", "big"), job="import"),
    Scenario("move: metadata write", "metadata_write", _import("new", move=True), job="import"),
    Scenario(
        "move: published, sources kept",
        "move_before_source_removal",
        _import("new", move=True),
        job="import",
    ),
    Scenario("duplicate: new source recorded", "save_before_index", _import("a"), job="import"),
    Scenario("edit --family: between rename and metadata", "save_after_rename", _edit_family),
    Scenario("edit --family: before index", "save_before_index", _edit_family),
    Scenario("edit --family: before journal", "save_before_journal", _edit_family),
    Scenario("edit --tag: before index", "save_before_index", _edit_tag),
    Scenario("rm: after its rename", "remove_after_rename", _rm),
    Scenario("rm: before journal", "remove_before_journal", _rm),
    Scenario("rebuild: built, before lock", "rebuild_built", lambda w: ["rebuild"], "rebuild"),
    Scenario("rebuild: before swap", "rebuild_before_swap", lambda w: ["rebuild"], "rebuild"),
    Scenario("rebuild: after swap", "rebuild_after_swap", lambda w: ["rebuild"], "rebuild"),
    Scenario("verify: mid-run", "verify_model@2", lambda w: ["verify", "--full"], "verify"),
    Scenario(
        "reclassify: between rename and metadata",
        "save_after_rename",
        lambda w: ["reclassify", "--all"],
        "reclassify",
        prepare=_misfile_llm,
    ),
    Scenario(
        "reclassify: mid-run",
        "reclassify_model@2",
        lambda w: ["reclassify", "--all"],
        "reclassify",
        prepare=_misfile_llm,
    ),
    Scenario(
        "web: edit between rename and metadata",
        "save_after_rename",
        lambda w: [],
        web=(
            "edit_model",
            lambda w: {"ref": w.ids["a"], "edit": {"family": "fam3", "force": True}},
        ),
    ),
    Scenario(
        "web: delete after its rename",
        "remove_after_rename",
        lambda w: [],
        web=("delete_models", lambda w: {"refs": [w.ids["llm"]]}),
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_after_a_kill_the_library_is_whole(tmp_path: Path, scenario: Scenario) -> None:
    world = World.make(tmp_path)
    if scenario.prepare is not None:
        scenario.prepare(world)
    run_and_kill(world, scenario)
    check_after_restart(world, scenario)


def test_the_matrix_names_enough_points_and_every_point_exists() -> None:
    used = {s.point.split("@")[0] for s in SCENARIOS}
    assert len(SCENARIOS) >= 20
    assert used <= set(POINTS), f"unknown points: {used - set(POINTS)}"
    in_code: set[str] = set()
    for source in (ROOT / "backend" / "tensorshelf").rglob("*.py"):
        for name in REACHED_RE.findall(source.read_text()):
            if "{" in name:  # f"{intent.op}_before_journal"
                in_code |= {name.replace("{intent.op}", op) for op in ("publish", "save", "remove")}
            else:
                in_code.add(name)
    assert set(POINTS) == in_code, "pause.POINTS and the code's pause points differ"
