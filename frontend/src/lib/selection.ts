/**
 * The library list's multi-selection (pure functions, no React): a click selects one row,
 * ctrl/⌘-click toggles one, shift-click selects the range from the last clicked row, and
 * "select all results" takes every id the query matches (not only the loaded rows).
 */
export interface Selection {
  ids: ReadonlySet<string>;
  /** the row a shift-click extends from */
  anchor: string | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null };

export interface ClickMods {
  shift: boolean;
  toggle: boolean;
}

export function only(id: string): Selection {
  return { ids: new Set([id]), anchor: id };
}

export function clickSelection(
  current: Selection,
  rowIds: readonly string[],
  id: string,
  mods: ClickMods,
): Selection {
  if (mods.shift && current.anchor !== null) {
    const from = rowIds.indexOf(current.anchor);
    const to = rowIds.indexOf(id);
    if (from >= 0 && to >= 0) {
      const range = rowIds.slice(Math.min(from, to), Math.max(from, to) + 1);
      const ids = new Set(mods.toggle ? current.ids : []);
      for (const r of range) ids.add(r);
      return { ids, anchor: current.anchor };
    }
  }
  if (mods.toggle || mods.shift) {
    const ids = new Set(current.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id };
  }
  return only(id);
}

export function selectAll(ids: readonly string[]): Selection {
  return { ids: new Set(ids), anchor: ids[0] ?? null };
}

/** The one selected model (the detail panel shows it), or null for none or many. */
export function single(selection: Selection): string | null {
  if (selection.ids.size !== 1) return null;
  const [id] = selection.ids;
  return id;
}
