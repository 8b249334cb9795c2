import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { createFakeBridge } from "../../test/fakeBridge";
import { renderWithBridge } from "../../test/render";
import { AdoptCacheDialog } from "./AdoptCacheDialog";

const snapshot = (commit: string, extra = {}) => ({
  commit,
  refs: ["main"],
  files: [{ path: "m.gguf", blob: "/c/blobs/x", size: 2_000_000_000, sha256: "x", git_sha1: null }],
  size_bytes: 2_000_000_000,
  skipped: [],
  in_library: 0,
  ...extra,
});

describe("AdoptCacheDialog", () => {
  it("scans the default cache, shows each repo, and adopts the chosen ones", async () => {
    const user = userEvent.setup();
    const bridge = createFakeBridge({
      scan_hf_cache: () => ({
        path: "/home/u/.cache/huggingface/hub",
        repos: [
          { repo_id: "org/a", folder: "/c/a", snapshots: [snapshot("a".repeat(40))] },
          {
            repo_id: "org/b",
            folder: "/c/b",
            snapshots: [
              snapshot("b".repeat(40), { in_library: 1, skipped: ["x.bin: a dangling link"] }),
            ],
          },
        ],
      }),
      start_adopt: () => ({ job_id: "j-adopt" }),
    });
    let closed = false;
    renderWithBridge(<AdoptCacheDialog onClose={() => (closed = true)} />, bridge);
    await user.click(screen.getByRole("button", { name: "Scan" }));
    const list = await screen.findByTestId("cache-repos");
    expect(bridge.callsOf("scan_hf_cache")).toEqual([{}]);
    expect(list.textContent).toContain("1 already in the library");
    expect(list.textContent).toContain("x.bin: a dangling link");
    await user.click(within(list).getByLabelText("Adopt org/b"));
    await user.click(screen.getByTestId("adopt-trust"));
    await user.click(screen.getByTestId("start-adopt"));
    await waitFor(() =>
      expect(bridge.callsOf("start_adopt")).toEqual([
        {
          repos: [{ repo_id: "org/b", commit: "b".repeat(40) }],
          path: "/home/u/.cache/huggingface/hub",
          trust: false,
        },
      ]),
    );
    await waitFor(() => expect(closed).toBe(true));
  });
});
