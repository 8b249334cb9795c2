import { describe, expect, it } from "vitest";
import type { PickleScan } from "../api/types";
import { pickleScanSummary, visibleWarnings } from "./pickleScan";

const scan = (over: Partial<PickleScan>): PickleScan => ({
  verdict: "clean",
  globals: [],
  dangerous: [],
  unknown: [],
  streams_scanned: 1,
  truncated: false,
  ...over,
});

describe("pickleScanSummary", () => {
  it("is silent without a scan", () => {
    expect(pickleScanSummary(null)).toBeNull();
  });
  it("names dangerous references and says the file is blocked", () => {
    const text = pickleScanSummary(scan({ verdict: "dangerous", dangerous: ["os.system"] }));
    expect(text).toContain("os.system");
    expect(text).toContain("cannot be imported");
  });
  it("lists at most four unknown references and mentions a partial scan", () => {
    const unknown = ["a.A", "b.B", "c.C", "d.D", "e.E", "f.F"];
    const text = pickleScanSummary(scan({ verdict: "unknown_globals", unknown, truncated: true }))!;
    expect(text).toContain("a.A, b.B, c.C, d.D and 2 more");
    expect(text).toContain("could not read the whole file");
  });
  it("reports a clean scan with its stream count", () => {
    expect(pickleScanSummary(scan({ streams_scanned: 5 }))).toContain("5 pickle streams read");
  });
});

describe("visibleWarnings", () => {
  it("says the pickle warning once: in the box when it is shown", () => {
    const item = { warnings: ["pickle format: can execute code", "a symlink was left out"] };
    expect(visibleWarnings(item, true)).toEqual(["a symlink was left out"]);
    expect(visibleWarnings(item, false)).toEqual(item.warnings);
  });
});
