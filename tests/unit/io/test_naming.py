"""Directory-name normalisation and safe relative paths, with hostile inputs."""

from __future__ import annotations

import os
import unicodedata
from pathlib import PurePosixPath

import pytest
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument, UnsafePath
from tensorshelf.io.naming import (
    dir_key,
    normalize_dir_name,
    safe_relative_path,
    with_collision_suffix,
)

FORBIDDEN = set('<>:"/\\|?*\x00')
RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
HOSTILE = st.one_of(
    st.text(),
    st.text(
        alphabet=st.sampled_from(list('./\\ \x00\t_:?*<>|"aZé\u0301\u202e👩\u200d💻CONul1')),
        max_size=60,
    ),
    st.text(min_size=250, max_size=400),
    st.text(
        alphabet=st.characters(codec="utf-8", min_codepoint=0x1F300), min_size=50, max_size=120
    ),
)


def assert_safe_dir_name(name: str, max_chars: int = settings.DIR_NAME_MAX_CHARS) -> None:
    assert name not in ("", ".", "..")
    assert not (set(name) & FORBIDDEN)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in name)
    assert len(name) <= max_chars
    assert len(name.encode("utf-8")) <= settings.DIR_NAME_MAX_BYTES
    assert name == name.strip(" .")
    assert unicodedata.is_normalized("NFC", name)
    assert name.partition(".")[0].rstrip(" ").upper() not in RESERVED
    assert "  " not in name and "__" not in name


@given(HOSTILE)
@example("\x00")
@example("../../etc/passwd")
@example("..")
@example(".")
@example(" . . ")
@example("CON")
@example("con.txt")
@example("Lpt9 .tar.gz")
@example("a" * 300)
@example("🤖" * 300)
@example("e\u0301" * 100)
@example("\u202etxt.exe")
@hsettings(max_examples=300, deadline=None)
def test_normalized_names_are_always_safe_and_idempotent(text: str) -> None:
    name = normalize_dir_name(text)
    assert_safe_dir_name(name)
    assert normalize_dir_name(name) == name


@given(HOSTILE, st.integers(min_value=1, max_value=120))
@hsettings(max_examples=150, deadline=None)
def test_caps_respected_for_any_max_chars(text: str, max_chars: int) -> None:
    name = normalize_dir_name(text, max_chars=max_chars)
    assert 0 < len(name) <= max_chars
    assert len(name.encode("utf-8")) <= settings.DIR_NAME_MAX_BYTES


@pytest.mark.parametrize(
    "text,expected",
    [
        ("SDXL 1.0", "SDXL 1.0"),
        ("Flux.1 [dev]", "Flux.1 [dev]"),
        ("a:b", "a_b"),
        ("what?  why*", "what_why_"),
        ("Flux Dev: FP8", "Flux Dev_FP8"),
        ("a   b\t\nc", "a b c"),
        ("a___b", "a_b"),
        ("a _ _ b", "a_b"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("...hidden...", "hidden"),
        ("", "model"),
        ("..", "model"),
        ("???", "model"),
        ("CON", "CON_"),
        ("nul.txt", "nul_.txt"),
        ("COM1.tar.gz", "COM1_.tar.gz"),
        ("CONSOLE", "CONSOLE"),
        ("Ünïcödé Mödel", "Ünïcödé Mödel"),
        ("\u202egnp.exe", "gnp.exe"),
        ("a\x00b\x01c", "a_b_c"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert normalize_dir_name(text) == expected


def test_case_is_kept_but_keys_collide() -> None:
    assert normalize_dir_name("Juggernaut XL") == "Juggernaut XL"
    assert dir_key("Juggernaut XL") == dir_key("JUGGERNAUT xl")
    assert dir_key("Straße") == dir_key("STRASSE")
    assert dir_key("a") != dir_key("b")


def test_nfd_and_nfc_normalise_to_the_same_name() -> None:
    nfd, nfc = unicodedata.normalize("NFD", "Café Modèle"), "Café Modèle"
    assert nfd != nfc
    assert normalize_dir_name(nfd) == normalize_dir_name(nfc) == nfc
    assert dir_key(nfd) == dir_key(nfc)


def test_long_names_are_cut_within_caps() -> None:
    assert len(normalize_dir_name("x" * 300)) == settings.DIR_NAME_MAX_CHARS
    emoji = normalize_dir_name("🤖" * 300)
    assert len(emoji.encode()) <= settings.DIR_NAME_MAX_BYTES and set(emoji) == {"🤖"}
    cut = normalize_dir_name("a" * 79 + ". b")
    assert cut == "a" * 79  # no trailing dot or space after the cut


def test_zero_width_joiner_not_left_dangling() -> None:
    family = "👩\u200d💻"
    name = normalize_dir_name("a" * 78 + family, max_chars=79)
    assert not name.endswith("\u200d")


def test_invalid_caps() -> None:
    with pytest.raises(InvalidArgument):
        normalize_dir_name("x", max_chars=0)


def test_collision_suffix() -> None:
    digest = "ABCDEF0123456789" * 4
    assert with_collision_suffix("Model", digest) == "Model-abcdef01"
    long = with_collision_suffix("y" * 300, digest)
    assert long.endswith("-abcdef01") and len(long) == settings.DIR_NAME_MAX_CHARS
    assert with_collision_suffix("a" * 70 + "...", digest) == "a" * 70 + "-abcdef01"
    with pytest.raises(InvalidArgument):
        with_collision_suffix("x", "not-hex!" * 8)
    with pytest.raises(InvalidArgument):
        with_collision_suffix("x", "abc")


@given(HOSTILE, st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
@hsettings(max_examples=100, deadline=None)
def test_collision_suffix_is_always_safe(text: str, digest: str) -> None:
    name = with_collision_suffix(text, digest)
    assert_safe_dir_name(name)
    assert name.endswith("-" + digest[: settings.COLLISION_SUFFIX_HEX])


# ---- safe_relative_path ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel,expected",
    [
        ("model.safetensors.index.json", "model.safetensors.index.json"),
        (
            "unet/diffusion_pytorch_model.fp16.safetensors",
            "unet/diffusion_pytorch_model.fp16.safetensors",
        ),
        ("text_encoder\\model.safetensors", "text_encoder/model.safetensors"),
        ("./config.json", "config.json"),
        ("a/./b", "a/b"),
        (".hidden/..dots../x..y", ".hidden/..dots../x..y"),
        ("Ünïcödé/ファイル 1.gguf", "Ünïcödé/ファイル 1.gguf"),
        ("with:colon", "with:colon"),
    ],
)
def test_relative_paths_kept_byte_for_byte(rel: str, expected: str) -> None:
    assert safe_relative_path(rel) == PurePosixPath(expected)
    assert str(safe_relative_path(rel)) == expected


@pytest.mark.parametrize(
    "rel",
    [
        "",
        ".",
        "./",
        "/etc/passwd",
        "\\\\server\\share\\x",
        "\\x",
        "C:\\x",
        "c:x",
        "C:/x",
        "..",
        "../x",
        "a/../../x",
        "a\\..\\x",
        "a/..",
        "a\x00b",
        "a//b",
        "a/",
        "...",
        "a/. /b",
        "a/.. /b",
    ],
)
def test_unsafe_relative_paths_rejected(rel: str) -> None:
    with pytest.raises(UnsafePath) as info:
        safe_relative_path(rel)
    assert info.value.code == "unsafe_path"


@given(
    st.lists(
        st.sampled_from(["a", "b", ".", "..", "/", "\\", "C:", "\x00", " ", "é", "~"]), max_size=30
    ).map("".join)
)
@hsettings(max_examples=400, deadline=None)
def test_safe_relative_path_never_escapes(rel: str) -> None:
    try:
        result = safe_relative_path(rel)
    except UnsafePath:
        return
    assert not result.is_absolute()
    assert result.parts and all(p not in ("", ".", "..") for p in result.parts)
    assert all("\\" not in p and "\x00" not in p and p.strip(" .") for p in result.parts)
    base = "/library/model"
    joined = os.path.normpath(os.path.join(base, *result.parts))
    assert joined.startswith(base + "/")


@given(st.text())
@hsettings(max_examples=200, deadline=None)
def test_safe_relative_path_arbitrary_text(rel: str) -> None:
    try:
        result = safe_relative_path(rel)
    except UnsafePath:
        return
    joined = os.path.normpath(os.path.join("/base", str(result)))
    assert joined.startswith("/base/") and "\x00" not in joined
