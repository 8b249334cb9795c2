import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ImportPlan, ImportResult, JobStatus } from "../../api/types";
import { createFakeBridge, type Handlers } from "../../test/fakeBridge";
import {
  appSettings,
  detection,
  jobInfo,
  metadata,
  planItem,
  rejected,
} from "../../test/factories";
import { renderWithBridge } from "../../test/render";
import { ImportDialog } from "./ImportDialog";

const A = "/in/lora a.safetensors";
const B = "/in/old.ckpt";
const C = "/in/broken.safetensors";

const plan: ImportPlan = {
  plan_id: "plan-7",
  items: [
    planItem({ key: A, name: "lora a", paths: [A], size_bytes: 100 }),
    planItem({
      key: B,
      name: "old",
      paths: [B],
      security_tier: "pickle",
      detection: detection({
        format: "pickle",
        security_tier: "pickle",
        subtype: "checkpoints",
        family: "sd1",
        confidence: 0.6,
      }),
    }),
    planItem({
      key: C,
      name: "broken",
      paths: [C],
      duplicate_of: null,
      warnings: ["name looks like a VAE"],
    }),
  ],
  rejected: [rejected("/in/readme.txt", "not a model file")],
};

function setup(extra: Handlers = {}, minProgressMs = 0) {
  const bridge = createFakeBridge({
    plan_import: () => plan,
    start_import: () => ({ job_id: "job-1" }),
    cancel_job: ({ job_id }) => jobInfo({ job_id, status: "cancelled" }),
    ...extra,
  });
  const onClose = vi.fn();
  const view = renderWithBridge(
    <ImportDialog
      paths={[A, B, C, "/in/readme.txt"]}
      onClose={onClose}
      minProgressMs={minProgressMs}
    />,
    bridge,
  );
  return { bridge, onClose, ...view };
}

const progress = (key: string, stage: string, done: number, total: number) => ({
  job_id: "job-1",
  kind: "import" as const,
  items_done: 0,
  items_total: 3,
  bytes_done: done,
  bytes_total: 300,
  rate_bps: 50 * 1024 * 1024,
  eta_s: 12,
  item: {
    key,
    file: key.split("/").pop() as string,
    stage: stage as "copying",
    bytes_done: done,
    bytes_total: total,
    rate_bps: 50 * 1024 * 1024,
    eta_s: 12,
  },
  title: null,
});

/** job-1's `job.item_done` for one import result. */
const itemDone = (result: Partial<ImportResult> & Pick<ImportResult, "ok" | "key">) => ({
  job_id: "job-1",
  kind: "import" as const,
  result: {
    id: null,
    path: null,
    hashes: null,
    duplicate_of: null,
    warnings: [],
    error: null,
    ...result,
  },
  error: null,
});

/** job-1's `job.done`. */
const importDone = (status: JobStatus = "done") => ({
  job_id: "job-1",
  kind: "import" as const,
  status,
  problems: 0,
  bytes_read: null,
  result: null,
  error: null,
});

describe("ImportDialog", () => {
  it("plan → pickle blocked until acknowledged → start → progress → summary", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();

    // step 1: review the backend's plan, one row per logical model
    const dialog = await screen.findByTestId("import-dialog");
    await waitFor(() => expect(within(dialog).getAllByTestId("import-item")).toHaveLength(3));
    expect(bridge.callsOf("plan_import")[0]).toEqual({ paths: [A, B, C, "/in/readme.txt"] });
    expect(within(dialog).getByText(/not a model file/)).toBeInTheDocument();
    expect(within(dialog).getByText("name looks like a VAE")).toBeInTheDocument();
    expect(
      within(dialog).getByText(/Pickle file: loading it can run arbitrary code/),
    ).toBeInTheDocument();

    // detected type/base/precision + confidence, and the evidence behind it
    const rowA = within(dialog).getAllByTestId("import-item")[0];
    expect(within(rowA).getByText("diffusion · loras")).toBeInTheDocument();
    expect(within(rowA).getByText("sdxl")).toBeInTheDocument();
    expect(within(rowA).getByText("95%")).toBeInTheDocument();
    await user.click(within(rowA).getByRole("button", { name: /Why was lora a detected/ }));
    expect(screen.getByTestId("why-popover")).toHaveTextContent("lora_unet_* keys (kohya)");
    expect(screen.getByTestId("why-popover")).toHaveTextContent("LoRA rank");

    // the pickle item blocks the start until its risk box is ticked
    const start = screen.getByTestId("import-start");
    expect(start).toBeDisabled();
    await user.click(start);
    expect(bridge.callsOf("start_import")).toHaveLength(0);
    await user.click(screen.getByTestId("pickle-ack"));
    expect(start).toBeEnabled();

    await user.click(screen.getByTestId("import-mode-move"));
    await user.click(start);
    await screen.findByTestId("import-progress");
    const [args] = bridge.callsOf("start_import");
    expect(args.plan_id).toBe("plan-7"); // the reviewed plan itself, not paths to re-plan
    expect(Object.keys(args.items ?? {})).toEqual([A, B, C]);
    expect(args.options).toEqual({ mode: "move", lookup: true });
    expect(args.items?.[B]).toEqual({ mode: "move", lookup: true, accept_pickle: true });
    expect(args.items?.[A]).toEqual({ mode: "move", lookup: true, accept_pickle: false });

    // step 2: pushed progress updates the rows (events of other jobs are ignored)
    act(() => bridge.emit("job.progress", progress(A, "copying", 50, 100)));
    act(() =>
      bridge.emit("job.progress", { ...progress(C, "failed", 0, 100), job_id: "someone-else" }),
    );
    const rows = () => screen.getAllByTestId("import-progress-row");
    expect(rows()[0]).toHaveAttribute("data-stage", "copying");
    expect(rows()[0]).toHaveTextContent("50.0 MiB/s");
    expect(rows()[0]).toHaveTextContent("ETA 12s");
    expect(rows()[2]).toHaveAttribute("data-stage", "queued");
    act(() => bridge.emit("job.progress", progress(A, "hashing", 100, 100)));
    expect(rows()[0]).toHaveAttribute("data-stage", "hashing");

    // step 3: summary from the per-item results
    act(() => {
      bridge.emit(
        "job.item_done",
        itemDone({ ok: true, key: A, id: "m-a", path: "diffusion/sdxl/lora_a" }),
      );
      bridge.emit(
        "job.item_done",
        itemDone({ ok: true, key: B, id: "m-b", path: "diffusion/sd1/old", duplicate_of: "m-old" }),
      );
      bridge.emit(
        "job.item_done",
        itemDone({
          ok: false,
          key: C,
          error: { code: "disk_full", message: "No space left on the library drive", details: {} },
        }),
      );
      bridge.emit("job.done", importDone());
    });
    const summary = await screen.findByTestId("import-summary");
    expect(within(summary).getByTestId("summary-succeeded")).toHaveTextContent("1");
    expect(within(summary).getByTestId("summary-duplicates")).toHaveTextContent("1");
    expect(within(summary).getByTestId("summary-failed")).toHaveTextContent("1");
    expect(within(summary).getByTestId("summary-failure")).toHaveTextContent(
      "No space left on the library drive",
    );
    expect(within(summary).getByText("1 model imported successfully")).toBeInTheDocument();
  });

  it("unticking the pickle item also unblocks the start and leaves it out", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    await waitFor(() => expect(screen.getAllByTestId("import-item")).toHaveLength(3));
    await user.click(screen.getByRole("checkbox", { name: "Import old" }));
    await user.click(screen.getByTestId("import-start"));
    await screen.findByTestId("import-progress");
    const [args] = bridge.callsOf("start_import");
    expect(args.plan_id).toBe("plan-7");
    expect(Object.keys(args.items ?? {})).toEqual([A, C]);
  });

  it("progress that arrives before start_import answers is not lost", async () => {
    const user = userEvent.setup();
    let answer: (v: { job_id: string }) => void = () => {};
    const { bridge } = setup();
    bridge.handlers.start_import = () => new Promise((resolve) => (answer = resolve));
    await waitFor(() => expect(screen.getAllByTestId("import-item")).toHaveLength(3));
    await user.click(screen.getByTestId("pickle-ack"));
    await user.click(screen.getByTestId("import-start"));
    act(() => bridge.emit("job.progress", progress(A, "verifying", 100, 100)));
    await act(async () => answer({ job_id: "job-1" }));
    const rows = await screen.findAllByTestId("import-progress-row");
    expect(rows[0]).toHaveAttribute("data-stage", "verifying");
  });

  it("starts from the saved defaults (import mode, Hugging Face lookup)", async () => {
    const user = userEvent.setup();
    const { bridge } = setup({
      get_settings: () => appSettings({ default_import_mode: "move", lookup_on_import: false }),
    });
    await waitFor(() => expect(screen.getByTestId("import-mode-move")).toBeChecked());
    expect(screen.getByTestId("import-lookup")).not.toBeChecked();
    await user.click(screen.getByRole("checkbox", { name: "Import old" }));
    await user.click(screen.getByTestId("import-start"));
    await waitFor(() => expect(bridge.callsOf("start_import")).toHaveLength(1));
    expect(bridge.callsOf("start_import")[0].options).toEqual({ mode: "move", lookup: false });
  });

  it("keeps a very fast import's progress on screen briefly before the summary", async () => {
    const user = userEvent.setup();
    const { bridge } = setup(
      { get_model: () => ({ model: metadata({ id: "m1" }), library_dir: "/lib/m1" }) },
      300,
    );
    await waitFor(() => expect(screen.getAllByTestId("import-item")).toHaveLength(3));
    await user.click(screen.getByTestId("pickle-ack"));
    await user.click(screen.getByTestId("import-start"));
    await screen.findByTestId("import-progress");
    act(() => {
      bridge.emit(
        "job.item_done",
        itemDone({ ok: true, key: A, id: "m1", path: "diffusion/sdxl/lora_a" }),
      );
      bridge.emit("job.done", importDone());
    });
    expect(screen.getByTestId("import-progress")).toBeInTheDocument();
    expect(screen.queryByTestId("import-summary")).toBeNull();
    // the summary was not mounted and hidden again meanwhile: its verdicts are asked for
    // once it is on screen (an answer read earlier would predate the lookup that follows)
    expect(bridge.callsOf("get_model")).toHaveLength(0);
    expect(await screen.findByTestId("import-summary")).toBeInTheDocument();
    expect(screen.queryByTestId("import-progress")).toBeNull();
    await waitFor(() => expect(bridge.callsOf("get_model")).toHaveLength(1));
  });

  it("Esc closes the review without importing anything", async () => {
    const user = userEvent.setup();
    const { bridge, onClose } = setup();
    await waitFor(() => expect(screen.getAllByTestId("import-item")).toHaveLength(3));
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
    expect(bridge.callsOf("start_import")).toHaveLength(0);
  });

  it("Esc closes an open “Why?” popover first, not the whole dialog", async () => {
    const user = userEvent.setup();
    const { onClose } = setup();
    await waitFor(() => expect(screen.getAllByTestId("import-item")).toHaveLength(3));
    const why = screen.getByRole("button", { name: /Why was lora a detected/ });
    await user.click(why); // focus stays on the button
    expect(screen.getByTestId("why-popover")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("why-popover")).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    expect(why).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
  });

  it("a cancelled job says cancelled (not failed) and names what was not imported", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    await waitFor(() => expect(screen.getAllByTestId("import-item")).toHaveLength(3));
    await user.click(screen.getByTestId("pickle-ack"));
    await user.click(screen.getByTestId("import-start"));
    await screen.findByTestId("import-progress");
    await user.click(screen.getByRole("button", { name: "Cancel import" }));
    expect(bridge.callsOf("cancel_job")).toEqual([{ job_id: "job-1" }]);
    act(() => bridge.emit("job.done", importDone("cancelled")));
    const summary = await screen.findByTestId("import-summary");
    expect(within(summary).getByTestId("summary-failed")).toHaveTextContent("0");
    expect(within(summary).getByTestId("summary-cancelled")).toHaveTextContent(
      "3 models were not imported",
    );
    expect(screen.getByRole("heading", { name: "Import cancelled" })).toBeInTheDocument();
  });
});
