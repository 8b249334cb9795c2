import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { summary } from "../test/factories";
import { LibraryList, nextSort, ROW_HEIGHT } from "./LibraryList";

const TEN_THOUSAND = 10_000;
const rows = Array.from({ length: TEN_THOUSAND }, (_, i) => summary(i));

function renderList(over: Partial<Parameters<typeof LibraryList>[0]> = {}) {
  const props = {
    rows,
    total: TEN_THOUSAND,
    sort: { sort: "name" as const, descending: false },
    onSort: vi.fn(),
    selected: new Set<string>() as ReadonlySet<string>,
    onOpen: vi.fn(),
    onSelect: vi.fn(),
    onSelectAll: vi.fn(),
    onNeedMore: vi.fn(),
    ...over,
  };
  render(<LibraryList {...props} />);
  return props;
}

describe("LibraryList", () => {
  it("keeps only the visible rows of 10,000 in the DOM", () => {
    renderList();
    const rendered = screen.getAllByTestId("library-row");
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(100);
    expect(rendered[0]).toHaveAttribute("data-model-id", "id-00000");
    // the scroll height still represents every row
    const spacer = screen.getByTestId("library-scroll").firstElementChild as HTMLElement;
    expect(spacer.style.height).toBe(`${TEN_THOUSAND * ROW_HEIGHT}px`);
  });

  it("renders the rows around the scroll position after a scroll", () => {
    renderList();
    const scroller = screen.getByTestId("library-scroll");
    scroller.scrollTop = 5000 * ROW_HEIGHT;
    fireEvent.scroll(scroller);
    const ids = screen.getAllByTestId("library-row").map((r) => r.getAttribute("data-model-id"));
    expect(ids).toContain("id-05000");
    expect(ids).not.toContain("id-00000");
    expect(ids.length).toBeLessThan(100);
  });

  it("shows placeholders and asks for more when rows are not loaded yet", () => {
    const props = renderList({ rows: rows.slice(0, 10), total: TEN_THOUSAND });
    expect(screen.getAllByTestId("library-row")).toHaveLength(10);
    expect(props.onNeedMore).toHaveBeenCalled();
  });

  it("moves with the arrow keys and opens the focused row with Enter", async () => {
    const user = userEvent.setup();
    const props = renderList();
    screen.getByTestId("library-scroll").focus();
    await user.keyboard("{ArrowDown}"); // focus the first row
    expect(document.activeElement).toHaveAttribute("data-model-id", "id-00000");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowUp}");
    expect(document.activeElement).toHaveAttribute("data-model-id", "id-00001");
    await user.keyboard("{Enter}");
    expect(props.onOpen).toHaveBeenCalledWith("id-00001");
  });

  it("End jumps to the last of 10,000 rows, rendering and focusing it", async () => {
    const user = userEvent.setup();
    const props = renderList();
    screen.getByTestId("library-scroll").focus();
    await user.keyboard("{ArrowDown}{End}");
    await waitFor(() =>
      expect(document.activeElement).toHaveAttribute("data-model-id", "id-09999"),
    );
    expect(screen.getAllByTestId("library-row").length).toBeLessThan(100);
    await user.keyboard("{Enter}");
    expect(props.onOpen).toHaveBeenCalledWith("id-09999");
  });

  it("selects a row on click, with its modifiers, and marks the selected ones", async () => {
    const user = userEvent.setup();
    const props = renderList({ selected: new Set(["id-00002", "id-00004"]) });
    const all = screen.getAllByTestId("library-row");
    expect(all[2]).toHaveAttribute("aria-selected", "true");
    expect(all[4]).toHaveAttribute("aria-selected", "true");
    expect(all[3]).toHaveAttribute("aria-selected", "false");
    await user.click(all[3]);
    expect(props.onSelect).toHaveBeenLastCalledWith("id-00003", { shift: false, toggle: false });
    await user.keyboard("{Control>}");
    await user.click(all[5]);
    await user.keyboard("{/Control}");
    expect(props.onSelect).toHaveBeenLastCalledWith("id-00005", { shift: false, toggle: true });
    await user.keyboard("{Shift>}");
    await user.click(all[7]);
    await user.keyboard("{/Shift}");
    expect(props.onSelect).toHaveBeenLastCalledWith("id-00007", { shift: true, toggle: false });
  });

  it("Space adds the focused row to the selection and Ctrl+A selects all results", async () => {
    const user = userEvent.setup();
    const props = renderList();
    screen.getAllByTestId("library-row")[1].focus();
    await user.keyboard(" ");
    expect(props.onSelect).toHaveBeenLastCalledWith("id-00001", { shift: false, toggle: true });
    await user.keyboard("{Control>}a{/Control}");
    expect(props.onSelectAll).toHaveBeenCalledTimes(1);
  });

  it("sorts from the headers", async () => {
    const user = userEvent.setup();
    const props = renderList();
    await user.click(screen.getByRole("button", { name: /Size/ }));
    expect(props.onSort).toHaveBeenCalledWith({ sort: "size_bytes", descending: true });
    await user.click(screen.getByRole("button", { name: /Name/ }));
    expect(props.onSort).toHaveBeenLastCalledWith({ sort: "name", descending: true });
    expect(nextSort({ sort: "size_bytes", descending: true }, "family")).toEqual({
      sort: "family",
      descending: false,
    });
  });
});
