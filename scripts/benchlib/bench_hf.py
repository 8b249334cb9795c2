"""Hugging Face (issue 10), against the fake Hub on loopback (TLS, HTTP/2):

- Identification of a 200-file batch: requests per file, counted at the server (target
  <= 1.5 on average: the batch shares searches and listings), and wall time.
- An import batch while the Hub is down vs the same batch with `--no-lookup` (target: no
  slower — the lookup fails fast behind the breaker and the models stay pending).
- Download throughput of one file (SHA-256 + BLAKE3 computed on the fly, written to disk)
  vs `curl` of the same file from the same server (target >= 0.9x)."""

from __future__ import annotations

import hashlib
import shutil
import ssl
import statistics
import subprocess
import time
from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora
from tests.fixtures.fake_hub import fake_hub

from benchlib.harness import Row
from tensorshelf.hf.api import HubApi
from tensorshelf.hf.cache import HubCache
from tensorshelf.hf.config import HubConfig
from tensorshelf.hf.download import fetch
from tensorshelf.hf.identify import Identifier, LocalFile, LocalModel
from tensorshelf.network.client import NetClient

SECTION = "hf"
ROOT = Path(__file__).resolve().parents[2]
REPOS, FILES_PER_REPO = 20, 10  # 200 files
REQUESTS_TARGET = 1.5
DOWN_RATIO_TARGET = 1.10  # "no slower", with room for this disk's noise
DOWNLOAD_TARGET = 0.9
QUANTS = ("Q2_K", "Q3_K_M", "Q4_0", "Q4_K_M", "Q4_K_S", "Q5_K_M", "Q5_K_S", "Q6_K", "Q8_0", "F16")
IMPORT_BATCH, QUICK_IMPORT_BATCH = 20, 8
IMPORT_ROUNDS = 3
DOWNLOAD_MB, QUICK_DOWNLOAD_MB = 256, 64


def _identify(workdir: Path) -> list[Row]:
    with fake_hub(workdir) as hub:
        models = []
        for r in range(REPOS):
            repo = hub.repo(f"maker{r}/Model{r}-7B-Instruct-GGUF", downloads=1000 - r)
            for q in QUANTS[:FILES_PER_REPO]:
                name = f"Model{r}-7B-Instruct-{q}.gguf"
                data = hashlib.sha256(name.encode()).digest() * 8
                repo.add(name, data)
                sha = hashlib.sha256(data).hexdigest()
                models.append(
                    LocalModel(
                        id=name, name=name, files=[LocalFile(path=name, size=len(data), sha256=sha)]
                    )
                )
        net = NetClient(verify=ssl.create_default_context(cafile=str(hub.ca_file)))
        cache = HubCache(workdir / "bench-cache.db")
        identifier = Identifier(HubApi(net, HubConfig(hub.url)), cache)
        before = len(hub.requests)
        started = time.perf_counter()
        verified = sum(1 for m in models if identifier.identify(m).method == "hash")
        wall = time.perf_counter() - started
        per_file = (len(hub.requests) - before) / len(models)
        net.close()
        cache.close()
    return [
        Row(
            SECTION,
            f"identify a {len(models)}-file batch: requests/file",
            per_file,
            "req",
            f"<= {REQUESTS_TARGET}",
            ("met" if per_file <= REQUESTS_TARGET else "NOT met") + f"; {verified} Verified",
        ),
        Row(SECTION, "  its wall time", wall, "s", "", "searches, listings and infos shared"),
    ]


def _import_down(workdir: Path, quick: bool) -> list[Row]:
    n = QUICK_IMPORT_BATCH if quick else IMPORT_BATCH
    src = workdir / "down-src"
    files = [write_lora(src / f"batch-{i}.safetensors", seed=i) for i in range(n)]
    with fake_hub(workdir) as hub:
        hub.faults.status = 503
        runs: dict[str, list[float]] = {"no lookup": [], "hub down": []}
        for round_ in range(IMPORT_ROUNDS):  # alternated, the median of each: this disk is noisy
            for label, extra in (("no lookup", ["--no-lookup"]), ("hub down", [])):
                cli = make_cli(
                    workdir / f"{label.replace(' ', '-')}-{round_}",
                    HF_HUB_OFFLINE="0",
                    HF_ENDPOINT=hub.url,
                    SSL_CERT_FILE=str(hub.ca_file),
                )
                started = time.perf_counter()
                result = cli.json("import", *extra, *(str(f) for f in files))
                runs[label].append(time.perf_counter() - started)
        times = {label: statistics.median(values) for label, values in runs.items()}
        pending = sum(1 for i in result["lookup"]["items"] if i["status"] == "pending")
    ratio = times["hub down"] / times["no lookup"]
    return [
        Row(
            SECTION,
            f"import {n} files, --no-lookup (median of {IMPORT_ROUNDS})",
            times["no lookup"],
            "s",
            "",
            "baseline",
        ),
        Row(
            SECTION,
            f"import {n} files, Hub down",
            times["hub down"],
            "s",
            f"<= {DOWN_RATIO_TARGET}x",
            f"{ratio:.2f}x the baseline: "
            + ("met" if ratio <= DOWN_RATIO_TARGET else "NOT met")
            + f"; {pending} left pending (the whole command, its lookup included)",
        ),
    ]


def _download(workdir: Path, quick: bool) -> list[Row]:
    import json
    import sys

    size = (QUICK_DOWNLOAD_MB if quick else DOWNLOAD_MB) * 1024 * 1024
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fixtures.fake_hub",
            str(workdir),
            json.dumps({"bench/big": {"big.safetensors": size}}),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        url, ca_file = server.stdout.readline().split()
        net = NetClient(verify=ssl.create_default_context(cafile=ca_file))
        api = HubApi(net, HubConfig(url))
        dest = workdir / "dl" / "big.safetensors"
        started = time.perf_counter()
        fetch(api, "bench/big", "big.safetensors", "main", dest)
        ours = time.perf_counter() - started
        location = api.resolve("bench/big", "big.safetensors").location or ""
        net.close()
        curl_s = None
        if shutil.which("curl"):
            started = time.perf_counter()
            subprocess.run(
                ["curl", "-sS", "--http2", "--cacert", ca_file, "-o", str(workdir / "c"), location],
                check=True,
            )
            curl_s = time.perf_counter() - started
    finally:
        server.communicate("", timeout=30)
    mb = size / 1024 / 1024
    rows = [
        Row(SECTION, f"download {mb:.0f} MiB (+SHA-256, BLAKE3)", mb / ours, "MiB/s", "", "ours")
    ]
    if curl_s is not None:
        ratio = curl_s / ours
        rows.append(
            Row(
                SECTION,
                "  curl of the same file",
                mb / curl_s,
                "MiB/s",
                f">= {DOWNLOAD_TARGET}x",
                f"ours {ratio:.2f}x curl: " + ("met" if ratio >= DOWNLOAD_TARGET else "NOT met"),
            )
        )
    return rows


def run(workdir: Path, quick: bool) -> list[Row]:
    return [*_identify(workdir), *_import_down(workdir, quick), *_download(workdir, quick)]
