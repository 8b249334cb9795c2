"""How the CLI speaks: human output with rich on stdout, one JSON document with --json,
messages on stderr, and the mapping of errors to exit codes (0 ok, 1 handled error,
2 bad usage — the last one is click's)."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar, cast

import typer

from tensorshelf.cli.state import CliState, get_state
from tensorshelf.errors import OperationCancelled, ShelfError
from tensorshelf.settings import CLI_PIPED_WIDTH

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text


log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_UNIT_STEP = 1024

P = ParamSpec("P")
R = TypeVar("R")


def _typer_exception(name: str) -> type[Any]:
    """click's exception classes as typer uses them (typer ≥ 0.20 vendors click, so their
    static types are not importable: `show()`, `exit_code` and `format_message()` are click's)."""
    found: type[Any] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)
    return found


ClickException: type[Any] = _typer_exception("ClickException")
UsageError: type[Any] = _typer_exception("UsageError")
_PASS_THROUGH = (typer.Exit, typer.Abort, ClickException)


def out() -> Console:
    """Console for human output on stdout (no colour codes when piped; piped tables are
    laid out wide rather than squeezed into 80 columns)."""
    from rich.console import Console

    piped = not sys.stdout.isatty() and not os.environ.get("COLUMNS")
    return Console(soft_wrap=True, highlight=False, width=CLI_PIPED_WIDTH if piped else None)


def err() -> Console:
    """Console for messages on stderr."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(document: dict[str, Any]) -> None:
    from tensorshelf.api.dispatch import to_jsonable

    sys.stdout.write(json.dumps(to_jsonable(document), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def emit(state: CliState, document: dict[str, Any], human: Callable[[Console], None]) -> None:
    """Print `document` as JSON with --json, otherwise call `human` with the stdout console."""
    if state.json:
        print_json(document)
    else:
        human(out())


def error_document(
    code: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message, "details": details or {}}}


def fail(
    state: CliState,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> NoReturn:
    """Report a handled error (stderr message; JSON error document with --json) and exit 1."""
    from rich.markup import escape

    err().print(f"[bold red]error:[/] {escape(message)}")
    if state.json:
        print_json({**error_document(code, message, details), **(extra or {})})
    raise typer.Exit(EXIT_ERROR)


def confirm_or_fail(
    state: CliState, question: str, refusing: str, nothing: str, lines: Iterable[str] = ()
) -> None:
    """Ask before something destructive (`--yes` callers skip this); without a terminal to
    ask on, refuse with `confirmation_required` instead of acting unasked."""
    if not sys.stdin.isatty():
        fail(
            state,
            "confirmation_required",
            f"refusing to {refusing} without --yes when stdin is not a terminal",
        )
    for line in lines:
        typer.echo(line, err=True)
    if not typer.confirm(question, err=True):
        fail(state, "cancelled", nothing)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn ShelfErrors (and anything unexpected) into exit 1 without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = kwargs.get("ctx")
        # a click Context (typer vendors click, so test for its API, not its class)
        state = get_state(cast(typer.Context, ctx)) if hasattr(ctx, "find_object") else CliState()
        try:
            return func(*args, **kwargs)
        except _PASS_THROUGH:
            raise
        except OperationCancelled as exc:
            fail(state, exc.code, exc.message, exc.details)
        except ShelfError as exc:
            fail(state, exc.code, exc.message, exc.details)
        except KeyboardInterrupt:
            fail(state, OperationCancelled.code, "interrupted")
        except Exception as exc:  # the CLI never shows a traceback by default
            log.debug("unexpected error", exc_info=True)
            fail(
                state,
                "internal_error",
                f"{exc.__class__.__name__}: {exc}"
                + ("" if state.verbose else " (run with -v for details)"),
            )
        finally:
            state.close()

    return wrapper


# --- human formatting helpers -----------------------------------------------------------
def human_size(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in _UNITS:
        if abs(size) < _UNIT_STEP or unit == _UNITS[-1]:
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= _UNIT_STEP
    return f"{n} B"


def short_id(model_id: str | None) -> str:
    """How an id is shown: its short reference (the random end of the UUID7; the prefix is a
    timestamp shared by models imported together), which every command accepts as a ref."""
    from tensorshelf.library.refs import short_ref

    return short_ref(model_id) if model_id else "-"


def visible(text: str) -> str:
    """`text` with control characters (newline, tab, escape sequences) and invisible
    bidirectional overrides shown as `\\n` / `\\u202e`: a file or model name must neither
    break a table row, drive the terminal, nor display reversed."""
    from tensorshelf.io.naming import BIDI_CONTROLS

    if text.isprintable() and not any(ch in BIDI_CONTROLS for ch in text):
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")
        else ch
        for ch in text
    )


def plain(value: Any) -> str:
    """User-controlled text for rich markup: visible() and markup-escaped."""
    from rich.markup import escape

    return escape(visible(str(value)))


def cell(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    return plain(value)


def models_table(models: Iterable[Any], title: str | None = None) -> Table:
    from rich.table import Table

    table = Table(title=title, show_edge=False, header_style="bold")
    for column in ("id", "name", "type", "subtype", "family", "size", "tags"):
        table.add_column(
            column,
            justify="right" if column == "size" else "left",
            no_wrap=column in ("id", "size"),
        )
    for m in models:
        table.add_row(
            short_id(m.id),
            cell(m.name),
            cell(m.model_type),
            cell(m.subtype),
            cell(m.family),
            human_size(m.size_bytes),
            cell(m.tags),
        )
    return table


def key_values(rows: Iterable[tuple[str, Any]]) -> Text:
    """Aligned "key  value" lines (no table padding, so no trailing spaces)."""
    from rich.text import Text

    pairs = [(key, cell(value)) for key, value in rows]
    width = max((len(k) for k, _ in pairs), default=0)
    text = Text()
    for i, (key, value) in enumerate(pairs):
        text.append(f"{key:<{width}}  ", style="bold")
        text.append_text(Text.from_markup(value))
        if i < len(pairs) - 1:
            text.append("\n")
    return text
