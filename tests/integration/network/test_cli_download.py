"""Downloads end to end through the real CLI against the fake Hub: a repo's files are listed
with sizes; a download whose body breaks off at 50 % resumes with a Range request from where
it stopped (seen at the server) and verifies; an expired CDN URL is resolved again; the file
is imported as a Verified model from that repo and the partial folder is gone; bytes that are
not the Hub's are refused and removed; a gated repo without a token is a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import Cli, make_cli, write_lora
from tests.fixtures.fake_hub import COMMIT, FakeHub, fake_hub

REPO = "someorg/demo-lora-v1"
NAME = "demo-lora-v1.safetensors"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Cli, FakeHub, bytes]]:
    data = write_lora(tmp_path / "made" / NAME, seed=11, total_size=4 * 1024 * 1024).read_bytes()
    with fake_hub(tmp_path) as hub:
        hub.repo(REPO, downloads=10, pipeline_tag="text-to-image").add(NAME, data)
        hub.repos[REPO].add("README.md", b"# demo\n", lfs=False)
        hub.repo("gated/model", gated=True).add("w.safetensors", b"x" * 10)
        cli = make_cli(
            tmp_path, HF_HUB_OFFLINE="0", HF_ENDPOINT=hub.url, SSL_CERT_FILE=str(hub.ca_file)
        )
        yield cli, hub, data


def test_list_resume_reresolve_import_and_refusals(world) -> None:
    cli, hub, data = world
    listed = cli.json("download", REPO)
    assert {f["path"]: f["size"] for f in listed["files"]} == {NAME: len(data), "README.md": 7}

    half = len(data) // 2
    hub.faults.truncate_next_at = half
    hub.faults.expire_next = 1
    done = cli.json("download", REPO, "*.safetensors")
    ranges = [r.headers.get("range") for r in hub.requests if r.path.startswith("/cdn/")]
    assert f"bytes={half}-" in ranges, f"resumed from the offset: {ranges}"
    assert hub.count(f"/{REPO}/resolve/") >= 3, "expired → resolved again, broken → again"
    (imported,) = done["imported"]
    assert imported["ok"] and done["revision"] == COMMIT
    meta = cli.json("show", imported["id"])["model"]
    assert meta["match_method"] == "hash" and meta["repo_id"] == REPO
    assert meta["hashes"]["sha256"] == hub.repos[REPO].files[NAME].sha256
    (source,) = meta["sources"]
    assert source["kind"] == "huggingface" and source["repo_id"] == REPO
    assert source["file"] == NAME and source["revision"] == COMMIT
    stored = cli.library / meta["path"] / NAME
    assert stored.read_bytes() == data
    assert not (cli.home / "downloads" / "someorg--demo-lora-v1@main").exists()

    hub.faults.corrupt = True
    bad = cli.run("--json", "download", REPO, "README.md")
    assert bad.returncode != 0 and "not the Hub's" in bad.json()["error"]["message"]
    assert not list((cli.home / "downloads").rglob("README.md")), "refused bytes are removed"
    hub.faults.corrupt = False

    gated = cli.run("--json", "download", "gated/model", "w.safetensors")
    error = gated.json()["error"]
    assert gated.returncode != 0 and error["code"] == "gated_repo" and "token" in error["message"]


def test_a_download_killed_half_way_resumes_from_its_partial_file(world) -> None:
    import time

    from tests.fixtures.cli_runner import kill_hard

    cli, hub, data = world
    half = len(data) // 2
    hub.faults.stall_after = half
    proc = cli.spawn("--json", "download", REPO, NAME)
    partial = cli.home / "downloads" / "someorg--demo-lora-v1@main" / "demo-lora-v1" / NAME
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size >= half):
        assert time.monotonic() < deadline, "the download never got half way"
        time.sleep(0.05)
    kill_hard(proc)
    assert partial.stat().st_size == half, "the partial file is kept"

    hub.faults.stall_after = None
    done = cli.json("download", REPO, NAME)
    ranges = [r.headers.get("range") for r in hub.requests if r.path.startswith("/cdn/")]
    assert ranges[-1] == f"bytes={half}-", f"resumed from the offset: {ranges}"
    (imported,) = done["imported"]
    meta = cli.json("show", imported["id"])["model"]
    assert (cli.library / meta["path"] / NAME).read_bytes() == data


def test_ctrl_c_pauses_a_download_which_resumes_from_its_partial_file(world) -> None:
    """Ctrl-C on `download` pauses it: the job is left interrupted (code `paused`) with its
    partial file; `jobs --resume` continues it with a Range request from that offset and
    imports it. A paused download cancelled for good leaves no partial folder."""
    import signal
    import time

    cli, hub, data = world
    hub.faults.trickle_bps = len(data) // 4  # about 4 s for the whole file
    partial = cli.home / "downloads" / "someorg--demo-lora-v1@main" / "demo-lora-v1" / NAME
    proc = cli.spawn("--json", "download", REPO, NAME)
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size >= len(data) // 4):
        assert time.monotonic() < deadline, "the download never got a quarter of the way"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert '"code": "paused"' in out and "jobs --resume" in out, out
    kept = partial.stat().st_size
    assert 0 < kept < len(data), "the partial file is kept"
    (job,) = [j for j in cli.json("jobs")["jobs"] if j["kind"] == "download"]
    assert job["status"] == "interrupted" and job["error"]["code"] == "paused"

    hub.faults.trickle_bps = None
    resumed = cli.json("jobs", "--resume")
    ranges = [r.headers.get("range") for r in hub.requests if r.path.startswith("/cdn/")]
    assert ranges[-1] is not None and int(ranges[-1][6:-1]) >= kept, ranges
    (done,) = resumed["jobs"]
    assert done["status"] == "done", done
    (imported,) = done["result"]["imported"]
    meta = cli.json("show", imported["id"])["model"]
    assert (cli.library / meta["path"] / NAME).read_bytes() == data
    assert meta["match_method"] == "hash"

    hub.faults.trickle_bps = len(data) // 4
    other = "README.md"
    proc = cli.spawn("--json", "download", REPO, NAME, other)
    holder = cli.home / "downloads" / "someorg--demo-lora-v1@main"
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 0):
        assert time.monotonic() < deadline, "the second download never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    (paused,) = [j for j in cli.json("jobs")["jobs"] if j["status"] == "interrupted"]
    assert holder.exists()
    cancelled = cli.json("jobs", "--cancel", paused["job_id"])
    assert cancelled["job"]["status"] == "cancelled"
    assert not holder.exists(), "a paused download cancelled for good leaves nothing behind"


def test_the_update_check_of_a_download_asks_for_its_file_only(world) -> None:
    """A downloaded model knows its path in the repo: the update check asks paths-info for
    that file (one POST) instead of listing the whole repo."""
    cli, hub, data = world
    cli.json("download", REPO, NAME)
    seen = len(hub.requests)
    (same,) = cli.json("lookup", "--updates")["items"]
    asked = hub.requests[seen:]
    assert same["update"] == "up_to_date", same
    assert [r.method for r in asked if "/paths-info/" in r.path] == ["POST"]
    assert not [r for r in asked if "/tree/" in r.path], "no listing of the whole repo"
    hub.repos[REPO].add(NAME, data[:-1] + b"\x01")
    (changed,) = cli.json("lookup", "--updates")["items"]
    assert changed["update"] == "update_available", changed
    del hub.repos[REPO].files[NAME]
    (gone,) = cli.json("lookup", "--updates")["items"]
    assert gone["update"] == "gone", gone
