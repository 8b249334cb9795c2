import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AppStatus } from "../../api/types";
import { createFakeBridge } from "../../test/fakeBridge";
import { renderWithBridge } from "../../test/render";
import { MovedBanner } from "./MovedBanner";

function status(moved_from: string | null): AppStatus {
  return {
    version: "0.1.0",
    home: "/h",
    library_root: "/new/library",
    model_count: 3,
    bridge: "web",
    staging_swept: [],
    read_only: false,
    shared_filesystem: null,
    moved_from,
  };
}

describe("MovedBanner", () => {
  it("offers to re-point the links after the library moved, then goes", async () => {
    const user = userEvent.setup();
    const calls: string[] = [];
    let moved: string | null = "/old/library";
    const bridge = createFakeBridge({
      get_status: () => status(moved),
      relocate: (args) => {
        calls.push(`${args.old} -> ${args.new}`);
        moved = null;
        return { apps: [], links_repointed: 2 };
      },
    });
    renderWithBridge(<MovedBanner />, bridge);
    expect((await screen.findByTestId("moved-banner")).textContent).toContain("/old/library");
    await user.click(screen.getByTestId("relocate-links"));
    await waitFor(() => expect(calls).toEqual(["/old/library -> /new/library"]));
    await waitFor(() => expect(screen.queryByTestId("moved-banner")).toBeNull());
  });

  it("stays away when nothing moved, and can be dismissed", async () => {
    const user = userEvent.setup();
    const bridge = createFakeBridge({
      get_status: () => status("/old/library"),
      dismiss_move: () => status(null),
    });
    renderWithBridge(<MovedBanner />, bridge);
    await user.click(await screen.findByTestId("dismiss-move"));
    await waitFor(() => expect(screen.queryByTestId("moved-banner")).toBeNull());
  });
});
