"""Libraries and sources on hostile filesystems, through the real CLI: a read-only library
(browsing works, every change is refused with one clear error), unreadable files and folders
in a dropped folder (the rest is imported, each refusal names its path), a disk too full
to index what would be published (refused before copying), and a library on a FUSE mount
(a network share's stand-in: the index lives in the state dir, writers take a lease)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import Cli, write_lora
from tests.fixtures.mounts import remount_read_only

MiB = 1024 * 1024


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, str(result)
    json.loads(result.stdout)  # valid JSON on stdout, whatever happened


def test_a_read_only_library_can_be_browsed_and_refuses_changes(tmp_path: Path, tmpfs) -> None:
    mount = tmpfs("ro", "32m")
    cli = Cli(tmp_path / "home", mount / "library")
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    (model,) = cli.json("list")["models"]
    remount_read_only(mount)

    assert cli.json("list")["total"] == 1
    assert cli.json("show", model["id"])["model"]["id"] == model["id"]
    assert cli.json("search", "a")["total"] == 1
    changes = [
        ("import", "--no-lookup", str(write_lora(tmp_path / "b.safetensors", seed=2))),
        ("edit", model["id"], "--tag", "x"),
        ("rm", "--yes", model["id"]),
        ("scan",),
    ]
    for args in changes:
        result = cli.run("--json", *args)
        _no_traceback(result)
        error = result.json()["error"]
        assert result.returncode != 0 and error["code"] == "read_only_library", str(result)
        assert str(mount / "library") in error["message"], error
    verified = cli.json("verify")  # checking works; the verdict just is not recorded
    assert verified["ok"] is True


def _without_dac_override(cli: Cli, *args: str):
    """Run the CLI as root without CAP_DAC_OVERRIDE/READ_SEARCH: file modes apply to it."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's file-permission override")
    from tests.fixtures.cli_runner import CliResult, cli_command

    proc = subprocess.run(
        ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *cli_command(), *args],
        capture_output=True,
        text=True,
        env=cli.env,
        timeout=120,
        check=False,
    )
    return CliResult(list(args), proc.returncode, proc.stdout, proc.stderr)


def test_unreadable_files_and_folders_are_reported_and_the_rest_imported(
    tmp_path: Path,
) -> None:
    cli = Cli(tmp_path / "home", tmp_path / "library")
    drop = tmp_path / "drop"
    write_lora(drop / "ok.safetensors", seed=1)
    secret = write_lora(drop / "secret.safetensors", seed=2)
    locked = drop / "locked"
    write_lora(locked / "inner.safetensors", seed=3)
    secret.chmod(0)
    locked.chmod(0)
    try:
        result = _without_dac_override(cli, "--json", "import", "--no-lookup", str(drop))
    finally:
        secret.chmod(0o644)
        locked.chmod(0o755)
    _no_traceback(result)
    by_key = {r["key"]: r for r in result.json()["results"]}
    assert by_key[str(drop / "ok.safetensors")]["ok"] is True
    assert by_key[str(secret)]["error"]["code"] == "io_error"
    assert str(secret) in by_key[str(secret)]["error"]["message"]
    assert "Permission denied" in by_key[str(secret)]["error"]["message"]
    assert str(locked) in by_key[str(locked)]["error"]["message"]
    assert [m["name"] for m in cli.json("list")["models"]] == ["ok"]


def test_no_model_is_published_onto_a_disk_too_full_to_index_it(tmp_path: Path, tmpfs) -> None:
    mount = tmpfs("full", "12m")
    cli = Cli(tmp_path / "home", mount / "library")
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    # 6 MiB fits in the ~12 MiB left, but not with the index's space reserve (8 MiB) beside it
    big = write_lora(tmp_path / "big.safetensors", seed=2, total_size=6 * MiB)
    result = cli.run("--json", "import", "--no-lookup", str(big))
    _no_traceback(result)
    (item,) = result.json()["results"]
    assert item["error"]["code"] == "disk_full", item
    assert cli.json("list")["total"] == 1
    assert not list((mount / "library" / ".staging").iterdir())


def _hostname_cli(cli: Cli, host: str, *args: str) -> subprocess.Popen[str]:
    """The CLI in its own UTS namespace: another hostname, as if on another machine."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is needed to pretend to be another host")
    from tests.fixtures.cli_runner import cli_command

    script = f"hostname {host} && exec " + " ".join(f"'{a}'" for a in (*cli_command(), *args))
    return subprocess.Popen(
        ["unshare", "--uts", "sh", "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
    )


def test_a_library_on_a_fuse_share_keeps_its_index_local_and_takes_a_lease(
    tmp_path: Path, fuse_share
) -> None:
    share = fuse_share("share", "nas-disk")
    library = share / "library"
    first = Cli(tmp_path / "machine-a", library)
    second = Cli(tmp_path / "machine-b", library)
    first.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    assert not (library / "models.db").exists(), "no SQLite index (or WAL) on the share"
    assert list((tmp_path / "machine-a" / "indexes").glob("*.db"))
    # the other machine indexes the shared metadata.json files into its own state dir
    assert [m["name"] for m in second.json("list")["models"]] == ["a"]

    # A lease left by a host that died is broken once it expired; a live one is waited for.
    lease = library / ".tensorshelf-lease"
    lease.write_text(
        json.dumps(
            {"host": "dead-host", "pid": 1, "doing": "importing", "token": "t", "expires_at": 0}
        )
    )
    proc = _hostname_cli(
        second,
        "machine-b",
        "--json",
        "import",
        "--no-lookup",
        str(write_lora(tmp_path / "b.safetensors", seed=2)),
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    assert "breaking a stale writer lease of dead-host" in err
    assert not lease.exists()
    assert sorted(m["name"] for m in first.json("list")["models"]) == ["a", "b"]
    assert sorted(m["name"] for m in second.json("list")["models"]) == ["a", "b"]


def test_a_live_lease_of_another_machine_is_waited_for(tmp_path: Path, fuse_share) -> None:
    import time

    from tests.fixtures.cli_runner import StderrWatcher

    library = fuse_share("share", "nas-disk") / "library"
    cli = Cli(tmp_path / "home", library)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    lease = library / ".tensorshelf-lease"
    lease.write_text(
        json.dumps(
            {
                "host": "other-machine",
                "pid": 4242,
                "doing": "importing /nas/x.gguf",
                "token": "t",
                "expires_at": time.time() + 600,
            }
        )
    )
    proc = cli.spawn(
        "--json", "import", "--no-lookup", str(write_lora(tmp_path / "b.safetensors", 2))
    )
    line = StderrWatcher(proc).wait_for("waiting for another Tensorshelf", 60)
    assert "other-machine" in line and "pid 4242" in line
    time.sleep(0.5)
    assert proc.poll() is None, "it must wait while the other machine's lease is live"
    lease.unlink()  # the other machine finished
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert cli.json("list")["total"] == 2


def test_a_read_only_library_can_still_be_linked_into_an_app(tmp_path: Path, tmpfs) -> None:
    from tests.integration.mapping.test_cli_sync import fake_comfyui

    mount = tmpfs("ro-link", "32m")
    cli = Cli(tmp_path / "home", mount / "library")
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    remount_read_only(mount)
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    added = cli.json("apps", "add", str(comfy))
    assert added["sync"][0]["created"] == 1  # links live in the app, not the library
    (link,) = (comfy / "models" / "loras").iterdir()
    assert link.is_symlink() and link.exists()
    assert cli.run("--json", "doctor").returncode == 0
