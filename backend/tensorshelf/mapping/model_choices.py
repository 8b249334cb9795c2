"""MappingService's per-model choices (a mixin): where one model is linked in each app, and
its overrides.json — kept out of an app or linked under another name — written under the
writer lock and journaled, so the incremental sync and other windows follow."""

from __future__ import annotations

from pydantic import ValidationError

from tensorshelf.errors import InvalidArgument
from tensorshelf.library.changes import record_change
from tensorshelf.library.service import LibraryService
from tensorshelf.mapping.apps.store import AppsStore
from tensorshelf.mapping.config.overrides import (
    AppLinkChoice,
    AppOverride,
    ModelLinks,
    Overrides,
    read_overrides,
    write_overrides,
)
from tensorshelf.mapping.links.registry import Registry


class ModelChoices:
    library: LibraryService
    apps: AppsStore
    registry: Registry

    def model_links(self, ref: str) -> ModelLinks:
        """Where the model is linked in each app, and its overrides.json choices."""
        model_id = self.library.model_id(ref)
        overrides = read_overrides(self.library.model_dir(ref))
        rows = self.registry.for_model(model_id)
        choices = []
        for app in self.apps.list():
            choice = overrides.for_app(app) if isinstance(overrides, Overrides) else None
            choices.append(
                AppLinkChoice(
                    app_id=app.id,
                    app_name=app.name,
                    exclude=bool(choice and choice.exclude),
                    target_name=choice.target_name if choice else None,
                    links=sorted(r.target for r in rows if r.app_id == app.id),
                )
            )
        problem = overrides if isinstance(overrides, str) else None
        return ModelLinks(model_id=model_id, apps=choices, problem=problem)

    def set_link_choice(
        self, ref: str, app_ref: str, exclude: bool = False, target_name: str | None = None
    ) -> ModelLinks:
        """Keep the model out of one app, or link it there (under `target_name`): written to
        its overrides.json; the incremental sync that follows the change applies it."""
        model_id, _changed = self.choose_link(ref, app_ref, exclude, target_name)
        return self.model_links(model_id)

    def choose_link(
        self, ref: str, app_ref: str, exclude: bool = False, target_name: str | None = None
    ) -> tuple[str, bool]:
        """`set_link_choice` without the links view (many models at once): the model id and
        whether its overrides.json changed — a choice already made is not written again."""
        app = self.apps.get(app_ref)
        self.library.writable("change where a model is linked")
        try:
            choice = AppOverride(exclude=exclude, target_name=target_name or None)
        except ValidationError as exc:
            raise InvalidArgument(
                f"{target_name!r}: {exc.errors()[0]['msg']}", target_name=target_name
            ) from exc
        with self.library.writer.hold(f"changing where {ref} is linked"):
            model_id = self.library.model_id(ref)
            model_dir = self.library.model_dir(ref)
            current = read_overrides(model_dir)
            if isinstance(current, str):
                raise InvalidArgument(f"{current}: fix or delete it first", path=str(model_dir))
            overrides = current or Overrides()
            before = overrides.model_dump()
            kind_wide = app.kind != app.id and app.kind in overrides.apps
            if choice.exclude or choice.target_name or kind_wide:
                overrides.apps[app.id] = choice  # the app's own entry wins over its kind's
            else:
                overrides.apps.pop(app.id, None)  # the default: nothing to say
            if overrides.model_dump() == before:
                return model_id, False
            write_overrides(model_dir, overrides)
            record_change(
                self.library.root,
                "edit",
                {model_id: model_dir.relative_to(self.library.root).as_posix()},
            )
        return model_id, True
