"""Ctrl-C (SIGINT) during `tensorshelf import` cancels the job cleanly: exit 1 with the
`cancelled` error, no traceback, nothing listed, staging cleaned, source untouched."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import (
    make_cli,
    published_model_dirs,
    staging_entries,
    write_lora,
)

FILE_BYTES = 2 * 1024**3
COPY_STARTED_BYTES = 32 * 1024**2
TIMEOUT_S = 60
POLL_S = 0.02


def _largest_staged_file(library: Path) -> int:
    staging = library / ".staging"
    if not staging.exists():
        return 0
    return max((p.stat().st_size for p in staging.rglob("*") if p.is_file()), default=0)


@pytest.mark.slow
def test_ctrl_c_cancels_the_import_cleanly(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    source = write_lora(tmp_path / "big.safetensors", seed=11, total_size=FILE_BYTES)
    stat_before = source.stat()
    proc = cli.spawn("--json", "import", "--no-lookup", str(source))
    deadline = time.monotonic() + TIMEOUT_S
    while _largest_staged_file(cli.library) < COPY_STARTED_BYTES:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(POLL_S)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == 1, (stdout, stderr)
    assert "Traceback" not in stderr
    assert '"code": "cancelled"' in stdout
    assert staging_entries(cli.library) == []  # cleaned by the job itself, not a sweep
    assert published_model_dirs(cli.library) == []
    assert cli.json("list")["total"] == 0
    assert [j["status"] for j in cli.json("jobs")["jobs"]] == ["cancelled"]
    after = source.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns, after.st_ctime_ns) == (
        stat_before.st_ino,
        stat_before.st_size,
        stat_before.st_mtime_ns,
        stat_before.st_ctime_ns,
    )
