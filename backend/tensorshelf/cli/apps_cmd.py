"""`tensorshelf apps add|list|rm` and `tensorshelf sync`: register apps and link the library
into them (thin adapters over ShelfApi)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tensorshelf.cli.output import confirm_or_fail, emit, fail, handle_errors, plain
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.mapping.config.edits import AppRules
    from tensorshelf.mapping.sync.apply import SyncResult
    from tensorshelf.mapping.sync.plan import SyncPlan

apps_app = typer.Typer(help="Register apps (ComfyUI, A1111/Forge, LM Studio, a folder).")

PREVIEW_ROWS = 10


def _print_results(c: Console, results: list[SyncResult]) -> None:
    for r in results:
        c.print(
            f"{plain(r.app_id)}: {r.created} linked, {r.removed} removed, {r.already_ok} already "
            f"linked, {r.conflicts} conflict(s), {r.not_mapped} not mapped"
        )
        for e in r.errors:
            c.print(f"  [red]error[/] {plain(e.message)}")


@apps_app.command("add")
@handle_errors
def apps_add(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The app's install folder.")],
    kind: Annotated[
        str | None, typer.Option("--kind", help="comfyui, a1111, lmstudio or folder.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    method: Annotated[str, typer.Option("--method", help="links or extra-paths.")] = "links",
) -> None:
    """Register an app and run its first sync (prints what it linked)."""
    state = get_state(ctx)
    api = state.api(create=True)
    if kind not in (None, "comfyui", "a1111", "lmstudio", "folder"):
        fail(state, "invalid_argument", f"unknown kind {kind!r}: comfyui, a1111, lmstudio, folder")
    if method not in ("links", "extra-paths"):
        fail(state, "invalid_argument", f"unknown method {method!r}: links or extra-paths")
    added = api.add_app(path=path, kind=kind, name=name, method=method)  # type: ignore[arg-type]

    def human(c: Console) -> None:
        app = added.app
        version = f" {app.version}" if app.version else ""
        c.print(
            f"registered {plain(app.name)} ({app.id}: {app.kind}{version}) at {plain(app.root)}"
        )
        if app.method == "extra-paths":
            c.print(
                f"links go into {plain(app.models_dir)}, named in the Tensorshelf group of "
                f"{plain(str(Path(app.root) / 'extra_model_paths.yaml'))} (restart ComfyUI)"
            )
        _print_results(c, added.sync)

    emit(state, {"ok": True, **added.model_dump(mode="json")}, human)


@apps_app.command("list")
@handle_errors
def apps_list(ctx: typer.Context) -> None:
    """The registered apps."""
    state = get_state(ctx)
    apps = state.api().list_apps()

    def human(c: Console) -> None:
        if not apps:
            c.print("no apps registered (tensorshelf apps add PATH)")
        for a in apps:
            version = f" {a.version}" if a.version else ""
            c.print(f"{a.id}  {a.kind}{version}  {plain(a.root)}  ({a.method})")

    emit(state, {"ok": True, "apps": [a.model_dump(mode="json") for a in apps]}, human)


@apps_app.command("rm")
@handle_errors
def apps_rm(
    ctx: typer.Context,
    app: Annotated[str, typer.Argument(help="App id or name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Unregister an app, removing only the links Tensorshelf made in it."""
    state = get_state(ctx)
    api = state.api()
    if not yes:
        confirm_or_fail(
            state,
            f"Remove {app} and the links Tensorshelf made in it?",
            "remove an app",
            "nothing removed",
        )
    removed = api.remove_app(ref=app)

    def human(c: Console) -> None:
        c.print(
            f"removed {plain(removed.app.name)}: {removed.links_removed} link(s) removed, "
            f"{removed.links_kept} left alone (no longer ours)"
        )

    emit(state, {"ok": True, **removed.model_dump(mode="json")}, human)


def _print_rules(c: Console, rules: AppRules) -> None:
    for view in rules.rules:
        rule = view.rule
        state = "on " if rule.enabled else "off"
        origin = "yours" if view.edited else view.source.removeprefix("shipped:")
        c.print(f"{state}  {rule.name:<22} → {plain(rule.target_subdir):<28} ({plain(origin)})")
    for p in rules.problems:
        c.print(f"  [yellow]config skipped[/] {plain(p.message)}")


@apps_app.command("rules")
@handle_errors
def apps_rules(
    ctx: typer.Context, app: Annotated[str, typer.Argument(help="App id or name.")]
) -> None:
    """The app's mapping rules: on/off, target folder, and where each comes from."""
    state = get_state(ctx)
    rules = state.api().get_rules(app=app)
    emit(state, {"ok": True, **rules.model_dump(mode="json")}, lambda c: _print_rules(c, rules))


@apps_app.command("rule")
@handle_errors
def apps_rule(
    ctx: typer.Context,
    app: Annotated[str, typer.Argument(help="App id or name.")],
    name: Annotated[str, typer.Argument(help="The rule's name (see `apps rules`).")],
    enable: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Turn the rule on or off.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Its folder, relative to the app's.")
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Undo this app's change (the default applies).")
    ] = False,
) -> None:
    """Change one rule for this app (saved as its user config); `sync` applies it."""
    from tensorshelf.mapping.config.edits import RuleEdit

    state = get_state(ctx)
    api = state.api()
    if reset:
        if enable is not None or target is not None:
            fail(state, "invalid_argument", "--reset cannot be combined with other changes")
        rules = api.reset_rule(app=app, name=name)
    else:
        if enable is None and target is None:
            fail(
                state,
                "invalid_argument",
                "nothing to change: --enable/--disable, --target or --reset",
            )
        rules = api.edit_rule(
            app=app, name=name, edit=RuleEdit(enabled=enable, target_subdir=target)
        )
    emit(state, {"ok": True, **rules.model_dump(mode="json")}, lambda c: _print_rules(c, rules))


def _plan_document(plans: list[SyncPlan]) -> dict[str, Any]:
    def one(p: SyncPlan) -> dict[str, Any]:
        data = p.model_dump(mode="json", exclude={"adopt"})
        data["already_ok"] = p.already_ok
        return data

    if len(plans) == 1:
        return {"ok": True, "plan": one(plans[0])}
    return {"ok": True, "plans": [one(p) for p in plans]}


def _print_plan(c: Console, plan: SyncPlan) -> None:
    c.print(
        f"{plain(plan.app_id)}: {len(plan.to_create)} to link, {plan.already_ok} already linked, "
        f"{len(plan.conflicts)} conflict(s), {len(plan.to_remove)} to remove, "
        f"{len(plan.not_mapped)} not mapped"
    )
    for title, rows in (
        ("link", [f"{a.target}  ← {a.source}" + (f"  ({a.note})" if a.note else "")
                  for a in plan.to_create]),
        ("conflict", [f"{x.target}: {x.message}" for x in plan.conflicts]),
        ("remove", [f"{a.target}  ({a.note})" for a in plan.to_remove]),
        ("not mapped", [f"{n.name}: {n.reason}" for n in plan.not_mapped]),
    ):  # fmt: skip
        for row in rows[:PREVIEW_ROWS]:
            c.print(f"  {title}: {plain(row)}")
        if len(rows) > PREVIEW_ROWS:
            c.print(f"  … and {len(rows) - PREVIEW_ROWS} more")
    for w in plan.warnings:
        c.print(f"  [yellow]warning[/] {plain(w)}")
    for p in plan.problems:
        c.print(f"  [yellow]config skipped[/] {plain(p.message)}")


@handle_errors
def sync_cmd(
    ctx: typer.Context,
    apps: Annotated[
        list[str] | None, typer.Argument(help="Apps to sync (default: every registered app).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; change nothing.")
    ] = False,
    resolve: Annotated[
        list[str] | None,
        typer.Option(
            "--resolve",
            help="TARGET=skip|rename|replace for a conflict (repeatable; TARGET as the plan "
            "shows it, or APP:TARGET). replace moves your file aside to <name>.old.",
        ),
    ] = None,
) -> None:
    """Link every model of the library into the registered apps (no byte duplicated)."""
    state = get_state(ctx)
    api = state.api()
    refs = list(apps or []) or None
    if dry_run:
        plans = api.plan_sync(apps=refs)

        def human_plan(c: Console) -> None:
            if not plans:
                c.print("no apps registered (tensorshelf apps add PATH)")
            for p in plans:
                _print_plan(c, p)

        emit(state, _plan_document(plans), human_plan)
        return
    resolutions: dict[str, Any] = {}
    for item in resolve or []:
        target, _, how = item.rpartition("=")
        if not target or how not in ("skip", "rename", "replace"):
            fail(state, "invalid_argument", f"--resolve {item!r}: use TARGET=skip|rename|replace")
        resolutions[target] = how
    from tensorshelf.cli.import_cmd import job_outcome_or_fail
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.mapping.sync.apply import SyncResult

    done = run_job(api, lambda: api.start_sync(apps=refs, resolutions=resolutions or None))
    job_outcome_or_fail(state, done)
    results = [SyncResult.model_validate(r) for r in (done.result or {}).get("results", [])]
    emit(
        state,
        {
            "ok": not any(r.errors for r in results),
            "job_id": done.job_id,
            "results": [r.model_dump(mode="json") for r in results],
        },
        lambda c: _print_results(c, results),
    )


@handle_errors
def doctor_cmd(
    ctx: typer.Context,
    fix: Annotated[bool, typer.Option("--fix", help="Repair what is ours to repair.")] = False,
) -> None:
    """Check links, registry, apps and models; --fix repairs (never a file of yours)."""
    state = get_state(ctx)
    findings = state.api().doctor(fix=fix)

    def human(c: Console) -> None:
        for category, items in findings:
            for item in items:
                if category in findings.INFORMATIONAL:
                    mark = "[dim]note[/]"
                else:
                    mark = "[green]fixed[/]" if item.fixed else "[yellow]found[/]"
                c.print(f"{mark} {category}: {plain(item.path)} — {plain(item.detail)}")
        if findings.problems() == 0:
            c.print("[green]healthy[/]: nothing to repair")

    emit(
        state, {"ok": findings.problems() == 0, "findings": findings.model_dump(mode="json")}, human
    )
    if findings.problems():
        raise typer.Exit(1)


@handle_errors
def links_cmd(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="Model id, short id or path.")],
    app: Annotated[
        str | None, typer.Option("--app", help="The app to change this model's choice for.")
    ] = None,
    exclude: Annotated[
        bool | None,
        typer.Option("--exclude/--include", help="Keep it out of the app, or link it there."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Its link's file name in that app.")
    ] = None,
    default_name: Annotated[
        bool, typer.Option("--default-name", help="Back to the model's own file name.")
    ] = False,
) -> None:
    """Where a model is linked in each app; with --app, change that (overrides.json)."""
    state = get_state(ctx)
    api = state.api()
    if app is None:
        if exclude is not None or name is not None or default_name:
            fail(state, "invalid_argument", "name the app to change with --app")
        links = api.get_model_links(ref=model)
    else:
        current = next(
            (a for a in api.get_model_links(ref=model).apps if app in (a.app_id, a.app_name)),
            None,
        )
        keep_out = exclude if exclude is not None else bool(current and current.exclude)
        target = None if default_name else (name or (current.target_name if current else None))
        links = api.set_link_choice(ref=model, app=app, exclude=keep_out, target_name=target)

    def human(c: Console) -> None:
        if links.problem:
            c.print(f"[yellow]warning[/] {plain(links.problem)}")
        if not links.apps:
            c.print("no apps registered (tensorshelf apps add PATH)")
        for a in links.apps:
            state_text = "kept out" if a.exclude else ", ".join(a.links) or "not linked"
            named = f" (named {a.target_name})" if a.target_name else ""
            c.print(f"{plain(a.app_id)}: {plain(state_text)}{plain(named)}")

    emit(state, {"ok": True, **links.model_dump(mode="json")}, human)


@handle_errors
def relocate_cmd(
    ctx: typer.Context,
    old: Annotated[
        str | None,
        typer.Argument(
            help="Where the folders were (a path prefix; default: the library's old place)."
        ),
    ] = None,
    new: Annotated[
        str | None, typer.Argument(help="Where they are now (default: the library's place).")
    ] = None,
) -> None:
    """After moving folders or remounting a drive: re-point apps and the links made for the
    old place. Without arguments: the library's move that Tensorshelf noticed."""
    state = get_state(ctx)
    api = state.api()
    if old is None or new is None:
        status = api.get_status()
        if old is not None or status.moved_from is None:
            fail(
                state,
                "invalid_argument",
                "name OLD and NEW (the library has not moved since links were made)",
            )
        old, new = status.moved_from, status.library_root
    relocated = api.relocate(old=old, new=new)
    emit(
        state,
        {"ok": True, **relocated.model_dump(mode="json")},
        lambda c: c.print(
            f"{len(relocated.apps)} app(s) re-pointed, {relocated.links_repointed} "
            "link(s) re-made for the new place"
        ),
    )
