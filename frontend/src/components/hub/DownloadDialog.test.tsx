import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { createFakeBridge } from "../../test/fakeBridge";
import { renderWithBridge } from "../../test/render";
import { DownloadDialog } from "./DownloadDialog";

describe("DownloadDialog", () => {
  it("lists a repo's files, picks a folder whole, and starts the download", async () => {
    const user = userEvent.setup();
    const started: string[][] = [];
    const bridge = createFakeBridge({
      list_repo_files: ({ repo_id }) => ({
        repo_id,
        revision: "main",
        files: [
          { path: "model_index.json", size: 500, sha256: null, git_oid: "a" },
          {
            path: "unet/diffusion_pytorch_model.safetensors",
            size: 3_000_000_000,
            sha256: "b",
            git_oid: "c",
          },
          { path: "unet/config.json", size: 700, sha256: null, git_oid: "d" },
          { path: "demo-Q4_K_M.gguf", size: 4_000_000_000, sha256: "e", git_oid: "f" },
        ],
      }),
      start_download: ({ files }) => {
        started.push(files);
        return { job_id: "j-dl" };
      },
    });
    let closed = false;
    renderWithBridge(
      <DownloadDialog onClose={() => (closed = true)} onAdoptCache={() => {}} />,
      bridge,
    );
    await user.type(screen.getByTestId("download-repo"), "org/demo{Enter}");
    const list = await screen.findByTestId("repo-files");
    expect(list.textContent).toContain("unet/ (2.79 GiB)");
    await user.click(within(list).getByLabelText("The whole folder unet"));
    await user.click(within(list).getByLabelText("Download model_index.json"));
    expect(screen.getByTestId("start-download").textContent).toContain("Download 3 files");
    await user.click(screen.getByTestId("start-download"));
    await waitFor(() => expect(started).toHaveLength(1));
    expect([...started[0]].sort()).toEqual([
      "model_index.json",
      "unet/config.json",
      "unet/diffusion_pytorch_model.safetensors",
    ]);
    await waitFor(() => expect(closed).toBe(true));
  });
});
