"""Hear other processes' changes: watch the library's one generation file (inotify, via
watchfiles), read the change journal's new entries and hand those made by other processes
to `on_changes`. Only that file is watched — never the tree, whose own scans would feed
back — and the watching thread sleeps in the kernel between changes. On a shared (network
or FUSE) library, where inotify does not see other machines' writes, the one file is
stat()ed every CHANGE_POLL_MS instead."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from tensorshelf import settings
from tensorshelf.library.changes import (
    ChangeEntry,
    changes_since,
    current_generation,
    ensure_generation_file,
    generation_path,
)

log = logging.getLogger(__name__)

ChangeListener = Callable[[list[ChangeEntry], bool], None]  # (entries, complete)


class ChangeWatch:
    def __init__(self, root: Path, on_changes: ChangeListener, poll: bool = False) -> None:
        self.root = root
        self.poll = poll
        self.on_changes = on_changes
        self._stop = threading.Event()
        self._seen = current_generation(root)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        ensure_generation_file(self.root)
        self._seen = current_generation(self.root)
        self._thread = threading.Thread(
            target=self._run, name="tensorshelf-library-watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=settings.CHANGE_WATCH_STOP_S)
            self._thread = None

    def _run(self) -> None:
        import watchfiles

        target = generation_path(self.root)
        try:
            for _batch in watchfiles.watch(
                target,
                watch_filter=None,
                debounce=settings.CHANGE_PUSH_DEBOUNCE_MS,
                step=settings.CHANGE_PUSH_STEP_MS,
                stop_event=self._stop,
                rust_timeout=settings.CHANGE_WATCH_TIMEOUT_MS,
                recursive=False,
                raise_interrupt=False,
                force_polling=self.poll,
                poll_delay_ms=settings.CHANGE_POLL_MS,
            ):
                self.check()
        except Exception:
            log.exception("watching %s for other processes' changes stopped", target)

    def check(self) -> None:
        """Read what changed since the last look and report other processes' entries."""
        since = changes_since(self.root, self._seen)
        self._seen = since.generation
        theirs = [e for e in since.entries if not e.mine]
        if theirs or not since.complete:
            try:
                self.on_changes(theirs, since.complete)
            except Exception:
                log.exception("a library-change listener failed")
