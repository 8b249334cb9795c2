import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MatchBadge, trustLabel } from "./Badge";

describe("trust badges", () => {
  it("names each Hugging Face match as the user sees it", () => {
    expect(trustLabel("hash", false, false).label).toBe("Verified");
    expect(trustLabel("filename_exact", false, false).label).toBe("High confidence");
    expect(trustLabel("filename_exact", true, false).label).toBe("Modified version");
    expect(trustLabel("filename_fuzzy", false, false).label).toBe("Low confidence");
    expect(trustLabel("none", false, false).label).toBe("No match");
    expect(trustLabel("none", false, true).label).toBe("Pending");
    expect(trustLabel("hash", true, false).label).toBe("Verified");
  });

  it("shows a pending model as Pending and an unmatched one as a dash", () => {
    const { rerender } = render(<MatchBadge method="none" pending />);
    expect(screen.getByText("Pending")).toBeTruthy();
    rerender(<MatchBadge method="none" />);
    expect(screen.getByText("—")).toBeTruthy();
  });
});
