"""A model card's example images (cardData.widget[].output.url), from whatever JSON the Hub
or a hostile mirror sends: never an error, only repo-relative image paths, never a URL
elsewhere or a path out of the repo."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tensorshelf.hf.api import CARD_IMAGE_TYPES, card_images

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
URLS = st.sampled_from(
    [
        "images/a.png",
        "./b.jpg",
        "https://x.example/c.png",
        "/abs.png",
        "../out.png",
        "a/../../d.webp",
        "e.gif",
        "f.PNG",
        "g.webp",
        "",
    ]
)


@given(card=JSON)
def test_any_json_gives_a_list_and_no_error(card: object) -> None:
    assert isinstance(card_images(card), list)


@given(urls=st.lists(URLS | st.text(max_size=30), max_size=6))
def test_only_relative_image_paths_inside_the_repo(urls: list[str]) -> None:
    card = {"widget": [{"text": "p", "output": {"url": u}} for u in urls] + [{"output": 3}]}
    found = card_images(card)
    assert len(found) == len(set(found))
    for path in found:
        assert "://" not in path and not path.startswith(("/", "./"))
        assert ".." not in path.split("/")
        assert path.lower().endswith(CARD_IMAGE_TYPES)


def test_the_first_images_in_card_order() -> None:
    card = {
        "widget": [
            {"output": {"url": "https://cdn.example/x.png"}},
            {"output": {"url": "./images/one.png"}},
            {"output": {"url": "images/two.JPG"}},
            {"output": {"url": "images/one.png"}},
        ]
    }
    assert card_images(card) == ["images/one.png", "images/two.JPG"]
