"""Per-file progress of one import, pushed as `ImportProgress` (never polled).

`bytes_done` is cumulative per file. A stage change is always reported; byte updates at
most every PROGRESS_MIN_INTERVAL_S (the io layer already throttles its deltas too)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from tensorshelf import settings
from tensorshelf.io.types import ProgressFn
from tensorshelf.library.models import ImportProgress, ImportStage

log = logging.getLogger(__name__)

ProgressCallback = Callable[[ImportProgress], None]


class ImportReporter:
    def __init__(
        self,
        key: str,
        callback: ProgressCallback | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = key
        self._callback = callback
        self._clock = clock
        self.stage_name: ImportStage = "queued"

    def _emit(self, progress: ImportProgress) -> None:
        if self._callback is None:
            return
        try:
            self._callback(progress)
        except Exception:
            log.warning("import progress listener failed", exc_info=True)

    def stage(
        self, stage: ImportStage, file: str = "", bytes_done: int = 0, bytes_total: int = 0
    ) -> None:
        self.stage_name = stage
        self._emit(
            ImportProgress(
                key=self.key, file=file, stage=stage, bytes_done=bytes_done, bytes_total=bytes_total
            )
        )

    def bytes(self, stage: ImportStage, file: str, total: int) -> ProgressFn:
        """A byte-delta callback for one file in `stage`; announces the stage at once."""
        self.stage(stage, file, 0, total)
        started = self._clock()
        done, last = 0, started

        def on_delta(delta: int) -> None:
            nonlocal done, last
            done += delta
            now = self._clock()
            if now - last < settings.PROGRESS_MIN_INTERVAL_S and done < total:
                return
            last = now
            elapsed = now - started
            rate = done / elapsed if elapsed > 0 else 0.0
            remaining = max(total - done, 0)
            self._emit(
                ImportProgress(
                    key=self.key,
                    file=file,
                    stage=stage,
                    bytes_done=done,
                    bytes_total=total,
                    rate_bps=rate,
                    eta_s=remaining / rate if rate > 0 else None,
                )
            )

        return on_delta
