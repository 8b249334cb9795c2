import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { DropOverlay } from "./DropOverlay";
import { Modal } from "./ui/Modal";

const files = { dataTransfer: { types: ["Files"], dropEffect: "none" } };

function overlay() {
  return screen.queryByTestId("drop-overlay");
}

describe("DropOverlay", () => {
  it("shows while files are dragged over the window and survives crossing child elements", () => {
    render(
      <div>
        <button>child one</button>
        <button>child two</button>
        <DropOverlay onDrop={() => {}} />
      </div>,
    );
    expect(overlay()).toBeNull();

    fireEvent.dragEnter(window, files); // pointer enters the window (document)
    expect(overlay()).toBeInTheDocument();
    expect(overlay()).toHaveTextContent("Drop Model Files Here");

    // moving over a child: enter child, then leave the element it came from
    fireEvent.dragEnter(screen.getByText("child one"), files);
    fireEvent.dragLeave(window, files);
    expect(overlay()).toBeInTheDocument();
    fireEvent.dragEnter(screen.getByText("child two"), files);
    fireEvent.dragLeave(screen.getByText("child one"), files);
    expect(overlay()).toBeInTheDocument();

    // leaving the last element means leaving the window
    fireEvent.dragLeave(screen.getByText("child two"), files);
    expect(overlay()).toBeNull();
  });

  it("prevents the default of every drag event so the webview never navigates", () => {
    const onDrop = vi.fn();
    render(<DropOverlay onDrop={onDrop} />);
    expect(fireEvent.dragEnter(window, files)).toBe(false);
    expect(fireEvent.dragOver(window, files)).toBe(false);
    expect(fireEvent.drop(window, files)).toBe(false);
    expect(overlay()).toBeNull();
    expect(onDrop).toHaveBeenCalledTimes(1);
  });

  it("ignores drags that carry no files (text, links)", () => {
    render(<DropOverlay onDrop={() => {}} />);
    fireEvent.dragEnter(window, { dataTransfer: { types: ["text/plain"] } });
    expect(overlay()).toBeNull();
  });

  it("is inactive while a dialog is open, and active again once it closes", () => {
    const onDrop = vi.fn();
    const { rerender } = render(
      <>
        <DropOverlay onDrop={onDrop} />
        <Modal title="Import" onClose={() => {}}>
          body
        </Modal>
      </>,
    );
    fireEvent.dragEnter(window, files);
    expect(overlay()).toBeNull();
    // the default is still prevented, and the drop does nothing
    expect(fireEvent.drop(window, files)).toBe(false);
    expect(onDrop).not.toHaveBeenCalled();

    act(() => rerender(<DropOverlay onDrop={onDrop} />));
    fireEvent.dragEnter(window, files);
    expect(overlay()).toBeInTheDocument();
  });

  it("hides when a dialog opens in the middle of a drag", () => {
    const { rerender } = render(<DropOverlay onDrop={() => {}} />);
    fireEvent.dragEnter(window, files);
    expect(overlay()).toBeInTheDocument();
    act(() =>
      rerender(
        <>
          <DropOverlay onDrop={() => {}} />
          <Modal title="Other" onClose={() => {}}>
            x
          </Modal>
        </>,
      ),
    );
    expect(overlay()).toBeNull();
  });
});
