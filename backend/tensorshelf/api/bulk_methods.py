"""ShelfApi's methods for a multi-selection (a mixin on the one API object): every id a
query matches ("select all results"), one edit applied to many models, and linking many
models into an app or keeping them out of it."""

from __future__ import annotations

from tensorshelf.errors import InvalidArgument, ShelfError
from tensorshelf.jobs.events import EventBus
from tensorshelf.jobs.models import EVENT_LIBRARY_CHANGED, LibraryChanged
from tensorshelf.library.bulk import BulkEdit, BulkFailure, BulkReport
from tensorshelf.library.query_models import ListQuery
from tensorshelf.library.service import LibraryService
from tensorshelf.mapping.service import MappingService


class BulkMethods:
    bus: EventBus
    service: LibraryService
    mapping: MappingService

    def list_model_ids(self, query: ListQuery | None = None) -> list[str]:
        """The id of every model the query matches, all pages (to select all results)."""
        return self.service.model_ids(query)

    def edit_models(self, refs: list[str], change: BulkEdit) -> BulkReport:
        """Add/remove tags, set the rating, add to/take out of collections — for every model
        named; one that cannot be changed is reported and the others go on."""
        report = self.service.edit_models(refs, change)
        self._changed(report)
        return report

    def set_link_choices(self, refs: list[str], app: str, exclude: bool) -> BulkReport:
        """Keep many models out of one app (`exclude`), or let them be linked there again;
        one incremental sync then applies the change to all of them."""
        if not refs:
            raise InvalidArgument("no model given")
        app_id = self.mapping.apps.get(app).id  # an unknown app fails before any change
        report = BulkReport()
        for ref in dict.fromkeys(refs):
            try:
                model_id, changed = self.mapping.choose_link(ref, app_id, exclude)
            except ShelfError as exc:
                report.failed.append(BulkFailure(ref=ref, error=exc.info()))
                continue
            (report.changed if changed else report.unchanged).append(model_id)
        if report.changed:
            self.mapping.sync(None, report.changed)
        self._changed(report)
        return report

    def _changed(self, report: BulkReport) -> None:
        if report.changed:
            self.bus.publish(
                EVENT_LIBRARY_CHANGED, LibraryChanged(ids=report.changed, reason="edit")
            )
