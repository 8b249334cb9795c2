import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App, buildListQuery } from "./App";
import type { AppSettings, FacetCounts, JobInfo, ListQuery, ModelSummary } from "./api/types";
import { EMPTY_FILTERS } from "./lib/filters";
import { createFakeBridge, type Handlers } from "./test/fakeBridge";
import { appSettings, errorInfo, jobInfo, planItem, rejected, summary } from "./test/factories";
import { renderWithBridge } from "./test/render";

const facets: FacetCounts = {
  model_type: { diffusion: 2, llm: 1 },
  subtype: { loras: 2 },
  family: { sdxl: 2, llama: 1 },
  precision: { fp16: 3 },
  format: { safetensors: 3 },
  tag: { style: 1 },
  security_tier: { safe: 3 },
  match_method: { none: 3 },
  integrity: { unverified: 3 },
  pending: 0,
  attention: 0,
  favorites: 0,
  unreadable: [],
};

function setup(
  models: ModelSummary[] = [],
  kind: "web" | "desktop" = "web",
  extra: Handlers = {},
  jobs: JobInfo[] = [],
) {
  const library = { models };
  const bridge = createFakeBridge(
    {
      get_status: () => ({
        version: "0.1.0",
        home: "/h",
        library_root: "/lib",
        model_count: library.models.length,
        bridge: kind,
        staging_swept: [],
        read_only: false,
        shared_filesystem: null,
        moved_from: null,
      }),
      list_models: ({ query }) => ({
        total: library.models.length,
        models: library.models.slice(
          query?.offset ?? 0,
          (query?.offset ?? 0) + (query?.limit ?? 200),
        ),
      }),
      get_facets: () => facets,
      list_jobs: () => jobs,
      plan_import: ({ paths }) => ({
        plan_id: "plan-1",
        items: paths.map((p) => planItem({ key: p, paths: [p], name: p.split("/").pop() ?? p })),
        rejected: [],
      }),
      ...extra,
    },
    kind,
  );
  const view = renderWithBridge(<App />, bridge);
  return { bridge, library, ...view };
}

function listQueries(bridge: ReturnType<typeof setup>["bridge"]): ListQuery[] {
  return bridge.callsOf("list_models").map((a) => a.query ?? {});
}

describe("App", () => {
  it("explains how to add models when the library is empty (web)", async () => {
    setup([], "web");
    const empty = await screen.findByTestId("empty-state");
    expect(empty).toHaveTextContent("Import from path");
    expect(screen.queryByTestId("add-files")).toBeNull();
  });

  it("offers Add files… / Add folder… on the desktop and imports what pick_paths returns", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([], "desktop", { pick_paths: () => ["/picked/a.safetensors"] });
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("Drop model files");
    expect(screen.queryByTestId("import-path-input")).toBeNull();
    await user.click(screen.getByTestId("add-folder"));
    expect(bridge.callsOf("pick_paths")).toEqual([{ folder: true }]);
    await screen.findByTestId("import-dialog");
    expect(bridge.callsOf("plan_import")).toEqual([{ paths: ["/picked/a.safetensors"] }]);
  });

  it("imports from a typed path in web mode", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([], "web");
    await user.type(screen.getByTestId("import-path-input"), "/data/my models/ü.safetensors");
    await user.click(screen.getByTestId("import-path-submit"));
    const dialog = await screen.findByTestId("import-dialog");
    expect(bridge.callsOf("plan_import")).toEqual([{ paths: ["/data/my models/ü.safetensors"] }]);
    await within(dialog).findByText("ü.safetensors");
  });

  it("opens the import dialog for a desktop drop (files.dropped) and ignores a second drop meanwhile", async () => {
    const { bridge } = setup([], "desktop");
    await screen.findByTestId("empty-state");
    act(() => bridge.emit("files.dropped", { paths: ["/x/a b.safetensors", "/x/readme.txt"] }));
    await screen.findByTestId("import-dialog");
    act(() => bridge.emit("files.dropped", { paths: ["/x/other.gguf"] }));
    expect(screen.getAllByTestId("import-dialog")).toHaveLength(1);
    expect(bridge.callsOf("plan_import")).toHaveLength(1);
  });

  it("lets the backend's plan say why a drop of only non-model files imports nothing", async () => {
    const { bridge } = setup([], "desktop", {
      plan_import: ({ paths }) => ({
        plan_id: "p1",
        items: [],
        rejected: paths.map((path) => rejected(path, "not a model file")),
      }),
    });
    await screen.findByTestId("empty-state");
    act(() => bridge.emit("files.dropped", { paths: ["/x/readme.txt", "/x/photo.png"] }));
    expect(await screen.findByTestId("import-nothing")).toHaveTextContent("No model files");
    expect(screen.getAllByTestId("import-rejected")).toHaveLength(2);
    expect(bridge.callsOf("plan_import")).toHaveLength(1);
    expect(screen.getByTestId("import-start")).toBeDisabled();
  });

  it("shows new models pushed by library.changed without a reload", async () => {
    const { bridge, library } = setup([summary(1)]);
    await waitFor(() => expect(screen.getAllByTestId("library-row")).toHaveLength(1));
    library.models = [summary(1), summary(2)];
    act(() =>
      bridge.emit("library.changed", { ids: ["id-00002"], reason: "import", elsewhere: false }),
    );
    await waitFor(() => expect(screen.getAllByTestId("library-row")).toHaveLength(2));
    expect(screen.getByTestId("model-count")).toHaveTextContent("2 models");
  });

  it("Refresh scans and shows a model another process added (no event reaches this window)", async () => {
    const user = userEvent.setup();
    const scan = {
      added: [],
      updated: [],
      removed: [],
      unchanged: 1,
      phantoms: [],
      errors: [],
      favorites: 0,
      unreadable: [],
      staging_swept: [],
    };
    const { bridge, library } = setup([summary(1)], "web", { scan: () => scan });
    await waitFor(() => expect(screen.getAllByTestId("library-row")).toHaveLength(1));
    library.models = [summary(1), summary(2)]; // e.g. `tensorshelf import` in a terminal
    await user.click(screen.getByTestId("refresh-button"));
    await waitFor(() => expect(screen.getAllByTestId("library-row")).toHaveLength(2));
    expect(bridge.callsOf("scan")).toHaveLength(1);
    expect(bridge.callsOf("plan_import")).toHaveLength(0);
  });

  it("refreshes quietly when the window regains focus, at most every 30 s — never on a timer", async () => {
    const scan = {
      added: [],
      updated: [],
      removed: [],
      unchanged: 1,
      phantoms: [],
      errors: [],
      favorites: 0,
      unreadable: [],
      staging_swept: [],
    };
    const { bridge, library } = setup([summary(1)], "web", { scan: () => scan });
    await waitFor(() => expect(screen.getAllByTestId("library-row")).toHaveLength(1));
    library.models = [summary(1), summary(2)];
    act(() => void window.dispatchEvent(new Event("focus")));
    expect(bridge.callsOf("scan")).toHaveLength(0); // too soon after start
    const now = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(now + 31_000);
    try {
      act(() => void window.dispatchEvent(new Event("focus")));
      await waitFor(() => expect(screen.getAllByTestId("library-row")).toHaveLength(2));
      act(() => void window.dispatchEvent(new Event("focus")));
      expect(bridge.callsOf("scan")).toHaveLength(1);
    } finally {
      clock.mockRestore();
    }
  });

  it("debounces the search into one list call", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([summary(1)]);
    await waitFor(() => expect(listQueries(bridge)).toHaveLength(1));
    await user.type(screen.getByTestId("search-input"), "Meta-Llama");
    await waitFor(() =>
      expect(listQueries(bridge).some((q) => q.text === "Meta-Llama")).toBe(true),
    );
    expect(listQueries(bridge).filter((q) => q.text)).toHaveLength(1);
  });

  it("shows the newest search's results even when an older answer arrives last", async () => {
    const user = userEvent.setup();
    let releaseOld: () => void = () => {};
    const { bridge } = setup([], "web", {
      list_models: ({ query }) => {
        const name = `Result for ${query?.text ?? "all"}`;
        const page = { total: 1, models: [summary(query?.text?.length ?? 0, { name })] };
        if (query?.text !== "pix") return page;
        return new Promise((resolve) => (releaseOld = () => resolve(page))); // slow
      },
    });
    await screen.findByText("Result for all");
    const box = screen.getByTestId("search-input");
    await user.type(box, "pix");
    await waitFor(() => expect(listQueries(bridge).some((q) => q.text === "pix")).toBe(true));
    await user.type(box, "el");
    await waitFor(() =>
      expect(screen.getByTestId("library-row")).toHaveTextContent("Result for pixel"),
    );
    act(() => releaseOld());
    await new Promise((r) => setTimeout(r, 50));
    const newest = screen.getByTestId("library-row");
    expect(newest).toHaveTextContent("Result for pixel");
    // the words the search matched are marked in the names
    expect(within(newest).getByText("pixel", { selector: "mark" })).toBeInTheDocument();
  });

  it("sorts a search by relevance until a column header is clicked", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([summary(1)]);
    await waitFor(() => expect(listQueries(bridge)).toHaveLength(1));
    expect(listQueries(bridge)[0].sort).toBe("name"); // no search: by name
    await user.type(screen.getByTestId("search-input"), "lumen");
    await waitFor(() => expect(listQueries(bridge).some((q) => q.text === "lumen")).toBe(true));
    expect(listQueries(bridge).find((q) => q.text === "lumen")?.sort).toBe("relevance");
    expect(screen.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "none");
    await user.click(screen.getByRole("button", { name: /^Size/ }));
    await waitFor(() =>
      expect(listQueries(bridge).at(-1)).toMatchObject({
        text: "lumen",
        sort: "size_bytes",
        descending: true,
      }),
    );
  });

  it("filters by a facet from the sidebar", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([summary(1)]);
    const familyFilters = await screen.findAllByTestId("filter-family");
    await user.click(familyFilters.find((b) => b.dataset.value === "llama") as HTMLElement);
    await waitFor(() => expect(listQueries(bridge).some((q) => q.family === "llama")).toBe(true));
    expect(familyFilters.find((b) => b.dataset.value === "llama")).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    // the sidebar's counts are asked for the current filter (in SQL, by the backend)
    await waitFor(() =>
      expect(
        bridge
          .callsOf("get_facets")
          .some((c) => (c as { query?: { family?: string } }).query?.family === "llama"),
      ).toBe(true),
    );
  });

  it("opens the detail panel from a row and closes it with Esc", async () => {
    const user = userEvent.setup();
    setup([summary(7)], "web", {
      get_model: () => {
        throw new Error("boom");
      },
    });
    await user.click(await screen.findByTestId("library-row"));
    expect(await screen.findByTestId("detail-panel")).toHaveTextContent("boom");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("detail-panel")).toBeNull();
  });

  it("gives keyboard focus back to the list row when the detail panel closes", async () => {
    const user = userEvent.setup();
    setup([summary(7), summary(8)], "web", { get_model: () => Promise.reject(new Error("boom")) });
    const rows = await screen.findAllByTestId("library-row");
    rows[1].focus();
    await user.keyboard("{Enter}");
    const panel = await screen.findByTestId("detail-panel");
    await user.click(within(panel).getByRole("button", { name: "Close details" }));
    await waitFor(() => expect(screen.getAllByTestId("library-row")[1]).toHaveFocus());
  });

  it("moves from the search box into the list with ArrowDown", async () => {
    const user = userEvent.setup();
    setup([summary(1), summary(2)]);
    await screen.findAllByTestId("library-row");
    await user.click(screen.getByTestId("search-input"));
    await user.keyboard("{ArrowDown}");
    expect(screen.getAllByTestId("library-row")[0]).toHaveFocus();
  });

  it("lists running and interrupted jobs with cancel and resume", async () => {
    const user = userEvent.setup();
    const jobs: JobInfo[] = [
      jobInfo({
        job_id: "run",
        kind: "import",
        status: "running",
        problems: 0,
        bytes_read: null,
        title: "Import 2 models",
        items_done: 1,
      }),
      jobInfo({
        job_id: "int",
        kind: "verify",
        status: "interrupted",
        problems: 0,
        bytes_read: null,
        title: "Verify library",
        items_done: 1,
      }),
    ];
    const { bridge } = setup(
      [],
      "web",
      {
        resume_jobs: ({ job_id }) => [{ job_id: job_id ?? "" }],
        cancel_job: ({ job_id }) => ({ ...jobs[0], job_id, status: "cancelled" }),
      },
      jobs,
    );
    // interrupted jobs are announced at start
    expect(await screen.findByText("1 interrupted job")).toBeInTheDocument();
    await user.click(screen.getByTestId("jobs-button"));
    const panel = screen.getByTestId("jobs-panel");
    await waitFor(() => expect(within(panel).getAllByTestId("job-row")).toHaveLength(2));
    await user.click(within(panel).getByRole("button", { name: "Resume" }));
    await waitFor(() => expect(bridge.callsOf("resume_jobs")).toEqual([{ job_id: "int" }]));
    await user.click(within(panel).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(bridge.callsOf("cancel_job")).toEqual([{ job_id: "run" }]));
  });

  it("the web path field asks for a full path instead of resolving against the server", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([], "web");
    const field = await screen.findByTestId("import-path-input");
    await user.type(field, "models/x.safetensors{Enter}");
    expect(await screen.findByTestId("import-path-problem")).toHaveTextContent("full path");
    expect(bridge.callsOf("plan_import")).toEqual([]);
  });

  it("pauses a running download and shows a paused one with Resume and Discard", async () => {
    const user = userEvent.setup();
    const jobs: JobInfo[] = [
      jobInfo({ job_id: "dl", kind: "download", status: "running", title: "Download a/b" }),
      jobInfo({
        job_id: "held",
        kind: "download",
        status: "interrupted",
        title: "Download c/d",
        error: errorInfo("paused; resume continues from where it stopped", {}, "paused"),
      }),
    ];
    const { bridge } = setup(
      [],
      "web",
      {
        pause_job: ({ job_id }) => ({ ...jobs[0], job_id, status: "interrupted" }),
        cancel_job: ({ job_id }) => ({ ...jobs[1], job_id, status: "cancelled" }),
      },
      jobs,
    );
    expect(await screen.findByText("1 paused download")).toBeInTheDocument();
    await user.click(screen.getByTestId("jobs-button"));
    const panel = screen.getByTestId("jobs-panel");
    const [running, paused] = await within(panel).findAllByTestId("job-row");
    expect(within(paused).getByText("paused")).toBeInTheDocument();
    expect(within(paused).queryByText(/resume continues/)).not.toBeInTheDocument();
    await user.click(within(running).getByRole("button", { name: "Pause" }));
    await waitFor(() => expect(bridge.callsOf("pause_job")).toEqual([{ job_id: "dl" }]));
    await user.click(within(paused).getByRole("button", { name: "Discard" }));
    await waitFor(() => expect(bridge.callsOf("cancel_job")).toEqual([{ job_id: "held" }]));
  });

  it("Esc closes the jobs popover (even after a row's button went away) and focus returns to Jobs", async () => {
    const user = userEvent.setup();
    const running = jobInfo({
      job_id: "run",
      kind: "verify",
      status: "running",
      problems: 0,
      bytes_read: null,
      title: "Verify 1 model",
    });
    const jobs: JobInfo[] = [running];
    const { bridge } = setup(
      [summary(1)],
      "web",
      {
        cancel_job: ({ job_id }) => {
          jobs[0] = { ...running, status: "cancelled" };
          return { ...running, job_id, status: "cancelled" };
        },
        get_model: () => Promise.reject(new Error("boom")),
      },
      jobs,
    );
    await user.click(await screen.findByTestId("library-row")); // a detail panel is open too
    await screen.findByTestId("detail-panel");
    await user.click(screen.getByTestId("jobs-button"));
    const panel = screen.getByTestId("jobs-panel");
    await user.click(await within(panel).findByRole("button", { name: "Cancel" }));
    act(() =>
      bridge.emit("job.done", {
        job_id: "run",
        kind: "verify",
        status: "cancelled",
        problems: 0,
        bytes_read: null,
        result: null,
        error: null,
      }),
    );
    await waitFor(() => expect(within(panel).queryByRole("button", { name: "Cancel" })).toBeNull());
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("jobs-panel")).toBeNull();
    expect(screen.getByTestId("detail-panel")).toBeInTheDocument(); // one Esc, one thing closed
    await waitFor(() => expect(screen.getByTestId("jobs-button")).toHaveFocus());
  });

  it("toasts finished jobs", async () => {
    const { bridge } = setup([summary(1)]);
    await screen.findAllByTestId("library-row");
    act(() =>
      bridge.emit("job.done", {
        job_id: "v",
        kind: "verify",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: { models: [{ id: "a", path: "p", ok: false, files: [] }], bytes_read: 1 },
        error: null,
      }),
    );
    expect(await screen.findByTestId("toast")).toHaveTextContent("Verification found problems");
  });

  it("filters by linked / not linked in an app, one at a time", async () => {
    const user = userEvent.setup();
    const app = {
      id: "comfy",
      name: "ComfyUI",
      kind: "comfyui" as const,
      root: "/c",
      models_dir: "/c/models",
      method: "links" as const,
      version: null,
      flavour: null,
      variant: "",
      added_at: "2026-11-01T00:00:00Z",
    };
    const { bridge } = setup([summary(1)], "web", { list_apps: () => [app] });
    await user.click(await screen.findByRole("button", { name: "Not in ComfyUI" }));
    await waitFor(() => expect(listQueries(bridge).at(-1)?.not_linked_to).toBe("comfy"));
    await user.click(screen.getByRole("button", { name: "Linked in ComfyUI" }));
    await waitFor(() => expect(listQueries(bridge).at(-1)?.linked_to).toBe("comfy"));
    expect(listQueries(bridge).at(-1)?.not_linked_to).toBeUndefined();
  });

  it("saves the current search and filters by name and applies a saved one", async () => {
    const user = userEvent.setup();
    const stored: { current: AppSettings } = {
      current: appSettings({
        saved_filters: [
          {
            name: "Big llamas",
            text: "llama",
            filters: { size: "large", bogus: "x", favorites: "no" },
          },
        ],
      }),
    };
    const { bridge } = setup([summary(1)], "web", {
      get_settings: () => stored.current,
      update_settings: ({ changes }) => (stored.current = { ...stored.current, ...changes }),
    });
    await user.click(await screen.findByRole("button", { name: "Big llamas" }));
    await waitFor(() =>
      expect(listQueries(bridge).at(-1)).toMatchObject({ text: "llama", size: "large" }),
    );
    expect(listQueries(bridge).at(-1)?.favorites).toBeUndefined(); // a wrong type is dropped
    expect(screen.getByRole("button", { name: "Big llamas" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );

    const familyFilters = await screen.findAllByTestId("filter-family");
    await user.click(familyFilters.find((b) => b.dataset.value === "sdxl") as HTMLElement);
    await user.click(screen.getByTestId("save-filter"));
    await user.type(screen.getByTestId("saved-filter-name"), "SDXL big{Enter}");
    await waitFor(() => expect(bridge.callsOf("update_settings")).toHaveLength(1));
    expect(bridge.callsOf("update_settings")[0].changes.saved_filters).toEqual([
      {
        name: "Big llamas",
        text: "llama",
        filters: { size: "large", bogus: "x", favorites: "no" },
      },
      { name: "SDXL big", text: "llama", filters: { family: "sdxl", size: "large" } },
    ]);
    await user.click(screen.getByRole("button", { name: "Remove the saved filter Big llamas" }));
    await waitFor(() =>
      expect(bridge.callsOf("update_settings").at(-1)?.changes.saved_filters).toEqual([
        { name: "SDXL big", text: "llama", filters: { family: "sdxl", size: "large" } },
      ]),
    );
  });

  it("rebuilds the index only after confirming in settings", async () => {
    const user = userEvent.setup();
    const { bridge } = setup([], "web", {
      get_settings: () => appSettings(),
      start_rebuild: () => ({ job_id: "r" }),
    });
    await user.click(screen.getByTestId("settings-button"));
    const dialog = await screen.findByTestId("settings-dialog");
    expect(await within(dialog).findByText("/lib")).toBeInTheDocument();
    await user.click(within(dialog).getByTestId("rebuild-button"));
    expect(bridge.callsOf("start_rebuild")).toHaveLength(0);
    await user.click(screen.getByTestId("confirm-yes"));
    await waitFor(() => expect(bridge.callsOf("start_rebuild")).toHaveLength(1));
  });
});

describe("reclassify from settings", () => {
  it("previews with a dry-run job (with progress) and applies only after confirming", async () => {
    const user = userEvent.setup();
    const change = {
      id: "m1",
      old_path: "diffusion/unknown/x",
      new_path: "diffusion/sdxl/x",
      changes: { family: [null, "sdxl"] },
    };
    const report = (dry_run: boolean) => ({ dry_run, changed: [change], unchanged: 3, errors: [] });
    const { bridge } = setup([], "web", {
      start_reclassify: ({ dry_run }) => ({ job_id: dry_run ? "dry" : "real" }),
    });
    const progress = {
      kind: "reclassify" as const,
      bytes_done: 0,
      bytes_total: 0,
      rate_bps: 0,
      eta_s: null,
      item: null,
      title: null,
    };
    await user.click(screen.getByTestId("settings-button"));
    await user.click(await screen.findByTestId("reclassify-button"));
    expect(bridge.callsOf("start_reclassify")).toEqual([{ all: true, dry_run: true }]);
    expect(screen.getByTestId("reclassify-button")).toBeDisabled();
    act(() =>
      bridge.emit("job.progress", { ...progress, job_id: "dry", items_done: 2, items_total: 4 }),
    );
    expect(await screen.findByTestId("reclassify-progress-text")).toHaveTextContent(
      "2 of 4 models",
    );
    act(() =>
      bridge.emit("job.done", {
        job_id: "dry",
        kind: "reclassify",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: report(true),
        error: null,
      }),
    );
    const preview = await screen.findByTestId("reclassify-preview");
    expect(preview).toHaveTextContent("diffusion/unknown/x");
    expect(preview).toHaveTextContent("→ diffusion/sdxl/x");
    expect(preview).toHaveTextContent("family: — → sdxl");
    expect(screen.queryByTestId("toast")).toBeNull(); // the preview is the answer, not a toast too

    await user.click(screen.getByTestId("confirm-yes"));
    await waitFor(() => expect(bridge.callsOf("start_reclassify")).toHaveLength(2));
    expect(bridge.callsOf("start_reclassify")[1]).toEqual({ all: true, dry_run: false });
    expect(await screen.findByTestId("reclassify-progress")).toHaveAttribute("data-mode", "apply");
    act(() =>
      bridge.emit("job.done", {
        job_id: "real",
        kind: "reclassify",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: report(false),
        error: null,
      }),
    );
    const toast = await screen.findByTestId("toast");
    expect(toast).toHaveTextContent("Re-classified models");
    expect(toast).toHaveTextContent("1 re-filed, 3 unchanged");
    expect(screen.getAllByTestId("toast")).toHaveLength(1); // not also the app-wide job toast
    expect(screen.queryByTestId("reclassify-progress")).toBeNull();
  });
});

describe("buildListQuery", () => {
  it("sends only the active filters, the trimmed search and the sort", () => {
    expect(
      buildListQuery({ ...EMPTY_FILTERS, family: "sdxl", favorites: true }, "  flux ", {
        sort: "size_bytes",
        descending: true,
      }),
    ).toEqual({
      family: "sdxl",
      favorites: true,
      text: "flux",
      sort: "size_bytes",
      descending: true,
    });
    expect(buildListQuery(EMPTY_FILTERS, "", { sort: "name", descending: false })).toEqual({
      sort: "name",
      descending: false,
    });
    // no column chosen: by name, or best matches first while searching
    expect(buildListQuery(EMPTY_FILTERS, "", null)).toEqual({ sort: "name", descending: false });
    expect(buildListQuery(EMPTY_FILTERS, " flux ", null)).toEqual({
      text: "flux",
      sort: "relevance",
      descending: false,
    });
  });
});

describe("needs attention", () => {
  it("offers the filter with its count, queries it, badges the row and names unreadable folders", async () => {
    const calls: ListQuery[] = [];
    const bad = summary(1, { name: "Changed one", integrity: "mismatch" });
    const { bridge } = setup([bad, summary(2)], "web", {
      get_facets: () => ({
        ...facets,
        attention: 1,
        unreadable: [
          {
            code: "unreadable",
            message: "not valid JSON",
            details: { path: "diffusion/sdxl/broken" },
          },
        ],
      }),
      list_models: ({ query }) => {
        calls.push(query ?? {});
        return { total: 2, models: [bad, summary(2)] };
      },
    });
    const row = await screen.findByText("Changed one");
    expect(within(row.closest('[role="row"]') as HTMLElement).getByText("Changed")).toBeTruthy();
    const filter = await screen.findByTestId("filter-attention");
    expect(filter.textContent).toContain("2");
    await userEvent.click(filter);
    await waitFor(() => expect(calls.some((q) => q.attention === true)).toBe(true));
    const notice = await screen.findByTestId("unreadable-notice");
    expect(notice.textContent).toContain("diffusion/sdxl/broken");
    expect(bridge.calls.some((c) => c.method === "list_models")).toBe(true);
  });

  it("says whom a change waits for while another Tensorshelf writes", async () => {
    const { bridge } = setup([summary(1)]);
    await screen.findByText("Model 1");
    act(() =>
      bridge.emit("library.waiting", {
        waiting: true,
        doing: "editing abc",
        holder: { pid: 4242, host: "here", doing: "importing /x/a.safetensors", since: "now" },
        message:
          "waiting for another Tensorshelf (pid 4242, importing /x/a.safetensors) to finish writing the library",
      }),
    );
    const banner = await screen.findByTestId("writer-wait");
    expect(banner.textContent).toContain("pid 4242");
    act(() =>
      bridge.emit("library.waiting", {
        waiting: false,
        doing: "editing abc",
        holder: null,
        message: "",
      }),
    );
    await waitFor(() => expect(screen.queryByTestId("writer-wait")).toBeNull());
  });
});

describe("jobs panel", () => {
  it("shows a verify that found problems as finished with problems, with the bytes read", async () => {
    const user = userEvent.setup();
    setup([summary(1)], "web", {}, [
      jobInfo({
        job_id: "v1",
        kind: "verify",
        status: "done",
        title: "Verify all models",
        problems: 1,
        bytes_read: 2048,
        bytes_total: 4096,
        items_done: 2,
        items_total: 2,
      }),
    ]);
    await user.click(await screen.findByTestId("jobs-button"));
    const row = await screen.findByText("Verify all models");
    const job = row.closest('[data-testid="job-row"]') as HTMLElement;
    expect(within(job).getByText("finished with problems (1)")).toBeTruthy();
    expect(job.textContent).toContain("2.00 KiB read · 2.00 KiB unchanged (hash cache)");
  });
});
