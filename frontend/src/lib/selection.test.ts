import { describe, expect, it } from "vitest";
import { clickSelection, EMPTY_SELECTION, only, selectAll, single } from "./selection";

const rows = ["a", "b", "c", "d", "e"];
const plain = { shift: false, toggle: false };
const toggle = { shift: false, toggle: true };
const shift = { shift: true, toggle: false };

describe("selection", () => {
  it("a plain click selects only that row", () => {
    const s = clickSelection(selectAll(rows), rows, "c", plain);
    expect([...s.ids]).toEqual(["c"]);
    expect(single(s)).toBe("c");
  });

  it("ctrl-click toggles one row and moves the anchor", () => {
    let s = clickSelection(only("a"), rows, "c", toggle);
    expect([...s.ids].sort()).toEqual(["a", "c"]);
    expect(single(s)).toBeNull();
    s = clickSelection(s, rows, "a", toggle);
    expect([...s.ids]).toEqual(["c"]);
    expect(s.anchor).toBe("a");
  });

  it("shift-click selects the range from the anchor, either direction", () => {
    expect([...clickSelection(only("b"), rows, "d", shift).ids]).toEqual(["b", "c", "d"]);
    expect([...clickSelection(only("d"), rows, "b", shift).ids].sort()).toEqual(["b", "c", "d"]);
  });

  it("shift-click replaces the selection; ctrl+shift adds the range to it", () => {
    const start = clickSelection(only("a"), rows, "e", toggle); // {a, e}, anchor e
    expect([...clickSelection(start, rows, "d", shift).ids].sort()).toEqual(["d", "e"]);
    const added = clickSelection(start, rows, "d", { shift: true, toggle: true });
    expect([...added.ids].sort()).toEqual(["a", "d", "e"]);
  });

  it("shift-click without an anchor in view toggles the row", () => {
    expect([...clickSelection(EMPTY_SELECTION, rows, "b", shift).ids]).toEqual(["b"]);
    const gone = { ids: new Set(["zz"]), anchor: "zz" };
    expect([...clickSelection(gone, rows, "b", shift).ids].sort()).toEqual(["b", "zz"]);
  });

  it("select all takes every id given", () => {
    const s = selectAll(["x", "y"]);
    expect(s.ids.size).toBe(2);
    expect(single(EMPTY_SELECTION)).toBeNull();
  });
});
