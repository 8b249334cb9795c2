"""Web mode against a real uvicorn server on loopback: token, Host/Origin, statuses, UI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from tests.fixtures.web_server import call, client, web_server


@pytest.fixture
def server(tmp_path: Path):
    with web_server(tmp_path) as srv:
        yield srv


def _settings_file(server) -> Path:
    return server.api.locations.settings_file


def test_url_carries_token_in_fragment(server) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/#token={server.token}"
    assert server.port > 0
    assert len(server.token) >= 32


def test_call_with_token_returns_envelope(server) -> None:
    response = call(server, "get_status")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["bridge"] == "web"
    assert body["result"]["model_count"] == 0
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Bearer", "Basic {token}", "{token}", "Bearer {token}x"],
)
def test_call_without_valid_token_is_401_and_touches_nothing(server, authorization) -> None:
    before = call(server, "list_models").json()["result"]["total"]
    headers = (
        {} if authorization is None else {"Authorization": authorization.format(token=server.token)}
    )
    with client(server, token=None, **headers) as c:
        response = c.post("/api/call/update_settings", json={"changes": {"theme": "dark"}})
        start = c.post("/api/call/plan_import", json={"paths": [str(_settings_file(server))]})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"
    assert start.status_code == 401
    assert not _settings_file(server).exists()
    assert call(server, "list_jobs").json()["result"] == []
    assert call(server, "list_models").json()["result"]["total"] == before


def test_token_in_query_is_not_accepted_for_calls(server) -> None:
    with client(server, token=None) as c:
        response = c.post(f"/api/call/get_status?token={server.token}", json={})
    assert response.status_code == 401


def test_events_need_the_token(server) -> None:
    with client(server, token=None) as c:
        assert c.get("/api/events").status_code == 401
        assert c.get("/api/events?token=nope").status_code == 401
        assert c.get("/api/anything").status_code == 401


def test_a_token_with_one_wrong_char_is_refused(server) -> None:
    almost = server.token[:-1] + ("A" if server.token[-1] != "A" else "B")
    with client(server, token=almost) as c:
        assert c.post("/api/call/get_status", json={}).status_code == 401


@pytest.mark.parametrize(
    "host",
    ["evil.example:{port}", "127.0.0.1:1", "localhost", "127.0.0.1.nip.io:{port}", "[::1]:{port}"],
)
def test_foreign_host_is_403_even_with_token(server, host) -> None:
    with client(server, Host=host.format(port=server.port)) as c:
        response = c.post("/api/call/update_settings", json={"changes": {"theme": "dark"}})
        page = c.get("/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_host"
    assert page.status_code == 403
    assert not _settings_file(server).exists()


def test_localhost_host_is_accepted(server) -> None:
    with client(server, Host=f"localhost:{server.port}") as c:
        assert c.post("/api/call/get_status", json={}).status_code == 200


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:{port}"]
)
def test_foreign_origin_is_403(server, origin) -> None:
    with client(server, Origin=origin.format(port=server.port)) as c:
        response = c.post("/api/call/update_settings", json={"changes": {"theme": "dark"}})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_origin"
    assert not _settings_file(server).exists()


def test_same_origin_is_accepted(server) -> None:
    with client(server, Origin=f"http://127.0.0.1:{server.port}") as c:
        response = c.post("/api/call/update_settings", json={"changes": {"theme": "dark"}})
    assert response.status_code == 200
    assert json.loads(_settings_file(server).read_text())["theme"] == "dark"


def test_no_cors_headers_even_for_preflight(server) -> None:
    origin = f"http://127.0.0.1:{server.port}"
    with client(server, Origin=origin) as c:
        preflight = c.options(
            "/api/call/get_status", headers={"Access-Control-Request-Method": "POST"}
        )
        normal = c.post("/api/call/get_status", json={})
    for response in (preflight, normal):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    assert preflight.status_code >= 400


@pytest.mark.parametrize(
    ("method", "body", "status", "code"),
    [
        ("no_such_method", {}, 404, "unknown_method"),
        ("__init__", {}, 404, "unknown_method"),
        ("close", {}, 404, "unknown_method"),
        ("service", {}, 404, "unknown_method"),
        ("get_model", {}, 400, "invalid_argument"),
        ("get_model", {"ref": "0000000000000000"}, 404, "model_not_found"),
        ("search", {"query": "x", "limit": "many"}, 400, "invalid_argument"),
        ("get_status", {"surprise": 1}, 400, "invalid_argument"),
        ("pick_paths", {}, 400, "unsupported"),
    ],
)
def test_error_statuses(server, method, body, status, code) -> None:
    response = call(server, method, **body)
    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["ok"] is False
    assert envelope["error"]["code"] == code
    assert set(envelope["error"]) == {"code", "message", "details"}
    assert "Traceback" not in response.text


def test_bad_bodies(server) -> None:
    with client(server) as c:
        not_json = c.post("/api/call/get_status", content=b"{nope")
        array = c.post("/api/call/get_status", json=[1, 2])
        empty = c.post("/api/call/get_status", content=b"")
        wrong_verb = c.get("/api/call/get_status")
        other_verb = c.put("/api/call/get_status")
        unknown_endpoint = c.delete("/api/nothing/here")
        huge = c.post("/api/call/get_status", content=b" " * (16 * 1024 * 1024 + 1))
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "invalid_argument"
    assert array.status_code == 400
    assert empty.status_code == 200
    assert wrong_verb.status_code == other_verb.status_code == 405
    assert unknown_endpoint.status_code == 404
    assert unknown_endpoint.json()["error"]["code"] == "not_found"
    assert huge.status_code == 413


def test_internal_errors_are_500_without_traceback(server) -> None:
    def broken_picker(folder: bool) -> list[str]:
        raise RuntimeError("dialog exploded")

    server.api.path_picker = broken_picker
    response = call(server, "pick_paths", folder=True)
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "dialog exploded" in error["message"]
    assert "Traceback" not in response.text


def test_missing_ui_says_how_to_build_it(server) -> None:
    with client(server, token=None) as c:
        response = c.get("/")
    assert response.status_code == 503
    assert "UI not built: run ./scripts/run" in response.text


def test_built_ui_is_served_without_token(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>shelf ui</title>", "utf-8")
    (dist / "assets" / "app.js").write_text("console.log('hi')", "utf-8")
    with web_server(tmp_path, dist=dist) as srv, client(srv, token=None) as c:
        index = c.get("/")
        asset = c.get("/assets/app.js")
        missing = c.get("/assets/nope.js")
    assert index.status_code == 200
    assert "shelf ui" in index.text
    assert index.headers["x-content-type-options"] == "nosniff"
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]
    assert missing.status_code == 404


def test_server_binds_loopback_only(server) -> None:
    assert server.host == "127.0.0.1"
    with pytest.raises(httpx.HTTPError):
        # the same port on another local address is not served
        httpx.get(f"http://127.0.0.2:{server.port}/", timeout=2)


def test_a_deeply_nested_body_is_a_json_400(server) -> None:
    depth = 100_000
    with client(server) as c:
        nested = c.post("/api/call/get_status", content=b"[" * depth + b"]" * depth)
        still_fine = c.post("/api/call/get_status", json={})
    assert nested.status_code == 400
    assert nested.json()["error"]["code"] == "invalid_argument"
    assert "nested" in nested.json()["error"]["message"]
    assert still_fine.status_code == 200


def test_inspect_of_a_fifo_answers_at_once_and_the_server_stays_up(server, tmp_path: Path) -> None:
    """A FIFO with no writer would block an open() for good: it is refused unopened."""
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    for _ in range(8):  # more calls than the server has worker threads
        answer = call(server, "inspect", path=str(fifo))
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "not_a_regular_file"
        assert "named pipe" in answer.json()["error"]["message"]
    assert call(server, "get_status").json()["ok"] is True


def test_saved_filters_are_kept_and_bad_ones_refused(server) -> None:
    saved = [
        {"name": "SDXL LoRAs", "text": "pixel", "filters": {"family": "sdxl", "favorites": True}}
    ]
    with client(server) as c:
        ok = c.post("/api/call/update_settings", json={"changes": {"saved_filters": saved}})
        nameless = c.post(
            "/api/call/update_settings",
            json={"changes": {"saved_filters": [{"name": "", "filters": {}}]}},
        )
        nested = c.post(
            "/api/call/update_settings",
            json={"changes": {"saved_filters": [{"name": "x", "filters": {"a": {"b": 1}}}]}},
        )
    assert ok.status_code == 200 and ok.json()["result"]["saved_filters"] == saved
    for bad in (nameless, nested):
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_argument"
    assert json.loads(_settings_file(server).read_text())["saved_filters"] == saved
