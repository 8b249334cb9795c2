import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { createFakeBridge } from "../test/fakeBridge";
import { renderWithBridge } from "../test/render";
import { ReclassifyAction } from "./ReclassifyAction";

describe("ReclassifyAction", () => {
  it("reports models whose header could not be read instead of calling the library up to date", async () => {
    const user = userEvent.setup();
    const bridge = createFakeBridge({
      reclassify: ({ dry_run }) => ({
        dry_run: !!dry_run,
        changed: [],
        unchanged: 2,
        errors: [{ ref: "m-broken", error: "not a model file" }],
      }),
    });
    renderWithBridge(<ReclassifyAction />, bridge);
    await user.click(screen.getByTestId("reclassify-button"));
    expect(await screen.findByText("1 model could not be checked")).toBeInTheDocument();
    expect(screen.getByText("m-broken: not a model file")).toBeInTheDocument();
  });
});
