"""dispatch.call_method: only API_METHODS are callable; arguments are validated; every
outcome is an envelope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorshelf.api.dispatch import bind_arguments, call_method
from tensorshelf.api.shelf import API_METHODS, ShelfApi
from tests.fixtures.web_server import shelf_api


@pytest.fixture
def api(tmp_path: Path):
    with shelf_api(tmp_path) as shelf:
        yield shelf


@pytest.mark.parametrize(
    "name",
    [
        "__init__",
        "__class__",
        "__dict__",
        "__getattribute__",
        "service",
        "jobs",
        "bus",
        "settings",
        "locations",
        "close",
        "path_picker",
        "bridge",
        "_absolute",
        "get_status.__class__",
        "",
        "GET_STATUS",
        "get_status ",
        "list_models()",
    ],
)
def test_names_outside_the_allowlist_are_unknown(api: ShelfApi, name: str) -> None:
    envelope = call_method(api, name, {})
    assert envelope == {
        "ok": False,
        "error": {"code": "unknown_method", "message": envelope["error"]["message"], "details": {}},
    }


def test_close_is_not_reachable_and_api_keeps_working(api: ShelfApi) -> None:
    call_method(api, "close", {})
    assert call_method(api, "get_status", {})["ok"] is True


def test_allowlist_names_real_public_methods() -> None:
    assert len(API_METHODS) == len(set(API_METHODS))
    for name in API_METHODS:
        assert not name.startswith("_")
        assert callable(getattr(ShelfApi, name))
    assert "close" not in API_METHODS


def test_ok_envelope_is_plain_json(api: ShelfApi) -> None:
    envelope = call_method(api, "get_settings", None)
    assert envelope["ok"] is True
    assert json.loads(json.dumps(envelope)) == envelope
    assert envelope["result"]["theme"] in ("system", "light", "dark")


def test_list_results_are_serialised(api: ShelfApi) -> None:
    envelope = call_method(api, "list_jobs", {})
    assert envelope == {"ok": True, "result": []}


@pytest.mark.parametrize(
    ("method", "kwargs", "fragment"),
    [
        ("get_model", {}, "missing argument 'ref'"),
        ("get_model", {"ref": "x", "extra": 1}, "unexpected argument"),
        ("search", {"query": "a", "limit": "ten"}, "invalid argument 'limit'"),
        ("list_models", {"query": {"limit": 0}}, "invalid argument 'query'"),
        ("list_models", {"query": {"sort": "nonsense"}}, "invalid argument 'query'"),
        ("update_settings", {"changes": {"theme": "purple"}}, "invalid setting"),
        ("update_settings", {"changes": {"nope": 1}}, "unknown setting"),
        ("plan_import", {"paths": []}, "no paths"),
        ("delete_models", {"refs": []}, "no model"),
        ("get_status", [1], "JSON object"),
        ("get_status", "x", "JSON object"),
    ],
)
def test_invalid_arguments(api: ShelfApi, method: str, kwargs: object, fragment: str) -> None:
    envelope = call_method(api, method, kwargs)
    assert envelope["ok"] is False
    assert envelope["error"]["code"] == "invalid_argument"
    assert fragment in envelope["error"]["message"]


def test_validation_names_the_argument(api: ShelfApi) -> None:
    envelope = call_method(api, "search", {"query": "a", "limit": "ten"})
    assert envelope["error"]["details"]["argument"] == "limit"


def test_bind_arguments_coerces_models() -> None:
    bound = bind_arguments("start_import", {"plan_id": "p1", "options": {"mode": "move"}})
    assert bound["options"].mode == "move"
    assert bound["plan_id"] == "p1"
    assert bind_arguments("get_status", None) == {}


def test_shelf_errors_keep_code_and_details(api: ShelfApi) -> None:
    envelope = call_method(api, "get_model", {"ref": "ffffffffffffffff"})
    assert envelope["ok"] is False
    assert envelope["error"]["code"] == "model_not_found"


def test_unexpected_exceptions_become_internal_error(api: ShelfApi) -> None:
    def picker(folder: bool) -> list[str]:
        raise ZeroDivisionError("boom")

    api.path_picker = picker
    envelope = call_method(api, "pick_paths", {"folder": True})
    assert envelope["ok"] is False
    assert envelope["error"]["code"] == "internal_error"
    assert "ZeroDivisionError: boom" in envelope["error"]["message"]
    assert "Traceback" not in json.dumps(envelope)
