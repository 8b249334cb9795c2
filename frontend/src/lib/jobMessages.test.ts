import { describe, expect, it } from "vitest";
import { jobDoneMessage } from "./jobMessages";
import { errorInfo } from "../test/factories";

describe("jobDoneMessage", () => {
  it("counts import outcomes", () => {
    const m = jobDoneMessage({
      job_id: "j",
      kind: "import",
      status: "done",
      problems: 0,
      bytes_read: null,
      result: [{ ok: true }, { ok: true, duplicate_of: "x" }, { ok: false }],
      error: null,
    });
    expect(m).toEqual({
      kind: "warning",
      title: "Import finished",
      message: "1 imported, 1 already in the library, 1 failed",
    });
  });

  it("reports failures and cancellations", () => {
    expect(
      jobDoneMessage({
        job_id: "j",
        kind: "rebuild",
        status: "failed",
        problems: 0,
        bytes_read: null,
        result: null,
        error: errorInfo("locked"),
      }),
    ).toEqual({
      kind: "error",
      title: "Index rebuild failed",
      message: "locked",
    });
    expect(
      jobDoneMessage({
        job_id: "j",
        kind: "verify",
        status: "cancelled",
        problems: 0,
        bytes_read: null,
        result: null,
        error: null,
      }).kind,
    ).toBe("warning");
  });

  it("summarises re-classification, dry run or not", () => {
    const change = { id: "m", old_path: "a", new_path: "b", changes: { family: ["sd2", "sd1"] } };
    const dry = { dry_run: true, changed: [change], unchanged: 4, errors: [] };
    expect(
      jobDoneMessage({
        job_id: "j",
        kind: "reclassify",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: dry,
        error: null,
      }),
    ).toEqual({
      kind: "success",
      title: "Classification checked",
      message: "1 would change, 4 unchanged",
    });
    const real = { ...dry, dry_run: false, errors: [{ ref: "x", error: "bad header" }] };
    expect(
      jobDoneMessage({
        job_id: "j",
        kind: "reclassify",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: real,
        error: null,
      }),
    ).toEqual({
      kind: "warning",
      title: "Re-classified models",
      message: "1 re-filed, 4 unchanged, 1 model could not be checked",
    });
    expect(
      jobDoneMessage({
        job_id: "j",
        kind: "reclassify",
        status: "cancelled",
        problems: 0,
        bytes_read: null,
        result: null,
        error: null,
      }).title,
    ).toBe("Re-classification cancelled");
  });

  it("summarises verification", () => {
    const ok = jobDoneMessage({
      job_id: "j",
      kind: "verify",
      status: "done",
      problems: 0,
      bytes_read: null,
      result: { models: [{ ok: true }, { ok: true }] },
      error: null,
    });
    expect(ok).toMatchObject({ kind: "success", message: "2 models match the recorded hashes" });
  });
});
