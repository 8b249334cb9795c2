import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeBridge } from "../test/fakeBridge";
import { summary } from "../test/factories";
import { renderWithBridge } from "../test/render";
import { GridView } from "./GridView";

const TINY_WEBP = "data:image/webp;base64,UklGRg==";

function renderGrid(total = 40) {
  const rows = Array.from({ length: total }, (_, i) => summary(i));
  const bridge = createFakeBridge({
    get_thumbnails: ({ refs }) =>
      Object.fromEntries(refs.map((id, i) => [id, i % 2 === 0 ? TINY_WEBP : null])),
  });
  const props = {
    rows,
    total,
    search: "model",
    selected: new Set([rows[1].id]) as ReadonlySet<string>,
    onOpen: vi.fn(),
    onSelect: vi.fn(),
    onSelectAll: vi.fn(),
    onNeedMore: vi.fn(),
  };
  renderWithBridge(<GridView {...props} />, bridge);
  return { bridge, props, rows };
}

describe("GridView", () => {
  it("renders only the cards in view and asks for their thumbnails in one call", async () => {
    const { bridge } = renderGrid(400);
    const cards = screen.getAllByTestId("library-card");
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.length).toBeLessThan(400);
    await waitFor(() => expect(screen.getAllByTestId("card-thumbnail").length).toBeGreaterThan(0));
    expect(bridge.callsOf("get_thumbnails")).toHaveLength(1);
    expect(bridge.callsOf("get_thumbnails")[0].refs).toHaveLength(cards.length);
  });

  it("selects with click modifiers, marks the selection and the search words", async () => {
    const user = userEvent.setup();
    const { props, rows } = renderGrid();
    const cards = screen.getAllByTestId("library-card");
    expect(cards[1]).toHaveAttribute("aria-selected", "true");
    await user.click(cards[2]);
    expect(props.onSelect).toHaveBeenLastCalledWith(rows[2].id, { shift: false, toggle: false });
    await user.keyboard("{Shift>}");
    await user.click(cards[4]);
    await user.keyboard("{/Shift}");
    expect(props.onSelect).toHaveBeenLastCalledWith(rows[4].id, { shift: true, toggle: false });
    expect(cards[0].querySelector("mark")).toHaveTextContent(/model/i);
  });

  it("opens the focused card with Enter and selects all with Ctrl+A", async () => {
    const user = userEvent.setup();
    const { props, rows } = renderGrid();
    screen.getAllByTestId("library-card")[0].focus();
    await user.keyboard("{Enter}");
    expect(props.onOpen).toHaveBeenCalledWith(rows[0].id);
    await user.keyboard("{Control>}a{/Control}");
    expect(props.onSelectAll).toHaveBeenCalled();
  });
});
