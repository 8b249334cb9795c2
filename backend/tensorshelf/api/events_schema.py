"""The events the UI receives (`{type, payload}`, docs/API.md "Events"): type → payload model.

Job and library events reuse the jobs package's payload models; the two the shell and the
network layer publish are defined here. `scripts/gen-types` turns this table into the
`ShelfEvents` map of `frontend/src/types/pywebview.d.ts`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from tensorshelf.jobs.models import (
    EVENT_JOB_DONE,
    EVENT_JOB_ITEM_DONE,
    EVENT_JOB_PROGRESS,
    EVENT_LIBRARY_CHANGED,
    EVENT_LIBRARY_WAITING,
    JobDone,
    JobItemDone,
    JobProgress,
    LibraryChanged,
)
from tensorshelf.library.writer_lock import LockWait

EVENT_FILES_DROPPED = "files.dropped"
EVENT_NETWORK_STATUS = "network.status"


class FilesDropped(BaseModel):
    """Payload of `files.dropped`: absolute paths of the files and folders dropped on the
    desktop window (resolved in Python; the page itself never sees full paths)."""

    paths: list[str]


class NetworkStatus(BaseModel):
    """Payload of `network.status`: one host's state changed (`online` is false while the
    Hugging Face host is offline: the window shows "Offline — using cached data")."""

    online: bool
    host: str | None = None
    state: Literal["ok", "degraded", "offline"] = "ok"
    reason: str = ""
    since: str | None = None


# event type → (TypeScript name of the payload, payload model)
EVENT_PAYLOADS: dict[str, tuple[str, type[BaseModel]]] = {
    EVENT_JOB_PROGRESS: ("JobProgressEvent", JobProgress),
    EVENT_JOB_ITEM_DONE: ("JobItemDoneEvent", JobItemDone),
    EVENT_JOB_DONE: ("JobDoneEvent", JobDone),
    EVENT_LIBRARY_CHANGED: ("LibraryChangedEvent", LibraryChanged),
    EVENT_LIBRARY_WAITING: ("LibraryWaitingEvent", LockWait),
    EVENT_FILES_DROPPED: ("FilesDroppedEvent", FilesDropped),
    EVENT_NETWORK_STATUS: ("NetworkStatusEvent", NetworkStatus),
}
