"""`inspect`: what a file or folder is, from its headers alone (no library needed).

A plain folder holding several models is grouped and planned as an import would group it
(every model detected, on every core); anything else is one detection."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.detect import detect_path
from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import InvalidModelFile
from tensorshelf.library.importing.entries import rejection
from tensorshelf.library.importing.grouping import Grouping, group_paths
from tensorshelf.library.importing.planning import detection_target, plan_import
from tensorshelf.library.models import InspectedModel, InspectResult


def inspect_path(path: str) -> InspectResult:
    """What a file or folder is, from its header alone (needs no library). A plain folder
    holding several models gets every one of them (`models`, grouped as an import would)."""
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        grouping = group_paths([target])
        if len(grouping.units) > 1:
            return _inspect_folder(target, grouping)
    return InspectResult(path=str(target), detection=detect_path(target))


def _inspect_folder(folder: Path, grouping: Grouping) -> InspectResult:
    # No library: headers only, detected on every core.
    plan = plan_import([str(folder)], grouping=grouping)
    models: list[InspectedModel] = []
    rejected: list[ErrorInfo] = []
    for item in plan.items:
        where = str(detection_target(item))
        if item.error is None and item.detection is not None:
            models.append(
                InspectedModel(
                    path=where,
                    name=item.name,
                    model_format=item.model_format,
                    detection=item.detection,
                    warnings=item.warnings,
                )
            )
        elif item.error is not None:
            rejected.append(item.error.model_copy(update={"details": {"path": where}}))
        else:
            reason = next((w for w in item.warnings if "classify" in w), "could not classify")
            rejected.append(rejection(where, reason))
    rejected.extend(plan.rejected)
    if not models:
        raise InvalidModelFile(
            f"{folder.name}: no model file found in this folder",
            file=str(folder),
            rejected=[r.model_dump() for r in rejected],
        )
    return InspectResult(path=str(folder), models=models, rejected=rejected)
