"""ShelfApi's history and statistics methods (a mixin on the one API object): the import
batches, undoing one, and the statistics view's numbers from the index, the link registry
and the import history."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from tensorshelf import settings
from tensorshelf.jobs import history
from tensorshelf.jobs.events import EventBus
from tensorshelf.jobs.history import ImportBatch, UndoReport
from tensorshelf.jobs.models import EVENT_LIBRARY_CHANGED, LibraryChanged
from tensorshelf.library.query_models import LibraryStats, UsageRow
from tensorshelf.library.service import LibraryService
from tensorshelf.mapping.service import MappingService

if TYPE_CHECKING:
    from tensorshelf.jobs.runner import JobRunner


class HistoryMethods:
    bus: EventBus
    service: LibraryService
    mapping: MappingService

    @property
    @abstractmethod
    def jobs(self) -> JobRunner: ...

    def list_history(self, limit: int = settings.HISTORY_LIMIT) -> list[ImportBatch]:
        """Every import batch, newest first: source folder, time, counts, its models."""
        return history.import_batches(self.jobs.store, self.service, limit)

    def get_import_batch(self, batch_id: str) -> ImportBatch:
        """One import batch by its id, or a unique start or end of it (the short reference
        `history` prints)."""
        return history.import_batch(self.jobs.store, self.service, batch_id)

    def undo_import(self, batch_id: str) -> UndoReport:
        """Remove exactly the models one import batch added (a moved model's files are
        put back where they were); sources and models it found already there stay."""
        self.service.writable("undo an import")
        report = history.undo_batch(
            self.jobs.store, self.service, batch_id, self.mapping.unlink_model
        )
        touched = [r.id for r in report.results]
        if touched:  # removed ones leave the list; a kept one is linked again by auto-sync
            self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=touched, reason="delete"))
        return report

    def get_stats(self) -> LibraryStats:
        """Disk use per type / family / format, the largest models, growth per month, the
        space linking saved in each app and the duplicates imports avoided."""
        stats = self.service.statistics()
        stats.linked = self._linked_savings()
        duplicates = history.duplicates_found(self.jobs.store)
        stats.duplicates_avoided = len(duplicates)
        stats.duplicate_bytes_avoided = self.service.sizes_of(duplicates)
        return stats

    def _linked_savings(self) -> list[UsageRow]:
        rows = []
        for app in self.mapping.list_apps():
            ids = self.mapping.linked_model_ids(app.id)
            rows.append(UsageRow(key=app.name, models=len(ids), bytes=self.service.sizes_of(ids)))
        return sorted(rows, key=lambda r: (-r.bytes, r.key))
