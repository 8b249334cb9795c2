"""The desktop js_api bridge exposes exactly API_METHODS and nothing else is reachable,
following the same attribute walks pywebview uses (webview/util.py)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from tensorshelf.api.shelf import API_METHODS, ShelfApi
from tensorshelf.desktop.bridge import make_js_api
from tests.fixtures.web_server import shelf_api


@pytest.fixture
def api(tmp_path: Path):
    with shelf_api(tmp_path, bridge="desktop") as shelf:
        yield shelf


def _exposed_like_pywebview(obj: object, base: str = "", seen: set[int] | None = None) -> dict:
    """Mirror of pywebview's inject_pywebview.get_functions: what the page gets."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return {}
    seen.add(id(obj))
    functions: dict[str, list[str]] = {}
    for name in dir(obj):
        full = f"{base}.{name}" if base else name
        if name.startswith("_"):
            continue
        attr = getattr(obj, name)
        if inspect.ismethod(attr) or inspect.isfunction(attr):
            functions[full] = inspect.getfullargspec(attr).args[1:]
        elif inspect.isclass(attr) or (not callable(attr) and hasattr(attr, "__module__")):
            functions.update(_exposed_like_pywebview(attr, full, seen))
    return functions


def _resolve_like_pywebview(obj: object, dotted: str) -> object:
    """Mirror of pywebview's js_bridge_call.get_nested_attribute (any name from the page)."""
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def test_exposes_exactly_the_allowlist_with_one_kwargs_param(api: ShelfApi) -> None:
    exposed = _exposed_like_pywebview(make_js_api(api))
    assert sorted(exposed) == sorted(API_METHODS)
    assert set(map(tuple, exposed.values())) == {("kwargs",)}


@pytest.mark.parametrize(
    "path",
    [
        "__class__",
        "__dict__",
        "__init__",
        "__getattribute__",
        "__dir__",
        "__setattr__",
        "__reduce__",
        "__reduce_ex__",
        "_api",
        "api",
        "service",
        "jobs",
        "bus",
        "close",
        "path_picker",
        "settings",
        "get_status.__self__.__class__",
        "get_status.__self__._api",
    ],
)
def test_nothing_else_is_reachable(api: ShelfApi, path: str) -> None:
    assert _resolve_like_pywebview(make_js_api(api), path) is None


def test_method_globals_lead_nowhere(api: ShelfApi) -> None:
    bridge = make_js_api(api)
    globals_ = _resolve_like_pywebview(bridge, "get_status.__globals__")
    assert globals_ == {"__builtins__": {}}
    assert _resolve_like_pywebview(bridge, "get_status.__func__.__globals__") is globals_
    # clearing what the page can reach does not break the bridge
    globals_.clear()
    assert bridge.get_status({})["ok"] is True


def test_calls_return_envelopes(api: ShelfApi) -> None:
    bridge = make_js_api(api)
    status = bridge.get_status({})
    assert status["ok"] is True
    assert status["result"]["bridge"] == "desktop"
    assert bridge.get_status()["ok"] is True  # JS may call without an argument
    assert bridge.get_model({})["error"]["code"] == "invalid_argument"
    extra = bridge.get_status({}, {"more": 1})
    assert extra["error"]["code"] == "invalid_argument"


def test_bridge_is_read_only(api: ShelfApi) -> None:
    bridge = make_js_api(api)
    with pytest.raises(AttributeError):
        bridge.get_status = None  # type: ignore[method-assign]
    with pytest.raises(AttributeError):
        bridge.anything = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del bridge.get_status


def test_subset_and_unknown_names(api: ShelfApi) -> None:
    only = make_js_api(api, ["get_status"])
    assert sorted(_exposed_like_pywebview(only)) == ["get_status"]
    assert _resolve_like_pywebview(only, "list_models") is None
    with pytest.raises(ValueError):
        make_js_api(api, ["close"])
