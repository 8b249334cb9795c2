"""Calling ShelfApi methods by name from untrusted JSON (pywebview bridge and web mode).

Only `API_METHODS` are callable; keyword arguments are validated against the method's
signature by pydantic; every outcome is an envelope, never a traceback."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from tensorshelf.api.shelf import API_METHODS, ShelfApi
from tensorshelf.errors import InvalidArgument, ShelfError

log = logging.getLogger(__name__)

Envelope = dict[str, Any]


class UnknownMethod(ShelfError):
    code = "unknown_method"


def _error(code: str, message: str, **details: Any) -> Envelope:
    return {"ok": False, "error": {"code": code, "message": message, "details": details}}


@functools.cache
def _adapters(method_name: str) -> dict[str, tuple[TypeAdapter[Any], bool]]:
    """Parameter name → (validator, required) for one ShelfApi method."""
    func = getattr(ShelfApi, method_name)
    hints = inspect.get_annotations(func, eval_str=True)
    params = inspect.signature(func).parameters
    return {
        name: (TypeAdapter(hints.get(name, Any)), p.default is inspect.Parameter.empty)
        for name, p in params.items()
        if name != "self"
    }


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def bind_arguments(method: str, kwargs: Any) -> dict[str, Any]:
    """Validate untrusted keyword arguments for `method`; raise ShelfError if they don't fit."""
    if method not in API_METHODS:
        raise UnknownMethod(f"no such method: {method!r}")
    if kwargs is None:
        kwargs = {}
    if not isinstance(kwargs, dict):
        raise InvalidArgument("arguments must be a JSON object", method=method)
    adapters = _adapters(method)
    unknown = sorted(set(kwargs) - set(adapters))
    if unknown:
        raise InvalidArgument(f"unexpected argument(s) for {method}: {', '.join(unknown)}")
    bound: dict[str, Any] = {}
    for name, (adapter, required) in adapters.items():
        if name not in kwargs:
            if required:
                raise InvalidArgument(f"missing argument {name!r} for {method}")
            continue
        try:
            bound[name] = adapter.validate_python(kwargs[name])
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InvalidArgument(
                f"invalid argument {name!r}: {first['msg']}",
                argument=name,
                location=[str(p) for p in first["loc"]],
            ) from exc
    return bound


def call_method(api: ShelfApi, method: str, kwargs: Any) -> Envelope:
    """Run one allowlisted method and wrap its outcome in the envelope."""
    try:
        bound = bind_arguments(method, kwargs)
        func: Callable[..., Any] = getattr(api, method)
        return {"ok": True, "result": to_jsonable(func(**bound))}
    except ShelfError as exc:
        return {"ok": False, "error": exc.to_dict()}
    except Exception as exc:
        log.exception("internal error in %s", method)
        return _error("internal_error", f"{method} failed: {exc.__class__.__name__}: {exc}")
