import { describe, expect, it } from "vitest";
import {
  baseName,
  formatBytes,
  formatCount,
  formatEta,
  formatPercent,
  formatRate,
  kindLabel,
  progressFraction,
  shortHash,
} from "./format";

describe("format", () => {
  it("formats bytes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.50 KiB");
    expect(formatBytes(6.46 * 1024 ** 3)).toBe("6.46 GiB");
    expect(formatBytes(20 * 1024 ** 3)).toBe("20.0 GiB");
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(null)).toBe("—");
  });

  it("names a model's kind compactly for the list", () => {
    expect(kindLabel("diffusion", "text_encoders")).toBe("text encoders");
    expect(kindLabel("other", "upscale_models")).toBe("upscale models");
    expect(kindLabel("llm", "loras")).toBe("llm · loras");
    expect(kindLabel("llm", "llm")).toBe("llm");
    expect(kindLabel("other", null)).toBe("other");
  });

  it("formats rates and ETAs", () => {
    expect(formatRate(1.2 * 1024 ** 3)).toBe("1.20 GiB/s");
    expect(formatRate(0)).toBe("—");
    expect(formatEta(0.4)).toBe("<1s");
    expect(formatEta(45)).toBe("45s");
    expect(formatEta(185)).toBe("3m 05s");
    expect(formatEta(7620)).toBe("2h 07m");
    expect(formatEta(null)).toBe("—");
  });

  it("formats percentages, counts, hashes and names", () => {
    expect(formatPercent(0.876)).toBe("88%");
    expect(formatPercent(1.5)).toBe("100%");
    expect(formatCount(7_240_000_000)).toBe("7.2B");
    expect(formatCount(350_000)).toBe("350K");
    expect(shortHash("abcdef0123456789", 6)).toBe("abcdef…");
    expect(baseName("/a/b/ü model.safetensors")).toBe("ü model.safetensors");
    expect(progressFraction(5, 0)).toBe(0);
    expect(progressFraction(150, 100)).toBe(1);
  });
});

describe("labels of the 2026 detector ids", () => {
  it("names the terse ones and spaces the rest", () => {
    expect(kindLabel("diffusion", "ipadapter")).toBe("IP-Adapter");
    expect(kindLabel("llm", "mmproj")).toBe("llm · vision projector");
    expect(kindLabel("other", "depth_models")).toBe("depth models");
  });
});
