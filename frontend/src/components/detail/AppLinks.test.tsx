import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ModelLinks } from "../../api/types";
import { createFakeBridge } from "../../test/fakeBridge";
import { renderWithBridge } from "../../test/render";
import { AppLinks } from "./AppLinks";

function links(exclude: boolean, name: string | null): ModelLinks {
  return {
    model_id: "m1",
    apps: [
      {
        app_id: "comfyui",
        app_name: "ComfyUI",
        exclude,
        target_name: name,
        links: exclude ? [] : [`loras/${name ?? "style.safetensors"}`],
      },
    ],
    problem: null,
  };
}

describe("AppLinks", () => {
  it("keeps a model out of an app, and renames its link there", async () => {
    const user = userEvent.setup();
    const calls: string[] = [];
    const bridge = createFakeBridge({
      get_model_links: () => links(false, null),
      set_link_choice: ({ app, exclude, target_name }) => {
        calls.push(`${app} ${exclude} ${target_name}`);
        return links(!!exclude, target_name ?? null);
      },
    });
    renderWithBridge(<AppLinks modelId="m1" />, bridge);
    expect((await screen.findByTestId("app-links")).textContent).toContain(
      "loras/style.safetensors",
    );
    await user.click(screen.getByLabelText("Link into ComfyUI"));
    await waitFor(() => expect(calls).toEqual(["comfyui true null"]));
    expect(await screen.findByText("kept out")).toBeTruthy();
    await user.click(screen.getByLabelText("Link into ComfyUI"));
    await user.type(
      await screen.findByLabelText("Link name in ComfyUI"),
      "my style.safetensors{Enter}",
    );
    await waitFor(() => expect(calls).toContain("comfyui false my style.safetensors"));
  });
});
