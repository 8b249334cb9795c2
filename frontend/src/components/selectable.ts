/** What the list's rows and the grid's cards share: how a click and a key select. */
import type { KeyboardEvent, MouseEvent } from "react";
import type { ModelSummary } from "../api/types";
import type { ClickMods } from "../lib/selection";

/** The props a row or a card takes. */
export interface ItemProps {
  model: ModelSummary;
  index: number;
  search: string;
  selected: boolean;
  tabbable: boolean;
  onSelect: (id: string, mods: ClickMods) => void;
}

/** A click selects (ctrl/⌘ toggles, shift extends); a shift-press does not select text. */
export function selectHandlers(id: string, onSelect: ItemProps["onSelect"]) {
  return {
    onClick: (e: MouseEvent) => onSelect(id, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey }),
    onMouseDown: (e: MouseEvent) => {
      if (e.shiftKey) e.preventDefault();
    },
  };
}

/** Ctrl/⌘+A, Enter and Space on the focused item; true when the key was one of them. */
export function selectionKey(
  e: KeyboardEvent,
  focused: ModelSummary | undefined,
  actions: {
    onOpen: (id: string) => void;
    onSelect: ItemProps["onSelect"];
    onSelectAll: () => void;
  },
): boolean {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "a") actions.onSelectAll();
  else if (e.key === "Enter" && focused) actions.onOpen(focused.id);
  else if (e.key === " " && focused)
    actions.onSelect(focused.id, { shift: e.shiftKey, toggle: true });
  else return false;
  e.preventDefault();
  return true;
}

/** Runs the move bound to the pressed key, if any (the browser's own scroll is kept out). */
export function moveKey(e: KeyboardEvent, moves: Record<string, () => void>): void {
  const move = moves[e.key];
  if (!move) return;
  e.preventDefault();
  move();
}
