"""The one error shape at every boundary: `{code, message, details}` (ShelfApi results and
envelopes, the CLI's --json output, every result that can fail). Kept apart from
`tensorshelf.errors` so raising an error never imports pydantic (the CLI's start-up)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tensorshelf.errors import ShelfError


class ErrorInfo(BaseModel):
    """A ShelfError as it crosses a boundary: `{code, message, details}` (the one error shape
    of the API, the CLI's --json output and every result that can fail)."""

    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


def error_info(exc: BaseException, **details: Any) -> ErrorInfo:
    """Any exception as the one error shape (`internal` for what is not a ShelfError)."""
    if isinstance(exc, ShelfError):
        return exc.info()
    return ErrorInfo(code="internal", message=f"{type(exc).__name__}: {exc}", details=details)
