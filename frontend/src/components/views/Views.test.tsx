import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ImportBatch, LibraryStats } from "../../api/types";
import { BulkPanel } from "../bulk/BulkPanel";
import { createFakeBridge } from "../../test/fakeBridge";
import { summary } from "../../test/factories";
import { renderWithBridge } from "../../test/render";
import { HistoryView } from "./HistoryView";
import { StatsView } from "./StatsView";

function batch(over: Partial<ImportBatch> = {}): ImportBatch {
  return {
    batch_id: "0193aaaa-bbbb-7ccc-8ddd-000000000001",
    status: "done",
    started_at: "2026-11-30T10:00:00Z",
    finished_at: "2026-11-30T10:01:00Z",
    title: "Import 2 models",
    source: "/home/me/Downloads",
    new: 2,
    duplicates: 1,
    failed: 0,
    models: [
      { id: "m1", path: "diffusion/loras/sdxl/a", in_library: true },
      { id: "m2", path: "diffusion/loras/sdxl/b", in_library: true },
    ],
    duplicate_of: ["m0"],
    in_library: 2,
    ...over,
  };
}

describe("HistoryView", () => {
  it("lists each batch and undoes one only after the confirmation", async () => {
    const user = userEvent.setup();
    const bridge = createFakeBridge({
      list_history: () => [batch(), batch({ batch_id: "old", in_library: 0, title: "Import 1" })],
      undo_import: ({ batch_id }) => ({
        batch_id,
        results: [
          { id: "m1", path: "a", removed: true, error: null, restored: [] },
          { id: "m2", path: "b", removed: true, error: null, restored: ["/src/b.safetensors"] },
        ],
      }),
    });
    const shown: string[] = [];
    renderWithBridge(<HistoryView onShowModel={(id) => shown.push(id)} />, bridge);
    const cards = await screen.findAllByTestId("history-batch");
    expect(cards).toHaveLength(2);
    expect(within(cards[0]).getByTestId("batch-counts")).toHaveTextContent("2 new · 1 duplicate");
    expect(within(cards[0]).getByText("from /home/me/Downloads")).toBeInTheDocument();
    expect(within(cards[1]).getByTestId("undo-import")).toBeDisabled();

    await user.click(within(cards[0]).getByRole("button", { name: "Show 2 models" }));
    await user.click(within(cards[0]).getByRole("button", { name: "a" }));
    expect(shown).toEqual(["m1"]);

    await user.click(within(cards[0]).getByTestId("undo-import"));
    expect(await screen.findByTestId("confirm-dialog")).toHaveTextContent("Undo this import?");
    expect(bridge.callsOf("undo_import")).toEqual([]); // asking does nothing
    await user.click(screen.getByTestId("confirm-yes"));
    await waitFor(() =>
      expect(bridge.callsOf("undo_import")).toEqual([{ batch_id: batch().batch_id }]),
    );
    expect(await screen.findByText("Import undone: 2 models removed")).toBeInTheDocument();
    expect(screen.getByText(/1 moved model put back where it was/)).toBeInTheDocument();
  });

  it("has an empty state", async () => {
    renderWithBridge(
      <HistoryView onShowModel={() => {}} />,
      createFakeBridge({ list_history: () => [] }),
    );
    expect(await screen.findByTestId("history-empty")).toHaveTextContent("No imports yet");
  });
});

const stats: LibraryStats = {
  models: 3,
  bytes: 7 * 1024 ** 3,
  by_type: [{ key: "diffusion", models: 3, bytes: 7 * 1024 ** 3 }],
  by_kind: [
    { key: "checkpoints", models: 1, bytes: 6 * 1024 ** 3 },
    { key: "loras", models: 2, bytes: 1024 ** 3 },
  ],
  by_family: [{ key: "sdxl", models: 3, bytes: 7 * 1024 ** 3 }],
  by_format: [{ key: "safetensors", models: 3, bytes: 7 * 1024 ** 3 }],
  largest: [summary(0, { name: "Big one", size_bytes: 6 * 1024 ** 3 })],
  growth: [
    { month: "2026-10", models: 1, bytes: 6 * 1024 ** 3, total_bytes: 6 * 1024 ** 3 },
    { month: "2026-11", models: 2, bytes: 1024 ** 3, total_bytes: 7 * 1024 ** 3 },
  ],
  linked: [{ key: "ComfyUI", models: 3, bytes: 7 * 1024 ** 3 }],
  duplicates_avoided: 4,
  duplicate_bytes_avoided: 2 * 1024 ** 3,
};

describe("StatsView", () => {
  it("shows the figures and a bar per kind", async () => {
    const user = userEvent.setup();
    const shown: string[] = [];
    renderWithBridge(
      <StatsView onShowModel={(id) => shown.push(id)} />,
      createFakeBridge({ get_stats: () => stats }),
    );
    expect(await screen.findByTestId("stat-bytes")).toHaveTextContent("7.00 GiB");
    expect(screen.getByTestId("stat-saved")).toHaveTextContent("7.00 GiB");
    expect(screen.getByTestId("stat-saved")).toHaveTextContent("in 1 app");
    expect(screen.getByTestId("stat-duplicates")).toHaveTextContent("4");
    const kinds = within(screen.getByLabelText("Disk use by kind")).getAllByTestId("usage-row");
    expect(kinds.map((r) => r.dataset.key)).toEqual(["checkpoints", "loras"]);
    expect(screen.getAllByTestId("growth-month")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Big one" }));
    expect(shown).toEqual([summary(0).id]);
  });

  it("says so when the library is empty", async () => {
    renderWithBridge(
      <StatsView onShowModel={() => {}} />,
      createFakeBridge({ get_stats: () => ({ ...stats, models: 0, bytes: 0 }) }),
    );
    expect(await screen.findByTestId("stats-empty")).toBeInTheDocument();
  });
});

describe("BulkPanel", () => {
  it("applies a tag, a rating and a collection to every selected model and reports it", async () => {
    const user = userEvent.setup();
    const ids = ["a", "b", "c"];
    const bridge = createFakeBridge({
      list_apps: () => [],
      list_collections: () => ({ Portraits: 2 }),
      edit_models: ({ refs }) => ({
        changed: refs.slice(1),
        unchanged: refs.slice(0, 1),
        failed: [],
      }),
    });
    renderWithBridge(<BulkPanel ids={ids} onClear={() => {}} />, bridge);
    expect(screen.getByTestId("bulk-count")).toHaveTextContent("3 models selected");
    await user.type(screen.getByTestId("bulk-tag-input"), "style{Enter}");
    await user.click(screen.getByRole("button", { name: "4 stars" }));
    await user.type(screen.getByTestId("bulk-collection-input"), "Portraits");
    await user.click(screen.getByTestId("bulk-collection-add"));
    await waitFor(() => expect(bridge.callsOf("edit_models")).toHaveLength(3));
    expect(bridge.callsOf("edit_models").map((c) => [c.refs, c.change])).toEqual([
      [ids, { add_tags: ["style"] }],
      [ids, { rating: 4 }],
      [ids, { add_collections: ["Portraits"] }],
    ]);
    expect((await screen.findAllByText("Tagged “style”: 2 models")).length).toBe(1);
    expect(screen.getAllByText("1 already so").length).toBeGreaterThan(0);
  });

  it("deletes only after the confirmation, and keeps models out of an app", async () => {
    const user = userEvent.setup();
    let cleared = false;
    const bridge = createFakeBridge({
      list_apps: () => [
        {
          id: "comfy",
          name: "ComfyUI",
          kind: "comfyui",
          root: "/c",
          models_dir: "/c/models",
          method: "links",
          version: null,
          flavour: null,
          variant: "",
          added_at: "2026-11-01T00:00:00Z",
        },
      ],
      list_collections: () => ({}),
      set_link_choices: ({ refs }) => ({ changed: refs, unchanged: [], failed: [] }),
      delete_models: ({ refs }) =>
        refs.map((id) => ({ id, path: id, removed: true, error: null, restored: [] })),
    });
    renderWithBridge(<BulkPanel ids={["a", "b"]} onClear={() => (cleared = true)} />, bridge);
    await user.click(await screen.findByTestId("bulk-exclude"));
    await waitFor(() =>
      expect(bridge.callsOf("set_link_choices")).toEqual([
        { refs: ["a", "b"], app: "comfy", exclude: true },
      ]),
    );
    await user.click(screen.getByTestId("bulk-delete"));
    expect(await screen.findByTestId("confirm-dialog")).toHaveTextContent("Delete 2 models?");
    expect(bridge.callsOf("delete_models")).toEqual([]);
    await user.click(screen.getByTestId("confirm-yes"));
    await waitFor(() => expect(cleared).toBe(true));
    expect(bridge.callsOf("delete_models")).toEqual([{ refs: ["a", "b"] }]);
  });
});
