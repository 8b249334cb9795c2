"""The pickle safety scan through the CLI: a dangerous pickle is never imported (even with
--accept-pickle); a clean checkpoint's scan lands in metadata.json."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from tests.fixtures.cli_runner import make_cli, published_model_dirs
from tests.fixtures.detect_files import make_model_file


def _evil(path: Path) -> Path:
    cmd = b"echo pwned"
    path.write_bytes(b"\x80\x02cos\nsystem\nX" + struct.pack("<I", len(cmd)) + cmd + b"\x85R.")
    return path


def test_dangerous_pickle_is_refused_and_clean_ckpt_records_its_scan(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    evil = _evil(tmp_path / "evil.pt")
    out = cli.json("import", "--accept-pickle", str(evil), expect=1)
    codes = [(r.get("error") or {}).get("code") for r in out["results"]]
    assert codes == ["dangerous_pickle"], out
    assert "os.system" in out["results"][0]["error"]["message"]
    assert published_model_dirs(cli.library) == []
    assert evil.exists()

    seen = cli.json("inspect", str(evil))
    assert seen["detection"]["pickle_scan"]["verdict"] == "dangerous"
    human = cli.run("inspect", str(evil))
    assert "DANGEROUS" in human.stdout and "os.system" in human.stdout, str(human)

    ckpt = make_model_file("sd15_ckpt_torch_zip", tmp_path / "src")
    cli.json("import", "--accept-pickle", str(ckpt))
    [model_dir] = published_model_dirs(cli.library)
    meta = json.loads((model_dir / "metadata.json").read_text())
    assert meta["pickle_scan"]["verdict"] == "clean"
    assert "torch._utils._rebuild_tensor_v2" in meta["pickle_scan"]["globals"]
