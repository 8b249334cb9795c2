"""Per-invocation CLI state: the global options and the lazily created ShelfApi."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from tensorshelf.errors import LibraryNotFound
from tensorshelf.settings import (
    ENV_LIBRARY,
    ENV_TENSORSHELF_OFFLINE,
    Locations,
    resolve_locations,
)

if TYPE_CHECKING:
    from tensorshelf.api.shelf import Bridge, ShelfApi
    from tensorshelf.library.writer_lock import LockWait


log = logging.getLogger(__name__)

_LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


@dataclass
class CliState:
    home: str | None = None
    library: str | None = None
    json: bool = False
    verbose: int = 0
    _api: ShelfApi | None = field(default=None, repr=False)

    def locations(self) -> Locations:
        return resolve_locations(self.home, self.library)

    def api(self, bridge: Bridge = "cli", create: bool = False) -> ShelfApi:
        """The ShelfApi for this invocation (created once; sweeps stale staging on start).

        Only commands that add to a library (`import`, `serve`) may create it; the others
        fail with LibraryNotFound rather than leave an empty library (and a state dir)
        behind at a mistyped path or on the mount point of an unplugged drive."""
        from tensorshelf.library.layout import library_exists

        if self._api is None:
            from tensorshelf.api.shelf import ShelfApi

            locations = self.locations()
            if not create and not library_exists(locations.library):
                raise LibraryNotFound(
                    f"no library at {locations.library} (is its drive mounted? check --library "
                    f"or {ENV_LIBRARY}); `tensorshelf import` creates one",
                    path=str(locations.library),
                )
            self._api = ShelfApi(locations, bridge=bridge)
            self._api.service.writer.on_wait(_say_waiting)
            moved = self._api.mapping.moved_from
            if moved is not None:
                typer.echo(
                    f"note: this library was at {moved} when its links were made; "
                    "`tensorshelf relocate` re-points them to "
                    f"{self._api.service.root}",
                    err=True,
                )
            swept = getattr(self._api.service, "staging_swept", None) or []
            if swept:
                log.warning(
                    "removed %d stale staging entr%s left by an interrupted import: %s",
                    len(swept),
                    "y" if len(swept) == 1 else "ies",
                    ", ".join(swept),
                )
        return self._api

    def close(self) -> None:
        if self._api is not None:
            api, self._api = self._api, None
            api.close()


def _say_waiting(wait: LockWait) -> None:
    """A second Tensorshelf is writing: say whom the command waits for (stderr)."""
    if wait.waiting:
        typer.echo(f"{wait.message}…", err=True)


def configure_logging(verbose: int) -> None:
    """Logs go to stderr: warnings by default, -v info, -vv debug."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format=_LOG_FORMAT, stream=sys.stderr, force=True)


def set_offline() -> None:
    os.environ[ENV_TENSORSHELF_OFFLINE] = "1"  # the network layer's --offline switch


def get_state(ctx: typer.Context) -> CliState:
    state = ctx.find_object(CliState)
    if state is None:  # a command invoked without the root callback (should not happen)
        state = CliState()
        ctx.obj = state
    return state
