import { act, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SEARCH_DEBOUNCE_MS, SEARCH_LONE_LETTER_DEBOUNCE_MS, SearchBox } from "./TopBar";

/** A window that takes a while to echo the search back (a big library's re-render). */
function SlowEcho({ echoMs, sent }: { echoMs: number; sent: string[] }) {
  const [value, setValue] = useState("");
  return (
    <>
      <SearchBox
        value={value}
        onSearch={(text) => {
          sent.push(text);
          window.setTimeout(() => setValue(text), echoMs);
        }}
      />
      <button type="button" onClick={() => setValue("")}>
        clear
      </button>
    </>
  );
}

describe("the search box", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());
  const later = (ms: number) => act(() => void vi.advanceTimersByTime(ms));
  const type = (box: HTMLElement, value: string) => fireEvent.change(box, { target: { value } });

  it("keeps the keys typed while an earlier search comes back", () => {
    const sent: string[] = [];
    render(<SlowEcho echoMs={SEARCH_DEBOUNCE_MS / 2} sent={sent} />);
    const box = screen.getByTestId("search-input");
    type(box, "pix");
    later(SEARCH_DEBOUNCE_MS); // "pix" is sent
    expect(sent).toEqual(["pix"]);
    type(box, "pixel"); // typed before its echo lands (and before "pixel" is sent)
    later(SEARCH_DEBOUNCE_MS / 2); // the echo of "pix"
    expect(box).toHaveValue("pixel");
    later(SEARCH_DEBOUNCE_MS * 2);
    expect(sent).toEqual(["pix", "pixel"]);
    expect(box).toHaveValue("pixel");
  });

  it("waits for the typing to pause before searching a lone first letter", () => {
    const sent: string[] = [];
    render(<SlowEcho echoMs={0} sent={sent} />);
    const box = screen.getByTestId("search-input");
    type(box, "p");
    later(SEARCH_DEBOUNCE_MS * 2);
    expect(sent).toEqual([]); // a second key is usually coming
    type(box, "pi");
    later(SEARCH_DEBOUNCE_MS);
    expect(sent).toEqual(["pi"]); // the lone letter was never asked for
    type(box, "q");
    later(SEARCH_LONE_LETTER_DEBOUNCE_MS);
    expect(sent).toEqual(["pi", "q"]); // and is, once the typing pauses
  });

  it("takes a change made elsewhere (Clear filters)", () => {
    render(<SlowEcho echoMs={0} sent={[]} />);
    const box = screen.getByTestId("search-input");
    type(box, "neon");
    later(SEARCH_DEBOUNCE_MS * 2);
    expect(box).toHaveValue("neon");
    fireEvent.click(screen.getByRole("button", { name: "clear" }));
    expect(box).toHaveValue("");
  });
});
