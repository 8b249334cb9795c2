"""The detector reads headers, never weights: measured by the kernel's per-process read
counter (/proc/self/io rchar) on multi-GB sparse files, not by the detector's own report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorshelf.detect import detect_path
from tests.fixtures.detect_files import make_model_file

PROC_IO = Path("/proc/self/io")
NORMAL_HEADER_LIMIT = 2 * 1024 * 1024
GIB = 1024**3

pytestmark = pytest.mark.skipif(not PROC_IO.exists(), reason="needs /proc/self/io")


def rchar() -> int:
    for line in PROC_IO.read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.parametrize(
    "case",
    [
        "sdxl_base_fp16",
        "flux1_dev_q4_k_s_gguf",
        "flux1_dev_checkpoint_fp8",
        "sd15_ckpt_torch_zip",
        "qwen2_7b_instruct_shard1",
    ],
)
def test_only_header_bytes_are_read(case: str, tmp_path: Path) -> None:
    path = make_model_file(case, tmp_path)
    detect_path(path)  # warm-up: lazy imports read files too
    before = rchar()
    det = detect_path(path)
    read = rchar() - before
    size = path.stat().st_size
    assert read < NORMAL_HEADER_LIMIT, f"read {read} bytes of a {size}-byte file"
    assert (
        det.header_bytes_read <= read + 64 * 1024
    )  # the report is honest, give or take sidecar probes
    if case != "sd15_ckpt_torch_zip":  # the zip fixture stores no weight bytes, so it is small
        assert size > GIB
        assert read < size


def test_large_vocabulary_gguf_reads_about_its_header(tmp_path: Path) -> None:
    path = make_model_file("mistral_7b_v03_q4_k_m", tmp_path)
    detect_path(path)
    before = rchar()
    det = detect_path(path)
    read = rchar() - before
    assert read < NORMAL_HEADER_LIMIT
    assert path.stat().st_size > 4 * GIB
    assert det.header_bytes_read >= read * 0.9
