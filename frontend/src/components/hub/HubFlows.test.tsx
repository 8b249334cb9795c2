import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { FileEntry, ModelMetadata } from "../../api/types";
import { missingShards } from "../../lib/shards";
import { createFakeBridge } from "../../test/fakeBridge";
import { metadata } from "../../test/factories";
import { renderWithBridge } from "../../test/render";
import { DetailPanel } from "../DetailPanel";
import { ImportedTrust } from "../import/ImportedTrust";

function shard(i: number): FileEntry {
  return {
    path: `big-0000${i}-of-00003.safetensors`,
    size: 10,
    sha256: `${i}`.repeat(64),
    blake3: null,
    mtime_ns: 1,
    role: "weights",
    shard_index: i,
    shard_total: 3,
    git_sha1: null,
  };
}

describe("Hugging Face flows in the window", () => {
  it("asks the user to confirm a low-confidence match right after the import", async () => {
    const user = userEvent.setup();
    let model: ModelMetadata = metadata({
      match_method: "filename_fuzzy",
      match_source: "auto",
      repo_id: "someone/similar-lora",
      pending_online_lookup: false,
    });
    const bridge = createFakeBridge({
      get_model: () => ({ model, library_dir: "/lib" }),
      set_match: ({ repo_id }) => {
        model = { ...model, match_source: "manual", repo_id: repo_id ?? null };
        return model;
      },
    });
    renderWithBridge(<ImportedTrust id={model.id} />, bridge);
    const trust = await screen.findByTestId("imported-trust");
    expect(within(trust).getByText("Low confidence")).toBeInTheDocument();
    await user.click(within(trust).getByTestId("confirm-import-match"));
    await waitFor(() =>
      expect(bridge.callsOf("set_match")).toEqual([
        { ref: model.id, repo_id: "someone/similar-lora" },
      ]),
    );
    await waitFor(() => expect(screen.queryByTestId("confirm-import-match")).toBeNull());
  });

  it("finds a model's repo on the Hub by its cleaned name and records the choice", async () => {
    const user = userEvent.setup();
    const model = metadata({ match_method: "none" });
    const bridge = createFakeBridge({
      get_model: () => ({ model, library_dir: "/lib" }),
      search_hub: ({ query }) => ({
        query: query ?? "my lora",
        hits: [
          { repo_id: "org/my-lora", downloads: 1234, pipeline_tag: "text-to-image", tags: [] },
        ],
      }),
      set_match: ({ repo_id }) => ({ ...model, repo_id: repo_id ?? null, match_source: "manual" }),
    });
    renderWithBridge(<DetailPanel modelId={model.id} onClose={() => {}} />, bridge);
    await user.click(await screen.findByTestId("find-on-hub"));
    const dialog = await screen.findByTestId("find-on-hub-dialog");
    expect(await within(dialog).findByText("org/my-lora")).toBeInTheDocument();
    expect(bridge.callsOf("search_hub")).toEqual([{ ref: model.id }]);
    await user.click(within(dialog).getByRole("button", { name: "It is org/my-lora" }));
    await waitFor(() =>
      expect(bridge.callsOf("set_match")).toEqual([{ ref: model.id, repo_id: "org/my-lora" }]),
    );
  });

  it("offers Download missing shards for an incomplete set matched to a repo", async () => {
    const user = userEvent.setup();
    const model = metadata({
      model_format: "sharded-set",
      files: [shard(1), shard(3)],
      repo_id: "bigorg/big-model",
      match_method: "hash",
    });
    expect(missingShards(model)).toBe(1);
    expect(missingShards({ ...model, files: [shard(1), shard(2), shard(3)] })).toBe(0);
    const bridge = createFakeBridge({
      get_model: () => ({ model, library_dir: "/lib" }),
      start_complete_shards: () => ({ job_id: "j" }),
    });
    renderWithBridge(<DetailPanel modelId={model.id} onClose={() => {}} />, bridge);
    const button = await screen.findByTestId("complete-shards");
    expect(button).toHaveTextContent("Download missing shards (1)");
    await user.click(button);
    await waitFor(() =>
      expect(bridge.callsOf("start_complete_shards")).toEqual([{ ref: model.id }]),
    );
  });
});
