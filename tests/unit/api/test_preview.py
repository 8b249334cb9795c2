"""ShelfApi.get_preview: an imported `.preview.png` companion comes back as a data: URL; a
`preview_image` that leads outside the model folder (.., absolute, symlink), is not an
image or is over the size cap is never read."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensorshelf.api.shelf import ShelfApi
from tensorshelf.errors import ModelNotFound
from tensorshelf.library.previews import read_preview
from tensorshelf.settings import Locations
from tests.fixtures.import_files import run_import
from tests.fixtures.jobs_files import write_lora

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201f2a5d6b20000"
    "000049454e44ae426082"
)


@pytest.fixture
def api(locations: Locations) -> Iterator[ShelfApi]:
    shelf = ShelfApi(locations)
    yield shelf
    shelf.close()


def _import(api: ShelfApi, src: Path, preview: bool = True) -> tuple[str, Path]:
    weights = write_lora(src / "detail.safetensors", seed=7)
    if preview:
        (src / "detail.preview.png").write_bytes(PNG_1PX)
    _plan, (result,) = run_import(api.service, [weights])
    assert result.ok, result.error
    return result.id, api.service.model_dir(result.id)


def _point_at(model_dir: Path, value: str | None) -> None:
    meta_file = model_dir / "metadata.json"
    raw = json.loads(meta_file.read_text("utf-8"))
    raw["preview_image"] = value
    meta_file.write_text(json.dumps(raw), "utf-8")


def test_an_imported_preview_is_a_data_url(api: ShelfApi, tmp_path: Path) -> None:
    model_id, _dir = _import(api, tmp_path / "src")
    url = api.get_preview(ref=model_id).data_url
    assert url is not None and url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == PNG_1PX


def test_a_model_without_a_preview_has_none(api: ShelfApi, tmp_path: Path) -> None:
    model_id, _dir = _import(api, tmp_path / "src", preview=False)
    assert api.get_preview(ref=model_id).data_url is None
    with pytest.raises(ModelNotFound):
        api.get_preview(ref="no-such-model")


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "symlinked_dir"])
def test_a_preview_outside_the_model_folder_is_not_read(
    api: ShelfApi, tmp_path: Path, kind: str
) -> None:
    model_id, model_dir = _import(api, tmp_path / "src", preview=False)
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG_1PX)
    if kind == "dotdot":
        value = "../" * len(model_dir.relative_to(tmp_path).parts) + "secret.png"
        assert (model_dir / value).resolve() == secret  # it would reach the file
    elif kind == "absolute":
        value = str(secret)
    elif kind == "symlink":
        (model_dir / "preview.png").symlink_to(secret)
        value = "preview.png"
    else:
        (model_dir / "previews").symlink_to(tmp_path, target_is_directory=True)
        value = "previews/secret.png"
    _point_at(model_dir, value)
    assert api.get_preview(ref=model_id).data_url is None


def test_size_cap_and_image_types(api: ShelfApi, tmp_path: Path) -> None:
    model_id, model_dir = _import(api, tmp_path / "src")
    meta = api.service.get_model(model_id)
    assert read_preview(model_dir, meta, len(PNG_1PX)) == ("image/png", PNG_1PX)
    assert read_preview(model_dir, meta, len(PNG_1PX) - 1) is None  # one byte over the cap
    for name, mime in [
        ("p.JPG", "image/jpeg"),
        ("p.jpeg", "image/jpeg"),
        ("p.webp", "image/webp"),
        ("p.gif", "image/gif"),
        ("notes.txt", None),
        ("detail.safetensors", None),
    ]:
        if not (model_dir / name).exists():
            (model_dir / name).write_bytes(b"image bytes")
        _point_at(model_dir, name)
        url = api.get_preview(ref=model_id).data_url
        assert (url.split(";", 1)[0] if url else None) == (f"data:{mime}" if mime else None)
