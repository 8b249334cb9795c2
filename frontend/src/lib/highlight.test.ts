import { describe, expect, it } from "vitest";
import { highlight } from "./highlight";

const marked = (name: string, query: string) =>
  highlight(name, query)
    .filter((p) => p.hit)
    .map((p) => p.text);

describe("highlight", () => {
  it("marks the prefix of each word a query word starts", () => {
    expect(marked("Meta-Llama-3.1-8B-Instruct", "meta lla")).toEqual(["Meta", "Lla"]);
    expect(marked("sd_xl_base_1.0", "sd_xl")).toEqual(["sd", "xl"]);
    expect(marked("qwen Q4_K_M", "q4_k_m")).toEqual(["Q4", "K", "M"]);
  });

  it("ignores case and diacritics both ways", () => {
    expect(marked("Café Racer", "cafe")).toEqual(["Café"]);
    expect(marked("Cafe Racer", "café")).toEqual(["Cafe"]);
  });

  it("keeps the whole name, in order, and marks nothing for no match or no query", () => {
    const pieces = highlight("Pixel Art XL", "art");
    expect(pieces.map((p) => p.text).join("")).toBe("Pixel Art XL");
    expect(marked("Pixel Art XL", "zebra")).toEqual([]);
    expect(highlight("Pixel Art XL", "  ")).toEqual([{ text: "Pixel Art XL", hit: false }]);
  });

  it("does not mark the middle of a word", () => {
    expect(marked("Ultralight", "light")).toEqual([]);
  });
});
