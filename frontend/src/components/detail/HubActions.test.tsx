import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { createFakeBridge } from "../../test/fakeBridge";
import { metadata } from "../../test/factories";
import { renderWithBridge } from "../../test/render";
import { HubSection } from "./Sections";

describe("Hugging Face actions", () => {
  it("confirms a low-confidence match, retries the lookup, names a repo", async () => {
    const user = userEvent.setup();
    const calls: string[] = [];
    const model = metadata({
      match_method: "filename_fuzzy",
      repo_id: "org/demo",
      match_confidence: 0.4,
    });
    const bridge = createFakeBridge({
      set_match: ({ repo_id }) => {
        calls.push(`set ${repo_id}`);
        return { ...model, repo_id: repo_id ?? null, match_source: "manual" };
      },
      start_lookup: ({ refs }) => {
        calls.push(`lookup ${(refs ?? []).join(",")}`);
        return { job_id: "j1" };
      },
    });
    renderWithBridge(<HubSection model={model} />, bridge);
    await user.click(screen.getByTestId("confirm-match"));
    await waitFor(() => expect(calls).toContain("set org/demo"));
    await user.click(screen.getByTestId("retry-lookup"));
    await waitFor(() => expect(calls).toContain(`lookup ${model.id}`));
    await user.type(screen.getByTestId("manual-repo"), "other/repo{Enter}");
    await waitFor(() => expect(calls).toContain("set other/repo"));
    await user.click(screen.getByTestId("no-match"));
    await waitFor(() => expect(calls).toContain("set null"));
  });
});
