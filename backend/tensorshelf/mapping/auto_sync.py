"""Incremental sync in the background: after an import, edit, re-file or delete, sync just
those models into every registered app (no timer, no polling — it runs when asked). Requests
arriving while a sync runs are merged into the next one; `drain()` waits for the queue."""

from __future__ import annotations

import logging
import threading

from tensorshelf.mapping.service import MappingService

log = logging.getLogger(__name__)


class AutoSync:
    def __init__(self, mapping: MappingService) -> None:
        self.mapping = mapping
        self._cond = threading.Condition()
        self._pending: set[str] | None = set()
        self._asked = False
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="tensorshelf-auto-sync", daemon=True)
        self._thread.start()

    def request(self, model_ids: list[str] | None) -> None:
        with self._cond:
            if model_ids is None or self._pending is None:
                self._pending = None
            else:
                self._pending |= set(model_ids)
            self._asked = True
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._asked and not self._closed:
                    self._cond.wait()
                if not self._asked and self._closed:
                    return
                pending, self._pending, self._asked = self._pending, set(), False
                self._busy = True
            try:
                if self.mapping.list_apps():
                    ids = None if pending is None else sorted(pending)
                    for result in self.mapping.sync(None, ids):
                        log.info(
                            "synced %s: %d created, %d removed, %d conflicts",
                            result.app_id,
                            result.created,
                            result.removed,
                            result.conflicts,
                        )
            except Exception:
                log.exception("incremental sync failed")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued or running. False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._asked and not self._busy, timeout)

    def close(self, timeout: float | None = None) -> None:
        self.drain(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
