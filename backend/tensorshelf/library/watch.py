"""Hear other processes' changes: watch the library's one generation file, read the change
journal's new entries and hand those made by other processes to `on_changes`. Only that
file is watched — never the tree, whose own scans would feed back.

On a local filesystem the watching thread blocks in the kernel on inotify (io.inotify): no
timer, 0 % CPU while nothing changes. On a shared (network or FUSE) library, where inotify
does not see other machines' writes, or where inotify is missing, watchfiles stat()s the
one file every CHANGE_POLL_MS instead."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from tensorshelf import settings
from tensorshelf.io import inotify
from tensorshelf.io.inotify import FileWatch
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
        self._kernel_watch: FileWatch | None = None

    def start(self) -> None:
        ensure_generation_file(self.root)
        self._seen = current_generation(self.root)
        target = self._run_polling
        if not self.poll and inotify.available():
            try:
                self._kernel_watch = FileWatch(generation_path(self.root))
                target = self._run_kernel
            except OSError as exc:
                log.info("no inotify watch on %s (%s); polling it", self.root, exc)
        self._thread = threading.Thread(
            target=target, name="tensorshelf-library-watch", daemon=True
        )
        self._thread.start()

    def _run_kernel(self) -> None:
        watch = self._kernel_watch
        assert watch is not None
        try:
            while not self._stop.is_set() and watch.wait():
                self.check()
        except Exception:
            log.exception("watching %s for other processes' changes stopped", self.root)
        finally:
            watch.close()

    def stop(self) -> None:
        self._stop.set()
        if self._kernel_watch is not None:
            self._kernel_watch.stop()
        if self._thread is not None:
            self._thread.join(timeout=settings.CHANGE_WATCH_STOP_S)
            self._thread = None

    def _run_polling(self) -> None:
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
                force_polling=True,
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
