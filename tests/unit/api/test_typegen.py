"""scripts/gen-types: the committed pywebview.d.ts is current, deterministic and complete."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tensorshelf.api.events_schema import EVENT_PAYLOADS
from tensorshelf.api.shelf import API_METHODS
from tensorshelf.api.typegen import OUTPUT, generate, main

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "gen-types"


@pytest.fixture(scope="module")
def text() -> str:
    return generate()


def test_committed_file_is_current() -> None:
    result = subprocess.run(
        [str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"{result.stderr}\nrun ./scripts/gen-types and commit"


def test_check_detects_stale_and_missing_files(tmp_path: Path, text: str) -> None:
    target = tmp_path / "pywebview.d.ts"
    assert main(["--check", "--output", str(target)]) == 1  # missing
    target.write_text(text.replace("export type MethodName", "export type MethodNam"), "utf-8")
    assert main(["--check", "--output", str(target)]) == 1  # stale
    assert main(["--output", str(target)]) == 0  # regenerate
    assert target.read_text("utf-8") == text
    assert main(["--check", "--output", str(target)]) == 0


def test_output_is_deterministic(text: str) -> None:
    assert generate() == text
    assert OUTPUT.name == "pywebview.d.ts"


def _member(text: str, method: str) -> str:
    match = re.search(rf"^  {method}: \{{\n(.*?)\n  \}};$", text, re.MULTILINE | re.DOTALL)
    assert match, f"{method} missing from ShelfMethods"
    return match.group(1)


def test_every_method_is_typed(text: str) -> None:
    body = text[text.index("export interface ShelfMethods {") :]
    listed = re.findall(r"^  (\w+): \{$", body, re.MULTILINE)
    assert listed == sorted(API_METHODS)
    assert "args: Record<string, never>;" in _member(text, "get_status")
    assert "result: AppStatus;" in _member(text, "get_status")
    start_import = _member(text, "start_import")
    assert "      plan_id: string;" in start_import
    assert "      options?: ImportOptions | null;" in start_import
    assert "      items?: Record<string, ImportOptions> | null;" in start_import
    assert "result: JobRef;" in start_import
    assert "      ref: string;" in _member(text, "get_model")
    assert "result: RemoveResult[];" in _member(text, "delete_models")
    assert "result: string[];" in _member(text, "pick_paths")


def test_inputs_keep_defaults_optional_outputs_are_complete(text: str) -> None:
    import_options = re.search(r"export interface ImportOptions \{(.*?)\n\}", text, re.DOTALL)
    assert import_options and "  mode?: ImportMode;" in import_options.group(1)
    summary = re.search(r"export interface ModelSummary \{(.*?)\n\}", text, re.DOTALL)
    assert summary and "  subtype: string | null;" in summary.group(1)
    metadata = re.search(r"export interface ModelMetadata \{(.*?)\n\}", text, re.DOTALL)
    assert metadata and "  tags: string[];" in metadata.group(1)
    assert "  [key: string]: unknown;" in metadata.group(1)  # unknown keys are preserved
    assert 'export type ImportStage = "queued" |' in text
    assert "export type Settings = AppSettings;" in text
    for job_result in ("ImportResult", "ModelVerification", "RebuildReport", "VerifyReport"):
        assert f"export interface {job_result} {{" in text


def test_events_and_window(text: str) -> None:
    for event_type, (ts_name, _) in EVENT_PAYLOADS.items():
        assert f'  "{event_type}": {ts_name};' in text
        assert f"export type {ts_name} = " in text
    assert (
        "export type Envelope<R> = { ok: true; result: R } | { ok: false; error: ErrorInfo };"
        in text
    )
    assert "declare global {" in text
    assert "pywebview?: { api: PywebviewShelfApi };" in text
    assert "__tensorshelf_event?: (event: ShelfEvent) => void;" in text


@pytest.mark.slow
def test_generated_file_compiles_with_typescript(tmp_path: Path, text: str) -> None:
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    if not tsc.exists() or shutil.which("node") is None:
        pytest.skip("TypeScript is not installed (npm install)")
    (tmp_path / "pywebview.d.ts").write_text(text, "utf-8")
    (tmp_path / "use.ts").write_text(
        'import type { MethodArgs, MethodResult, ShelfEvent } from "./pywebview";\n'
        'const a: MethodArgs<"start_import"> = { plan_id: "p", options: { mode: "move" } };\n'
        'const r = null as unknown as MethodResult<"list_models">;\n'
        "const n: number = r.models[0].size_bytes;\n"
        'const e: ShelfEvent<"job.progress"> = null as unknown as ShelfEvent<"job.progress">;\n'
        "const d: number = e.payload.bytes_done;\n"
        'window.__tensorshelf_event?.({ type: "network.status", payload: '
        '{ online: true, host: null, state: "ok", reason: "", since: null } });\n'
        "void window.pywebview?.api.get_status({}).then((env) => env.ok && env.result.version);\n"
        "export { a, n, d };\n",
        "utf-8",
    )
    result = subprocess.run(
        [
            str(tsc),
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "--lib",
            "es2022,dom",
            str(tmp_path / "use.ts"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
