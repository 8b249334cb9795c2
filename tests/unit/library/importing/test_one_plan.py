"""One import plan from review to publish: what was reviewed is what is imported, and every
model file's header is read exactly once in the whole import (plan + publish)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorshelf.api.shelf import ShelfApi
from tensorshelf.jobs.store import JobStore
from tensorshelf.library.importing.companions import is_weight_name
from tensorshelf.library.models import ImportOptions
from tensorshelf.library.query_models import ListQuery
from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import (
    make_diffusers_folder,
    make_locations,
    make_sharded_set,
    write_gguf,
    write_pickle_ckpt,
    write_safetensors,
)
from tests.fixtures.jobs_env import WAIT_S
from tests.fixtures.open_counter import count_opens


def _weights(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and is_weight_name(p.name, True))


def _sources(kind: str, src: Path) -> list[Path]:
    if kind == "single safetensors":
        return [write_safetensors(src / "a.safetensors")]
    if kind == "gguf":
        return [write_gguf(src / "b.gguf")]
    if kind == "pickle":
        return [write_pickle_ckpt(src / "c.ckpt")]
    if kind == "sharded set":
        return make_sharded_set(src, n=3)[:1]
    make_diffusers_folder(src / "pipe")
    return [src / "pipe"]


@pytest.mark.parametrize(
    "kind", ["single safetensors", "gguf", "pickle", "sharded set", "diffusers folder"]
)
def test_each_weight_file_is_opened_once_to_plan_and_once_to_copy(
    service: LibraryService, tmp_path: Path, kind: str
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    inputs = _sources(kind, src)
    weights = _weights(src)
    assert weights
    with count_opens(weights) as planned:
        plan = service.plan_import([str(p) for p in inputs])
    (item,) = plan.items
    assert item.error is None and item.detection is not None
    with count_opens(weights) as imported:
        result = service.import_item(item, ImportOptions(lookup=False, accept_pickle=True))
    assert result.ok, result.error
    for weight in weights:
        name = weight.relative_to(src).as_posix()
        assert planned[str(weight)] == 1, f"{name}: header read {planned[str(weight)]}x"
        assert imported[str(weight)] == 1, f"{name}: opened {imported[str(weight)]}x to import"
    stored = service.get_model(result.id or "")
    assert stored.detection is not None
    assert stored.detection.family == item.detection.family  # the reviewed detection itself


def test_the_import_dialog_path_imports_exactly_the_reviewed_choices(tmp_path: Path) -> None:
    """Through ShelfApi as the window calls it: plan, change per-model choices, start with the
    plan id. A file that appears after the review is not imported; the left-out model is not."""
    api = ShelfApi(make_locations(tmp_path))
    try:
        src = tmp_path / "drop"
        src.mkdir()
        keep = write_safetensors(src / "keep.safetensors", seed=1)
        skip = write_safetensors(src / "skip.safetensors", seed=2)
        renamed = write_safetensors(src / "renamed.safetensors", seed=3)
        plan = api.plan_import([str(src)])
        assert plan.plan_id is not None
        assert {i.key for i in plan.items} == {str(keep), str(skip), str(renamed)}
        write_safetensors(src / "late.safetensors", seed=4)  # after the review
        job = api.start_import(
            plan.plan_id,
            ImportOptions(lookup=False),
            {
                str(keep): ImportOptions(lookup=False, mode="move"),
                str(renamed): ImportOptions(lookup=False, name="Chosen Name", tags=["mine"]),
            },
        )
        info = api.jobs.wait(job.job_id, WAIT_S)
        assert info.status == "done"
        names = {m.name for m in api.list_models(ListQuery()).models}
        assert names == {"keep", "Chosen Name"}
        assert not keep.exists() and skip.exists() and renamed.exists()  # move only where chosen
        chosen = next(m for m in api.list_models(ListQuery()).models if m.name == "Chosen Name")
        assert chosen.tags == ["mine"]
        assert [r["key"] for r in info.result] == [str(keep), str(renamed)]
    finally:
        api.close()


def test_a_resumed_import_imports_the_same_plan(tmp_path: Path) -> None:
    """The plan lives in ops.db: a second process resuming the job finds the same items."""
    locations = make_locations(tmp_path)
    api = ShelfApi(locations)
    try:
        src = tmp_path / "drop"
        src.mkdir()
        a = write_safetensors(src / "a.safetensors", seed=1)
        plan = api.plan_import([str(a)])
        assert plan.plan_id is not None
    finally:
        api.close()
    store = JobStore(locations.ops_db)  # another process, later
    try:
        kept = store.plan(plan.plan_id)
        assert kept.model_dump() == plan.model_dump()  # items, detections, stamps, rejects
        assert kept.items[0].stamps and kept.items[0].detection is not None
    finally:
        store.close()
