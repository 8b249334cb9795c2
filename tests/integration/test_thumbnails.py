"""The grid view's thumbnails through the real API: an imported `<stem>.preview.png` becomes
a small WebP once, kept in the state dir (a second ask decodes nothing), a changed preview
gets a new one and the old one goes, and a fake or hostile preview gets none (once, with a
marker) while the library is never written."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from tensorshelf import settings
from tensorshelf.api.shelf import ShelfApi
from tensorshelf.library import thumbnails
from tensorshelf.settings import resolve_locations
from tests.fixtures.cli_runner import Cli, make_cli, tree_snapshot, write_lora

BIG = (1600, 1200)


def _png(path: Path, size: tuple[int, int], colour: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def _import_with_preview(cli: Cli, src: Path, name: str, preview: bytes | None) -> str:
    weights = write_lora(src / f"{name}.safetensors", seed=len(name))
    if preview is not None:
        (src / f"{name}.preview.png").write_bytes(preview)
    return cli.json("import", "--no-lookup", str(weights))["results"][0]["id"]


def _decode(url: str) -> Image.Image:
    head, data = url.split(",", 1)
    assert head == "data:image/webp;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


@pytest.fixture
def shelf(tmp_path: Path) -> tuple[Cli, ShelfApi]:
    cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "seed.safetensors", seed=1)))
    api = ShelfApi(resolve_locations(cli.home, cli.library), bridge="web")
    yield cli, api
    api.close()


def test_a_preview_becomes_one_small_cached_thumbnail(
    shelf: tuple[Cli, ShelfApi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, api = shelf
    big = _png(tmp_path / "big.png", BIG, "orange").read_bytes()
    model = _import_with_preview(cli, tmp_path / "src", "Sunset", big)
    plain = cli.json("list")["models"]
    without = next(m["id"] for m in plain if m["id"] != model)
    library_before = tree_snapshot(cli.library)

    found = api.get_thumbnails([model, without, "no-such-model"])
    assert found[without] is None and found["no-such-model"] is None
    image = _decode(found[model])
    assert max(image.size) <= 256 and image.size == (256, 192)  # aspect kept
    cached = list((cli.home / "thumbnails").iterdir())
    assert len(cached) == 1 and cached[0].name.startswith(model)
    assert tree_snapshot(cli.library) == library_before  # the library is never written

    def no_decoding(_source: Path) -> bytes:
        raise AssertionError("decoded again")

    monkeypatch.setattr(thumbnails, "_make", no_decoding)
    assert api.get_thumbnails([model])[model] == found[model]  # from the cache
    monkeypatch.undo()

    preview = next(Path(api.get_model(model).library_dir).glob("*.preview.png"))
    _png(preview, (300, 600), "blue")
    os.utime(preview, ns=(1, 1))  # another size and mtime: another source
    again = _decode(api.get_thumbnails([model])[model])
    assert again.size == (128, 256)
    assert len(list((cli.home / "thumbnails").iterdir())) == 1  # the old one went


def test_a_fake_or_escaping_preview_gets_no_thumbnail(
    shelf: tuple[Cli, ShelfApi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, api = shelf
    fake = _import_with_preview(cli, tmp_path / "src", "Fake", b"\x89PNG\r\n\x1a\nnot really")
    assert api.get_thumbnails([fake])[fake] is None
    markers = [p.name for p in (cli.home / "thumbnails").iterdir()]
    assert len(markers) == 1 and markers[0].endswith(".none")
    monkeypatch.setattr(thumbnails, "_make", lambda _s: (_ for _ in ()).throw(AssertionError()))
    assert api.get_thumbnails([fake])[fake] is None  # not decoded again
    monkeypatch.undo()

    secret = _png(tmp_path / "outside" / "secret.png", (64, 64), "red")
    escaping = _import_with_preview(cli, tmp_path / "src2", "Escape", secret.read_bytes())
    preview = next(Path(api.get_model(escaping).library_dir).glob("*.preview.png"))
    preview.unlink()
    preview.symlink_to(secret)  # a hand-made link out of the model folder
    assert api.get_thumbnails([escaping])[escaping] is None

    monkeypatch.setattr(thumbnails.Image, "MAX_IMAGE_PIXELS", 1000)  # a decompression bomb
    bomb = _import_with_preview(
        cli, tmp_path / "src3", "Bomb", _png(tmp_path / "b.png", (400, 400), "green").read_bytes()
    )
    assert api.get_thumbnails([bomb])[bomb] is None


def test_too_many_at_once_is_refused(shelf: tuple[Cli, ShelfApi]) -> None:
    from tensorshelf.errors import InvalidArgument

    _cli, api = shelf
    with pytest.raises(InvalidArgument, match="at most"):
        api.get_thumbnails(["x"] * 201)


def test_the_cli_writes_a_models_thumbnail(shelf: tuple[Cli, ShelfApi], tmp_path: Path) -> None:
    """`show MODEL --thumbnail OUT` writes the grid view's WebP; a model without a preview, or
    a place that cannot be written, is a clear error."""
    cli, _api = shelf
    big = _png(tmp_path / "big.png", BIG, "teal").read_bytes()
    model = _import_with_preview(cli, tmp_path / "src", "Lagoon", big)
    out = tmp_path / "out" / "lagoon.webp"
    out.parent.mkdir()
    shown = cli.json("show", model, "--thumbnail", str(out))
    assert shown["thumbnail"] == str(out)
    with Image.open(out) as image:
        assert image.format == "WEBP" and max(image.size) <= settings.THUMBNAIL_PX
    seed = next(m["id"] for m in cli.json("list")["models"] if m["id"] != model)
    none = cli.run("--json", "show", seed, "--thumbnail", str(tmp_path / "none.webp"))
    assert none.returncode != 0 and "no preview" in none.stdout + none.stderr
    assert not (tmp_path / "none.webp").exists()
    nowhere = cli.run("--json", "show", model, "--thumbnail", str(tmp_path / "no" / "dir.webp"))
    assert nowhere.returncode == 1
    assert str(tmp_path / "no" / "dir.webp") in nowhere.json()["error"]["message"]
