"""The object handed to pywebview as `js_api`: its ONLY reachable attributes are the
allowlisted ShelfApi methods, each taking one kwargs dict and returning the envelope.

pywebview exposes every public method it finds with `dir()` and resolves calls from the
page with a chain of `getattr` on dotted names (underscores included), so the bridge
(1) lists only the allowlist in `__dir__`, (2) refuses every other attribute in
`__getattribute__` (no `__class__`, `__dict__`, no reference to the ShelfApi), and
(3) builds each method on a throwaway globals dict, so `method.__globals__` leads nowhere."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable
from typing import Any

from tensorshelf.api.dispatch import Envelope, call_method
from tensorshelf.api.shelf import API_METHODS, ShelfApi

BRIDGE_CLASS_NAME = "ShelfBridge"


def _too_many_arguments(method: str) -> Envelope:
    return {
        "ok": False,
        "error": {
            "code": "invalid_argument",
            "message": f"{method} takes one object of keyword arguments",
            "details": {},
        },
    }


def _bridge_method(
    name: str, call: Callable[[Any], Envelope], refuse: Callable[[], Envelope]
) -> types.FunctionType:
    def method(self: object, kwargs: Any = None, *extra: Any) -> Envelope:
        if extra:
            return refuse()
        return call(kwargs)

    isolated = types.FunctionType(
        method.__code__, {"__builtins__": {}}, name, method.__defaults__, method.__closure__
    )
    isolated.__qualname__ = f"{BRIDGE_CLASS_NAME}.{name}"
    return isolated


def make_js_api(api: ShelfApi, methods: Iterable[str] = API_METHODS) -> object:
    """A fresh bridge object for `api` (one per window)."""
    allowed = frozenset(methods)
    unknown = allowed - set(API_METHODS)
    if unknown:
        raise ValueError(f"not ShelfApi methods: {sorted(unknown)}")
    namespace: dict[str, Any] = {
        name: _bridge_method(
            name,
            functools.partial(call_method, api, name),
            functools.partial(_too_many_arguments, name),
        )
        for name in sorted(allowed)
    }

    def __getattribute__(self: object, attr: str) -> Any:
        if attr in allowed:
            return object.__getattribute__(self, attr)
        raise AttributeError(attr)

    def __dir__(self: object) -> list[str]:
        return sorted(allowed)

    def read_only(self: object, *args: Any) -> None:
        raise AttributeError(f"{BRIDGE_CLASS_NAME} is read-only")

    namespace.update(
        __slots__=(),
        __getattribute__=__getattribute__,
        __dir__=__dir__,
        __setattr__=read_only,
        __delattr__=read_only,
    )
    return type(BRIDGE_CLASS_NAME, (), namespace)()
