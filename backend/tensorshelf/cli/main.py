"""The `tensorshelf` console script: global options, command registration, exit codes.

Every command is a thin adapter over ShelfApi (tensorshelf.api.shelf); no business logic
lives here. Exit codes: 0 success, 1 handled error (message on stderr, JSON error document
on stdout with --json), 2 bad usage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tensorshelf.cli.apps_cmd import apps_app, doctor_cmd, links_cmd, relocate_cmd, sync_cmd
from tensorshelf.cli.bulk_cmd import bulk_cmd
from tensorshelf.cli.collections_cmd import collections_cmd
from tensorshelf.cli.download_cmd import download_cmd
from tensorshelf.cli.filters_cmd import filters_cmd
from tensorshelf.cli.history_cmds import history_cmd, stats_cmd
from tensorshelf.cli.import_cmd import import_cmd
from tensorshelf.cli.inspect_cmd import inspect_cmd
from tensorshelf.cli.jobs_cmd import jobs_cmd
from tensorshelf.cli.library_cmds import edit_cmd, list_cmd, rm_cmd, show_cmd
from tensorshelf.cli.lookup_cmd import lookup_cmd
from tensorshelf.cli.maintenance_cmds import (
    rebuild_cmd,
    reclassify_cmd,
    scan_cmd,
    verify_cmd,
)
from tensorshelf.cli.output import (
    EXIT_ERROR,
    EXIT_USAGE,
    ClickException,
    UsageError,
    error_document,
    print_json,
)
from tensorshelf.cli.serve_cmd import desktop, serve_cmd
from tensorshelf.cli.state import CliState, configure_logging, set_offline
from tensorshelf.settings import ENV_HOME, ENV_LIBRARY

app = typer.Typer(
    name="tensorshelf",
    help="A library for AI model files: import once, hash once, identify, find.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option("--home", envvar=ENV_HOME, metavar="DIR", help="State directory.")
    ] = None,
    library: Annotated[
        Path | None,
        typer.Option("--library", envvar=ENV_LIBRARY, metavar="DIR", help="Library root."),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="One JSON document on stdout; logs and progress on stderr."),
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="No network (HF_HUB_OFFLINE=1).")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="More logging on stderr (-vv for debug)."),
    ] = 0,
) -> None:
    """Without a command: open the desktop window (web mode when there is no display)."""
    configure_logging(verbose)
    if offline:
        set_offline()
    state = CliState(
        home=str(home) if home else None,
        library=str(library) if library else None,
        json=json_output,
        verbose=verbose,
    )
    ctx.obj = state
    if ctx.invoked_subcommand is None:
        raise typer.Exit(desktop(ctx=ctx))


app.command("serve")(serve_cmd)
app.command("import")(import_cmd)
app.command("inspect")(inspect_cmd)
app.command("list")(list_cmd)
app.command("show")(show_cmd)
app.command(
    "search",
    help="Full-text search of the library, best matches first (takes the filters of list).",
)(list_cmd)
app.command("edit")(edit_cmd)
app.command("rm")(rm_cmd)
app.command("scan")(scan_cmd)
app.command("rebuild")(rebuild_cmd)
app.command("verify")(verify_cmd)
app.command("reclassify")(reclassify_cmd)
app.command("jobs")(jobs_cmd)
app.add_typer(apps_app, name="apps")
app.command("sync")(sync_cmd)
app.command("doctor")(doctor_cmd)
app.command("relocate")(relocate_cmd)
app.command("links")(links_cmd)
app.command("lookup")(lookup_cmd)
app.command("download")(download_cmd)
app.command("collections")(collections_cmd)
app.command("bulk")(bulk_cmd)
app.command("history")(history_cmd)
app.command("stats")(stats_cmd)
app.command("filters")(filters_cmd)


def _json_requested(argv: list[str]) -> bool:
    return "--json" in argv


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = app(args=args, prog_name="tensorshelf", standalone_mode=False)
    except UsageError as exc:
        exc.show()
        if _json_requested(args):
            print_json(error_document("usage", exc.format_message()))
        sys.exit(EXIT_USAGE)
    except ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
