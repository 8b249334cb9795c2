import { describe, expect, it } from "vitest";
import type { ImportPlan } from "../api/types";
import { detection, errorInfo, planItem } from "../test/factories";
import {
  blockedItems,
  buildStartArgs,
  canStart,
  importFlowReducer,
  initialImportFlow,
  parsePathInput,
  summarize,
  type ImportFlowState,
} from "./importFlow";

const plan: ImportPlan = {
  plan_id: "plan-1",
  items: [
    planItem({
      key: "/d/diffusers",
      name: "sd15",
      model_format: "diffusers-folder",
      root: "/d/diffusers",
      paths: ["/d/diffusers/unet/x.safetensors", "/d/diffusers/vae/y.safetensors"],
    }),
    planItem({
      key: "/s/m-00001-of-00002.safetensors",
      name: "m",
      model_format: "sharded-set",
      paths: ["/s/m-00001-of-00002.safetensors", "/s/m-00002-of-00002.safetensors"],
    }),
    planItem({
      key: "/p/x.ckpt",
      name: "x",
      security_tier: "pickle", // the plan's word (the backend folds the detection in)
      detection: detection({ format: "pickle" }),
    }),
    planItem({ key: "/bad.safetensors", name: "bad", error: errorInfo("header is truncated") }),
  ],
  rejected: [],
};

const planned = (): ImportFlowState => importFlowReducer(initialImportFlow, { type: "plan", plan });

describe("importFlowReducer", () => {
  it("includes every importable item and blocks on an unacknowledged pickle", () => {
    const s = planned();
    expect(s.choices["/bad.safetensors"].include).toBe(false);
    expect(blockedItems(plan, s).map((i) => i.key)).toEqual(["/p/x.ckpt"]);
    expect(canStart(plan, s)).toBe(false);
    const acked = importFlowReducer(s, { type: "accept-pickle", key: "/p/x.ckpt", value: true });
    expect(canStart(plan, acked)).toBe(true);
  });

  it("offers duplicates unticked (they add nothing new)", () => {
    const dupPlan: ImportPlan = {
      plan_id: "plan-2",
      items: [planItem({ key: "/a", duplicate_of: "m1" }), planItem({ key: "/b" })],
      rejected: [],
    };
    const s = importFlowReducer(initialImportFlow, { type: "plan", plan: dupPlan });
    expect(s.choices["/a"].include).toBe(false);
    expect(s.choices["/b"].include).toBe(true);
  });

  it("builds start_import arguments: the plan id and options for each kept item", () => {
    let s = planned();
    s = importFlowReducer(s, { type: "accept-pickle", key: "/p/x.ckpt", value: true });
    const args = buildStartArgs(plan, s);
    expect(args.plan_id).toBe("plan-1");
    expect(Object.keys(args.items)).toEqual([
      "/d/diffusers",
      "/s/m-00001-of-00002.safetensors",
      "/p/x.ckpt",
    ]);
    expect(args.items["/p/x.ckpt"]).toEqual({ mode: "copy", lookup: true, accept_pickle: true });
    expect(args.items["/d/diffusers"]).toEqual({
      mode: "copy",
      lookup: true,
      accept_pickle: false,
    });
    expect(args.items["/bad.safetensors"]).toBeUndefined();
  });

  it("ignores choices once the import started", () => {
    let s = planned();
    s = importFlowReducer(s, { type: "starting" });
    s = importFlowReducer(s, { type: "started", jobId: "j" });
    expect(s.step).toBe("progress");
    const after = importFlowReducer(s, { type: "toggle-include", key: "/d/diffusers" });
    expect(after).toBe(s);
    expect(importFlowReducer(s, { type: "mode", mode: "move" }).mode).toBe("copy");
  });

  it("buffers events that arrive before the job id, and drops them if nothing is starting", () => {
    let s = planned();
    const evt = {
      type: "job.progress" as const,
      payload: {
        job_id: "j",
        kind: "import" as const,
        items_done: 0,
        items_total: 1,
        bytes_done: 5,
        bytes_total: 10,
        rate_bps: 1,
        eta_s: 5,
        item: {
          key: "/d/diffusers",
          file: "unet/x.safetensors",
          stage: "copying" as const,
          bytes_done: 5,
          bytes_total: 10,
          rate_bps: 1,
          eta_s: 5,
        },
        title: null,
      },
    };
    expect(importFlowReducer(s, evt)).toBe(s); // not starting: someone else's job
    s = importFlowReducer(s, { type: "starting" });
    s = importFlowReducer(s, evt);
    s = importFlowReducer(s, { ...evt, payload: { ...evt.payload, job_id: "other" } });
    s = importFlowReducer(s, { type: "started", jobId: "j" });
    expect(s.progress["/d/diffusers"].stage).toBe("copying");
    expect(s.overall?.bytes_done).toBe(5);
    expect(s.pending).toEqual([]);
  });

  it("summarises results, including results only carried by job.done", () => {
    let s = planned();
    s = importFlowReducer(s, { type: "accept-pickle", key: "/p/x.ckpt", value: true });
    s = importFlowReducer(s, { type: "starting" });
    s = importFlowReducer(s, { type: "started", jobId: "j" });
    s = importFlowReducer(s, {
      type: "job.item_done",
      payload: {
        job_id: "j",
        kind: "import",
        result: {
          ok: true,
          key: "/d/diffusers",
          id: "a",
          path: "p",
          hashes: null,
          duplicate_of: null,
          warnings: [],
          error: null,
        },
        error: null,
      },
    });
    s = importFlowReducer(s, {
      type: "job.done",
      payload: {
        job_id: "j",
        kind: "import",
        status: "failed",
        problems: 0,
        bytes_read: null,
        error: errorInfo("disk full"),
        result: {
          results: [
            {
              ok: false,
              key: "/p/x.ckpt",
              id: null,
              path: null,
              hashes: null,
              duplicate_of: null,
              warnings: [],
              error: { code: "pickle_refused", message: "refused", details: {} },
            },
          ],
        },
      },
    });
    expect(s.step).toBe("summary");
    const sum = summarize(plan, s);
    expect(sum.succeeded.map((r) => r.key)).toEqual(["/d/diffusers"]);
    expect(sum.failed).toEqual([
      { key: "/p/x.ckpt", name: "x", message: "refused" },
      { key: "/s/m-00001-of-00002.safetensors", name: "m", message: "disk full" },
    ]);
  });
});

describe("dropped paths", () => {
  it("parses one path per line, dropping quotes and blanks", () => {
    expect(parsePathInput(' "/a b/c.safetensors" \n\n/d/e.gguf\r\n')).toEqual([
      "/a b/c.safetensors",
      "/d/e.gguf",
    ]);
  });
});
