import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { errorInfo } from "../test/factories";
import type { JobInfo } from "../api/types";
import { createFakeBridge } from "../test/fakeBridge";
import { renderWithBridge } from "../test/render";
import { ReclassifyAction } from "./ReclassifyAction";

const broken = {
  dry_run: true,
  changed: [],
  unchanged: 2,
  errors: [errorInfo("not a model file", { ref: "m-broken" })],
};

describe("ReclassifyAction", () => {
  it("reports models whose header could not be read instead of calling the library up to date", async () => {
    const user = userEvent.setup();
    const bridge = createFakeBridge({ start_reclassify: () => ({ job_id: "dry" }) });
    renderWithBridge(<ReclassifyAction />, bridge);
    await user.click(screen.getByTestId("reclassify-button"));
    await waitFor(() => expect(bridge.callsOf("start_reclassify")).toHaveLength(1));
    act(() =>
      bridge.emit("job.done", {
        job_id: "dry",
        kind: "reclassify",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: broken,
        error: null,
      }),
    );
    expect(await screen.findByText("1 model could not be checked")).toBeInTheDocument();
    expect(screen.getByText("m-broken: not a model file")).toBeInTheDocument();
    expect(screen.getByTestId("reclassify-button")).toBeEnabled();
  });

  it("takes a check that finished before start_reclassify answered", async () => {
    const user = userEvent.setup();
    let answer: (ref: { job_id: string }) => void = () => {};
    const bridge = createFakeBridge({
      start_reclassify: () => new Promise((resolve) => (answer = resolve)),
    });
    renderWithBridge(<ReclassifyAction />, bridge);
    await user.click(screen.getByTestId("reclassify-button"));
    expect(screen.getByTestId("reclassify-progress-text")).toHaveTextContent("Starting…");
    const clean = { dry_run: true, changed: [], unchanged: 7, errors: [] };
    act(() =>
      bridge.emit("job.done", {
        job_id: "quick",
        kind: "reclassify",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: clean,
        error: null,
      }),
    );
    await act(async () => answer({ job_id: "quick" }));
    expect(
      await screen.findByText("Every model is classified as the current detector would"),
    ).toBeInTheDocument();
    expect(screen.queryByTestId("reclassify-progress")).toBeNull();
  });

  it("cancels the running check", async () => {
    const user = userEvent.setup();
    const cancelled: JobInfo = {
      job_id: "dry",
      kind: "reclassify",
      status: "cancelled",
      problems: 0,
      bytes_read: null,
      created_at: "",
      updated_at: "",
      items_total: 9,
      items_done: 3,
      bytes_total: 0,
      bytes_done: 0,
      title: "",
      error: null,
      result: null,
    };
    const bridge = createFakeBridge({
      start_reclassify: () => ({ job_id: "dry" }),
      cancel_job: () => cancelled,
      list_jobs: () => [],
    });
    renderWithBridge(<ReclassifyAction />, bridge);
    await user.click(screen.getByTestId("reclassify-button"));
    await user.click(await screen.findByTestId("reclassify-cancel"));
    expect(bridge.callsOf("cancel_job")).toEqual([{ job_id: "dry" }]);
    act(() =>
      bridge.emit("job.done", {
        job_id: "dry",
        kind: "reclassify",
        status: "cancelled",
        problems: 0,
        bytes_read: null,
        result: null,
        error: null,
      }),
    );
    expect(
      await screen.findByText("Checking the classifications was cancelled"),
    ).toBeInTheDocument();
    expect(screen.queryByTestId("reclassify-preview")).toBeNull();
  });
});
