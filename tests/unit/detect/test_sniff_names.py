"""Container sniffing from the first bytes, and tokenised file-name evidence."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tensorshelf.detect import names, sniff_format
from tensorshelf.errors import InvalidModelFile, NotRegularFile


def _write(tmp_path: Path, name: str, blob: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(blob)
    return p


@pytest.mark.parametrize(
    "name,blob,fmt",
    [
        ("a.safetensors", struct.pack("<Q", 2) + b"{}", "safetensors"),
        # a 0x0380-byte header starts with b"\x80\x03" like a pickle: the length must win
        ("a.safetensors", struct.pack("<Q", 0x380) + b"{" + b" " * 0x37F, "safetensors"),
        ("a.bin", struct.pack("<Q", 2) + b"{}", "safetensors"),  # the bytes decide, not the suffix
        ("a.gguf", b"GGUF\x03\x00\x00\x00", "gguf"),
        ("a.ckpt", b"PK\x03\x04rest", "pickle"),
        ("a.pth", b"\x80\x02}q\x00.", "pickle"),
        ("a.pt", b"\x80\x05\x95", "pickle"),
        ("m.onnx", b"\x08\x07\x12\x07pytorch", "onnx"),
        ("m.onnx", b"\x08\x08\x3a\x10", "onnx"),
    ],
)
def test_formats(tmp_path: Path, name: str, blob: bytes, fmt: str) -> None:
    assert sniff_format(_write(tmp_path, name, blob + b"\0" * 32)) == fmt


@pytest.mark.parametrize(
    "name,blob,hint",
    [
        ("x.safetensors", b"", "an empty file"),
        ("x.safetensors", b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "PNG"),
        ("x.gguf", b"GGML" + b"\0" * 12, "no known model-file signature"),
        ("x.bin", b'{"a": 1}', "JSON"),
        ("x.onnx", b"\x08\x07\xff\xff", "no known"),  # plausible varint, implausible next field
        ("x.bin", b"\x08\x07\x12\x07pytorch", "no known"),  # ONNX bytes need the .onnx suffix
        ("x.pth", b"\x80\x09" + b"\0" * 14, "no known"),  # pickle protocol 9 does not exist
        ("x.safetensors", struct.pack("<Q", 10**9) + b"{" + b"\0" * 7, "does not fit"),
    ],
)
def test_not_a_model_file_names_file_and_bytes(
    tmp_path: Path, name: str, blob: bytes, hint: str
) -> None:
    with pytest.raises(InvalidModelFile) as info:
        sniff_format(_write(tmp_path, name, blob))
    msg = info.value.message
    assert msg.startswith(f"{name}: not a model file: starts with ")
    assert (blob[:4].hex(" ") if blob else "(empty)") in msg
    assert hint in msg
    assert info.value.code == "invalid_model_file"


def test_directory_is_not_sniffed(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile, match="directory") as caught:
        sniff_format(tmp_path)
    assert caught.value.code == "not_a_regular_file"


@pytest.mark.parametrize(
    "text,tokens",
    [
        (
            "Juggernaut_XL-v9+RDPhoto2.safetensors",
            ["juggernaut", "xl", "v", "9", "rd", "photo", "2"],
        ),
        ("sd_xl_base_1.0.safetensors", ["sd", "xl", "base", "1", "0"]),
        ("stable-diffusion-xl-v1-base/lora", ["sd", "xl", "v", "1", "base", "lora"]),
        ("model.safetensors.index.json", ["model"]),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert names.tokenize(text) == tokens


@pytest.mark.parametrize(
    "text,family",
    [
        ("dolphin-2.9-llama3-8b.Q4_K_M.gguf", "llama"),
        ("dolphin-2.6-mistral-7b.gguf", "mistral"),
        ("Phi-3-mini-4k-instruct-q4.gguf", "phi3"),
        ("phi-2.Q8_0.gguf", "phi2"),
        ("Qwen2.5-7B-Instruct-Q4_K_M.gguf", "qwen2"),
        ("gemma-2-9b-it.gguf", "gemma2"),
        ("dolphin-model.gguf", None),  # 'phi' inside 'dolphin' is not a token
        ("sophia_chat.gguf", None),
        ("prophet.gguf", None),
    ],
)
def test_llm_family_is_token_based(text: str, family: str | None) -> None:
    assert names.llm_family(text) == family


@pytest.mark.parametrize(
    "text,family",
    [
        ("sdxl_vae.safetensors", "sdxl"),
        ("ponyDiffusionV6XL.safetensors", "sdxl"),
        ("SD 1.5", "sd1"),
        ("sd15_lora.safetensors", "sd1"),
        ("SD 2.1 768", "sd2"),
        ("SD 3.5 Large", "sd3"),
        ("Flux.1 D", "flux1"),
        ("sdxl_refiner_vae", "sdxl_refiner"),
        ("stable-diffusion-xl-v1-base/lora", "sdxl"),
        ("stable-diffusion-v1/lora", "sd1"),
        ("sdxl_base_v1-0", "sdxl"),
        ("sd_v2", "sd2"),
        ("mysd15style", None),  # 'sd15' buried in a word is no evidence
        ("wsdxlm", None),
        ("xlarge_model", None),
        ("axolotl", None),
    ],
)
def test_image_family_is_token_based(text: str, family: str | None) -> None:
    assert names.image_family(text) == family
