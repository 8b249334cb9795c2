import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ModelMetadata } from "../api/types";
import { createFakeBridge } from "../test/fakeBridge";
import { detection, metadata } from "../test/factories";
import { renderWithBridge } from "../test/render";
import { DetailPanel } from "./DetailPanel";

function setup(model: ModelMetadata = metadata()) {
  let current = model;
  const bridge = createFakeBridge({
    get_model: () => ({ model: current, library_dir: `/lib/${current.path}` }),
    edit_model: ({ edit }) => {
      current = {
        ...current,
        ...Object.fromEntries(Object.entries(edit).filter(([, v]) => v != null)),
        updated_date: "2026-11-02T00:00:00Z",
      } as ModelMetadata;
      return current;
    },
    delete_models: ({ refs }) =>
      refs.map((id) => ({ id, path: current.path, removed: true, error: null, restored: [] })),
    start_verify: () => ({ job_id: "v1" }),
  });
  const onClose = vi.fn();
  const view = renderWithBridge(<DetailPanel modelId={model.id} onClose={onClose} />, bridge);
  return { bridge, onClose, ...view };
}

describe("DetailPanel", () => {
  it("shows metadata, files with both hashes, sources and LoRA facts", async () => {
    setup();
    const panel = await screen.findByTestId("detail-panel");
    await within(panel).findByRole("heading", { name: "My LoRA" });
    const file = within(panel).getByTestId("detail-file");
    expect(file).toHaveTextContent("my-lora.safetensors");
    expect(file).toHaveTextContent("217 MiB");
    expect(within(file).getByRole("button", { name: "Copy SHA-256 hash" })).toBeInTheDocument();
    expect(within(file).getByRole("button", { name: "Copy BLAKE3 hash" })).toBeInTheDocument();
    expect(panel).toHaveTextContent("/home/u/Downloads/my-lora.safetensors");
    const facts = within(panel).getByRole("region", { name: "Model" });
    expect(facts).toHaveTextContent("LoRA rank32");
    expect(facts).toHaveTextContent("LoRA basesdxl");
    const all = within(panel).getByRole("region", { name: "All fields" });
    expect(all).toHaveTextContent("Folder name");
    expect(all).not.toHaveTextContent("cleaned_name");
    expect(within(all).queryByTestId("raw-metadata")).toBeNull();
    await userEvent.setup().click(within(all).getByTestId("raw-metadata-toggle"));
    expect(within(all).getByTestId("raw-metadata")).toHaveTextContent('"cleaned_name": "my-lora"');
  });

  it("shows the preview image get_preview returns, and asks only for models that have one", async () => {
    const dataUrl = "data:image/png;base64,iVBORw0KGgo=";
    const { bridge } = setup(metadata({ preview_image: "my-lora.preview.png" }));
    bridge.handlers.get_preview = () => ({ data_url: dataUrl });
    const img = await screen.findByTestId("detail-preview");
    expect(img).toHaveAttribute("src", dataUrl);
    expect(img).toHaveAttribute("alt", "Preview of My LoRA");
    expect(bridge.callsOf("get_preview")).toEqual([{ ref: metadata().id }]);
  });

  it("shows no image when the model has no preview (and does not ask)", async () => {
    const { bridge } = setup(metadata({ preview_image: null }));
    await screen.findByRole("heading", { name: "My LoRA" });
    expect(screen.queryByTestId("detail-preview")).toBeNull();
    expect(bridge.callsOf("get_preview")).toEqual([]);
  });

  it("shows an LLM's context length and quantisation", async () => {
    setup(
      metadata({
        model_type: "llm",
        subtype: "llm",
        family: "llama",
        precision: "q4_k",
        detection: detection({
          model_type: "llm",
          subtype: "llm",
          family: "llama",
          format: "gguf",
          context_length: 8192,
          quantization: "Q4_K_M",
          lora_rank: null,
          lora_target: null,
        }),
      }),
    );
    const facts = await screen.findByRole("region", { name: "Model" });
    expect(facts).toHaveTextContent("Context length8,192");
    expect(facts).toHaveTextContent("QuantisationQ4_K_M");
    expect(facts).not.toHaveTextContent("LoRA");
  });

  it("saves edited fields through edit_model", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    const name = await screen.findByTestId("edit-name");
    await user.clear(name);
    await user.type(name, "Renamed LoRA");
    await user.type(screen.getByTestId("edit-notes"), "great for portraits");
    await user.click(screen.getByTestId("edit-save"));
    await waitFor(() => expect(bridge.callsOf("edit_model")).toHaveLength(1));
    expect(bridge.callsOf("edit_model")[0]).toEqual({
      ref: "0192a7b3-aaaa-7bbb-8ccc-0123456789ab",
      edit: { name: "Renamed LoRA", notes: "great for portraits" },
    });
    await screen.findByRole("heading", { name: "Renamed LoRA" });
  });

  it("corrects a misdetected type and subtype", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    await user.selectOptions(await screen.findByTestId("edit-subtype"), "checkpoints");
    await user.click(screen.getByTestId("edit-save"));
    await waitFor(() =>
      expect(bridge.callsOf("edit_model")[0]?.edit).toEqual({ subtype: "checkpoints" }),
    );
  });

  it("adds a tag with tag-input + tag-add, keeping the existing ones", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    await user.type(await screen.findByTestId("tag-input"), "portrait");
    await user.click(screen.getByTestId("tag-add"));
    await waitFor(() => expect(bridge.callsOf("edit_model")).toHaveLength(1));
    expect(bridge.callsOf("edit_model")[0].edit).toEqual({ tags: ["style", "portrait"] });
    await waitFor(() =>
      expect(screen.getAllByTestId("tag-chip").map((c) => c.textContent)).toEqual([
        "style×",
        "portrait×",
      ]),
    );
  });

  it("sets the rating", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    await user.click(await screen.findByRole("button", { name: "5 stars (favourite)" }));
    await waitFor(() => expect(bridge.callsOf("edit_model")[0]?.edit).toEqual({ rating: 5 }));
  });

  it("deletes only after the confirmation", async () => {
    const user = userEvent.setup();
    const { bridge, onClose } = setup();
    await user.click(await screen.findByTestId("delete-button"));
    const dialog = screen.getByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Files outside the library");
    expect(bridge.callsOf("delete_models")).toHaveLength(0);

    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("confirm-dialog")).toBeNull();
    expect(bridge.callsOf("delete_models")).toHaveLength(0);

    await user.click(screen.getByTestId("delete-button"));
    await user.click(screen.getByTestId("confirm-yes"));
    await waitFor(() =>
      expect(bridge.callsOf("delete_models")).toEqual([
        { refs: ["0192a7b3-aaaa-7bbb-8ccc-0123456789ab"] },
      ]),
    );
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(await screen.findByTestId("toast")).toHaveTextContent("Deleted My LoRA");
  });

  it("Esc in the confirmation closes it without deleting", async () => {
    const user = userEvent.setup();
    const { bridge, onClose } = setup();
    await user.click(await screen.findByTestId("delete-button"));
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("confirm-dialog")).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    expect(bridge.callsOf("delete_models")).toHaveLength(0);
  });

  it("verifies by re-reading every byte, with pushed progress and the verdict in the panel", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    const id = "0192a7b3-aaaa-7bbb-8ccc-0123456789ab";
    await user.click(await screen.findByTestId("verify-button"));
    await waitFor(() =>
      expect(bridge.callsOf("start_verify")).toEqual([{ refs: [id], full: true }]),
    );
    const status = await screen.findByTestId("verify-status");
    expect(status).toHaveAttribute("data-state", "running");
    expect(screen.getByTestId("verify-button")).toBeDisabled();
    const progress = {
      kind: "verify" as const,
      items_done: 0,
      items_total: 1,
      rate_bps: 512 * 1024 ** 2,
      eta_s: 3,
      item: null,
      title: null,
    };
    act(() =>
      bridge.emit("job.progress", { ...progress, job_id: "other", bytes_done: 9, bytes_total: 10 }),
    );
    act(() =>
      bridge.emit("job.progress", {
        ...progress,
        job_id: "v1",
        bytes_done: 1024 ** 3,
        bytes_total: 2 * 1024 ** 3,
      }),
    );
    expect(status).toHaveTextContent("1.00 GiB of 2.00 GiB");
    expect(status).toHaveTextContent("512 MiB/s · ETA 3s");
    expect(screen.getByRole("progressbar", { name: "Verification progress" })).toHaveAttribute(
      "aria-valuenow",
      "50",
    );
    const file = (ok: boolean) => ({
      path: "my-lora.safetensors",
      ok,
      status: ok ? ("ok" as const) : ("mismatch" as const),
      expected_sha256: "a",
      actual_sha256: "b",
    });
    act(() =>
      bridge.emit("job.done", {
        job_id: "v1",
        kind: "verify",
        status: "done",
        problems: 0,
        bytes_read: null,
        error: null,
        result: {
          models: [{ id, path: "p", ok: false, files: [file(false)], bytes_read: 10 }],
          bytes_read: 10,
        },
      }),
    );
    expect(screen.getByTestId("verify-status")).toHaveAttribute("data-state", "mismatch");
    expect(screen.getByTestId("verify-status")).toHaveTextContent(
      "my-lora.safetensors differs from the recorded hash",
    );
    expect(screen.getByTestId("verify-button")).toBeEnabled();
  });

  it("shows the verdict of a verification that finished before start_verify answered", async () => {
    const user = userEvent.setup();
    const { bridge } = setup();
    const id = "0192a7b3-aaaa-7bbb-8ccc-0123456789ab";
    let answer: (ref: { job_id: string }) => void = () => {};
    bridge.handlers.start_verify = () => new Promise((resolve) => (answer = resolve));
    await user.click(await screen.findByTestId("verify-button"));
    const ok = {
      path: "my-lora.safetensors",
      ok: true,
      status: "ok" as const,
      expected_sha256: "a",
      actual_sha256: "a",
    };
    act(() =>
      bridge.emit("job.done", {
        job_id: "v9",
        kind: "verify",
        status: "done",
        problems: 0,
        bytes_read: null,
        error: null,
        result: {
          models: [{ id, path: "p", ok: true, files: [ok], bytes_read: 217 * 1024 ** 2 }],
          bytes_read: 0,
        },
      }),
    );
    await act(async () => answer({ job_id: "v9" }));
    expect(screen.getByTestId("verify-status")).toHaveAttribute("data-state", "ok");
    expect(screen.getByTestId("verify-status")).toHaveTextContent(
      "The file matches the recorded SHA-256 and BLAKE3",
    );
  });

  it("an LLM's LoRA adapter shows LoRA facts, not a context length", async () => {
    setup(
      metadata({
        model_type: "llm",
        subtype: "loras",
        family: "llama",
        detection: detection({
          model_type: "llm",
          subtype: "loras",
          family: "llama",
          lora_rank: 16,
          lora_target: "llama",
          context_length: null,
          quantization: null,
        }),
      }),
    );
    const facts = await screen.findByRole("region", { name: "Model" });
    expect(facts).toHaveTextContent("LoRA rank16");
    expect(facts).not.toHaveTextContent("Context length");
  });
});

describe("a family outside the vocabulary", () => {
  it("is asked about before the model is re-filed under it", async () => {
    const { ApiError } = await import("../api/bridge");
    const user = userEvent.setup();
    const model = metadata();
    const calls: unknown[] = [];
    const bridge = createFakeBridge({
      get_model: () => ({ model, library_dir: "/lib" }),
      edit_model: ({ edit }) => {
        calls.push(edit);
        if (!edit.force) throw new ApiError("unknown_family", "'sdxxl' is not a family");
        return { ...model, family: edit.family ?? null };
      },
    });
    renderWithBridge(<DetailPanel modelId={model.id} onClose={() => {}} />, bridge);
    const family = await screen.findByTestId("edit-family");
    await user.clear(family);
    await user.type(family, "sdxxl");
    await user.click(screen.getByTestId("edit-save"));
    expect(await screen.findByText("File under a new family “sdxxl”?")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Use the new family" }));
    await waitFor(() =>
      expect(calls).toEqual([{ family: "sdxxl" }, { family: "sdxxl", force: true }]),
    );
  });
});

describe("the short reference", () => {
  it("is shown beside the path, the id's random end that the CLI accepts", async () => {
    setup(metadata({ id: "0192a7b3-aaaa-7bbb-8ccc-0123456789ab" }));
    expect(await screen.findByTestId("model-ref")).toHaveTextContent("0123456789ab");
  });
});

describe("collections in the detail panel", () => {
  it("adds the model to a collection and takes it out again", async () => {
    const user = userEvent.setup();
    const model = metadata({ collections: ["Inks"] });
    const bridge = createFakeBridge({
      get_model: () => ({ model, library_dir: "/lib" }),
      change_collections: ({ refs }) => ({ ids: refs, collections: {} }),
    });
    renderWithBridge(<DetailPanel modelId={model.id} onClose={() => {}} />, bridge);
    await user.type(await screen.findByTestId("collection-input"), "Portrait workflow{Enter}");
    await user.click(screen.getByRole("button", { name: "Remove collection Inks" }));
    await waitFor(() =>
      expect(bridge.callsOf("change_collections")).toEqual([
        { refs: [model.id], add: ["Portrait workflow"], remove: [] },
        { refs: [model.id], add: [], remove: ["Inks"] },
      ]),
    );
  });
});
