import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import type {
  AppInstall,
  JobDoneEvent,
  JobProgressEvent,
  MappingRule,
  RuleView,
  SyncPlan,
} from "../../api/types";
import { createFakeBridge } from "../../test/fakeBridge";
import { facetCounts } from "../../test/factories";
import { renderWithBridge } from "../../test/render";

const APP: AppInstall = {
  id: "comfyui",
  name: "ComfyUI",
  kind: "comfyui",
  root: "/apps/ComfyUI",
  models_dir: "/apps/ComfyUI/models",
  method: "links",
  version: "0.38.1",
  flavour: "git",
  variant: "default",
  added_at: "2026-12-01T00:00:00Z",
};

function plan(over: Partial<SyncPlan> = {}): SyncPlan {
  return {
    app_id: "comfyui",
    to_create: Array.from({ length: 12 }, (_, i) => ({
      model_id: `m${i}`,
      target: `loras/lora-${i}.safetensors`,
      source: `diffusion/sdxl/lora-${i}/lora-${i}.safetensors`,
      kind: "relative",
      sha256: null,
      note: "",
    })),
    already_ok: 3,
    conflicts: [
      {
        model_id: "m99",
        target: "vae/sdxl_vae.safetensors",
        source: "diffusion/sdxl/vae/sdxl_vae.safetensors",
        reason: "user_file",
        message: "a file of yours",
        kind: "relative",
      },
    ],
    to_remove: [],
    not_mapped: [],
    adopt: [],
    warnings: [],
    problems: [],
    ...over,
  };
}

function rules(): RuleView[] {
  return ["checkpoints", "loras"].map((name) => ({
    rule: {
      name,
      description: "",
      target_subdir: name,
      patterns: ["*.safetensors"],
      filters: {
        model_type: null,
        subtype: [name],
        family: null,
        model_format: null,
        format: null,
        tags_any: null,
        exclude_tags: null,
        min_size: null,
        max_size: null,
      },
      target_kind: "file",
      enabled: true,
      priority: 10,
    },
    source: "shipped:comfyui.json",
    edited: false,
  }));
}

const syncDone: JobDoneEvent = {
  job_id: "j-sync",
  kind: "sync",
  status: "done",
  result: {
    results: [
      {
        app_id: "comfyui",
        created: 12,
        removed: 0,
        adopted: 0,
        already_ok: 3,
        conflicts: 1,
        not_mapped: 0,
        errors: [],
      },
    ],
  },
  error: null,
  problems: 0,
  bytes_read: null,
};

function setup(apps: AppInstall[], plans: SyncPlan[]) {
  const calls: string[] = [];
  const bridge = createFakeBridge({
    get_status: () => ({
      version: "0.1.0",
      home: "/h",
      library_root: "/lib",
      model_count: 0,
      bridge: "web",
      staging_swept: [],
      read_only: false,
      shared_filesystem: null,
      moved_from: null,
    }),
    list_models: () => ({ total: 0, models: [] }),
    get_facets: () => facetCounts(),
    list_jobs: () => [],
    list_apps: () => apps,
    plan_sync: () => plans,
    doctor: ({ fix }) => {
      calls.push(fix ? "repair" : "doctor");
      const none = {
        broken_links: [],
        missing_links: [],
        unregistered_links: [],
        foreign_links: [],
        shadowed: [],
        ghost_apps: [],
        phantom_models: [],
        offline_roots: [],
        app_configs: [],
        sandbox: [],
      };
      return {
        ...none,
        missing_links: [
          {
            app_id: "comfyui",
            path: "/apps/ComfyUI/models/loras/x.safetensors",
            detail: "recorded, but the link is gone",
            model_id: "m1",
            fixed: !!fix,
          },
        ],
      };
    },
    start_sync: ({ resolutions }) => {
      calls.push(`sync ${JSON.stringify(resolutions ?? {})}`);
      setTimeout(() => {
        bridge.emit("job.progress", {
          job_id: "j-sync",
          kind: "sync",
          items_done: 6,
          items_total: 13,
          bytes_done: 0,
          bytes_total: 0,
          rate_bps: 0,
          eta_s: null,
          item: null,
          title: null,
        } as JobProgressEvent);
        setTimeout(() => bridge.emit("job.done", syncDone), 50);
      }, 10);
      return { job_id: "j-sync" };
    },
    detect_app: ({ path }) => ({
      kind: "comfyui",
      root: path,
      models_dir: `${path}/models`,
      version: "0.38.1",
      flavour: "git",
      evidence: [],
    }),
    add_app: ({ path, method, sync }) => {
      calls.push(`add ${path}${method === "extra-paths" ? " extra-paths" : ""}`);
      if (sync !== false) throw new Error("the window registers first and previews");
      return { app: { ...APP, root: path }, sync: [] };
    },
    get_rules: ({ app }) => ({
      app_id: app,
      rules: rules(),
      problems: [],
      config_path: "/h/mapping/app-comfyui.json",
    }),
    edit_rule: ({ name, edit }) => {
      calls.push(`edit ${name} ${JSON.stringify(edit)}`);
      return {
        app_id: "comfyui",
        rules: rules().map((r) =>
          r.rule.name === name
            ? {
                ...r,
                rule: {
                  ...r.rule,
                  ...(Object.fromEntries(
                    Object.entries(edit).filter(([, v]) => v != null),
                  ) as Partial<MappingRule>),
                },
                edited: true,
              }
            : r,
        ),
        problems: [],
        config_path: "/h/mapping/app-comfyui.json",
      };
    },
  });
  renderWithBridge(<App />, bridge);
  return { bridge, calls };
}

describe("Sync", () => {
  it("badges the button, previews the plan with its conflict, and applies it", async () => {
    const user = userEvent.setup();
    const { calls } = setup([APP], [plan()]);
    expect((await screen.findByTestId("sync-badge")).textContent).toBe("13");
    await user.click(screen.getByTestId("sync-button"));
    const dialog = await screen.findByTestId("sync-dialog");
    const view = within(dialog).getByTestId("sync-plan");
    expect(view.textContent).toContain("12 to link");
    expect(view.textContent).toContain("… and 2 more");
    expect(view.textContent).toContain("vae/sdxl_vae.safetensors — your file is there");
    await user.selectOptions(within(dialog).getByTestId("conflict-choice"), "replace");
    await user.click(within(dialog).getByTestId("apply-sync"));
    await waitFor(() =>
      expect(calls).toContain('sync {"comfyui:vae/sdxl_vae.safetensors":"replace"}'),
    );
    const progress = await within(dialog).findByTestId("sync-progress");
    await waitFor(() => expect(progress.textContent).toContain("6 of 13"));
    expect(await screen.findByText("Sync finished")).toBeTruthy();
    expect(screen.getByText("12 linked, 0 removed, 1 conflicts left alone")).toBeTruthy();
    await waitFor(() => expect(within(dialog).queryByTestId("sync-progress")).toBeNull());
  });

  it("shows what doctor found and repairs it", async () => {
    const user = userEvent.setup();
    const { calls } = setup([APP], [plan({ to_create: [], conflicts: [] })]);
    await user.click(await screen.findByTestId("sync-button"));
    const health = await screen.findByTestId("health");
    expect(health.textContent).toContain("1 problems found");
    expect(health.textContent).toContain("Missing links");
    await user.click(within(health).getByTestId("repair"));
    await waitFor(() => expect(calls).toContain("repair"));
  });

  it("names link problems in the sidebar's attention rows, which open Sync", async () => {
    const user = userEvent.setup();
    const { calls } = setup([APP], [plan({ to_create: [], conflicts: [] })]);
    const row = await screen.findByTestId("link-problem-links");
    expect(row.textContent).toContain("Broken links");
    expect(row.textContent).toContain("1");
    expect(row.getAttribute("aria-pressed")).toBeNull(); // opens something: not a toggle
    expect(calls.filter((c) => c === "doctor")).toHaveLength(1); // the Sync dot's query, shared
    await user.click(row);
    expect(await screen.findByTestId("health")).toBeTruthy();
  });

  it("has no link rows while no app is registered", async () => {
    const { calls } = setup([], [plan({ to_create: [], conflicts: [] })]);
    await screen.findByTestId("sync-button");
    expect(screen.queryByTestId("link-problem-links")).toBeNull();
    expect(calls).not.toContain("doctor");
  });

  it("says no changes are needed when the plan is empty", async () => {
    const user = userEvent.setup();
    setup([APP], [plan({ to_create: [], conflicts: [] })]);
    await user.click(await screen.findByTestId("sync-button"));
    const apply = await screen.findByTestId("apply-sync");
    expect(apply.textContent).toBe("No changes needed");
    expect((apply as HTMLButtonElement).disabled).toBe(true);
  });

  it("registers an app from a typed path after showing what it is", async () => {
    const user = userEvent.setup();
    const { calls } = setup([], []);
    await user.click(await screen.findByTestId("sync-button"));
    await user.type(await screen.findByTestId("app-path"), "/apps/ComfyUI{Enter}");
    expect((await screen.findByTestId("app-found")).textContent).toContain("ComfyUI 0.38.1");
    await user.click(screen.getByTestId("add-app"));
    await waitFor(() => expect(calls).toContain("add /apps/ComfyUI"));
  });

  it("registers a ComfyUI through its extra_model_paths.yaml when asked", async () => {
    const user = userEvent.setup();
    const { calls } = setup([], []);
    await user.click(await screen.findByTestId("sync-button"));
    await user.type(await screen.findByTestId("app-path"), "/apps/ComfyUI{Enter}");
    await user.selectOptions(await screen.findByTestId("app-method"), "extra-paths");
    expect(screen.getByTestId("app-found").textContent).toContain("extra_model_paths.yaml");
    await user.click(screen.getByTestId("add-app"));
    await waitFor(() => expect(calls).toContain("add /apps/ComfyUI extra-paths"));
  });

  it("edits an app's rules and refetches the plan preview", async () => {
    const user = userEvent.setup();
    const { bridge, calls } = setup([APP], [plan()]);
    let planned = 0;
    const planSync = bridge.handlers.plan_sync!;
    bridge.handlers.plan_sync = (args) => {
      planned += 1;
      return planSync(args);
    };
    await user.click(await screen.findByTestId("sync-button"));
    await user.click(await screen.findByTestId("show-rules"));
    const loras = await screen.findByLabelText("Use the rule loras");
    const before = planned;
    await user.click(loras);
    await waitFor(() => expect(calls).toContain('edit loras {"enabled":false}'));
    await waitFor(() => expect(planned).toBeGreaterThan(before));
    const folder = screen.getByLabelText("Folder for checkpoints");
    await user.clear(folder);
    await user.type(folder, "Stable-diffusion{Enter}");
    await waitFor(() =>
      expect(calls).toContain('edit checkpoints {"target_subdir":"Stable-diffusion"}'),
    );
    const row = (await screen.findAllByTestId("rule")).find(
      (r) => r.dataset.rule === "checkpoints",
    )!;
    expect(within(row).getByTestId("rule-reset")).toBeTruthy();
  });

  it("offers to relocate an app whose folder is gone", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([APP], [plan({ to_create: [], conflicts: [] })]);
    const calls: unknown[] = [];
    bridge.handlers.doctor = () => ({
      broken_links: [],
      missing_links: [],
      unregistered_links: [],
      foreign_links: [],
      shadowed: [],
      ghost_apps: [
        { app_id: "comfyui", path: "/old/ComfyUI", detail: "gone", model_id: null, fixed: false },
      ],
      phantom_models: [],
      offline_roots: [],
      app_configs: [],
      sandbox: [],
    });
    bridge.handlers.relocate = (args) => {
      calls.push(args);
      return { apps: ["comfyui"], links_repointed: 0 };
    };
    await user.click(await screen.findByTestId("sync-button"));
    const form = await screen.findByTestId("relocate");
    await user.type(within(form).getByLabelText("New folder"), "/new/ComfyUI");
    await user.click(within(form).getByRole("button", { name: "Relocate" }));
    await waitFor(() => expect(calls).toEqual([{ old: "/old/ComfyUI", new: "/new/ComfyUI" }]));
  });
});
