/**
 * The sidebar's filters and how they become a ListQuery (pure, no React). Every filter is
 * applied in SQL by the backend, so totals, facet counts and paging stay exact.
 */
import type { ModelsQuery } from "../api/hooks";
import type { AddedPreset, FacetCounts, SizePreset, SortField } from "../api/types";

export interface SortState {
  sort: SortField;
  descending: boolean;
}

/** The sidebar's size and "added" choices: the backend knows their ranges (settings.py
 * SIZE_PRESETS / ADDED_PRESET_DAYS); the window only names them. */
export const SIZE_PRESETS: Record<SizePreset, string> = {
  small: "Under 500 MB",
  medium: "500 MB – 4 GB",
  large: "4 – 16 GB",
  huge: "16 GB and over",
};

export const ADDED_PRESETS: Record<AddedPreset, string> = {
  week: "Last 7 days",
  month: "Last 30 days",
  year: "Last 12 months",
};

export interface Filters {
  model_type: string | null;
  subtype: string | null;
  family: string | null;
  precision: string | null;
  format: string | null;
  tag: string | null;
  collection: string | null;
  security_tier: string | null;
  match_method: string | null;
  integrity: string | null;
  linked_to: string | null;
  not_linked_to: string | null;
  size: SizePreset | null;
  added: AddedPreset | null;
  favorites: boolean;
  attention: boolean;
  pending: boolean;
}

export const EMPTY_FILTERS: Filters = {
  model_type: null,
  subtype: null,
  family: null,
  precision: null,
  format: null,
  tag: null,
  collection: null,
  security_tier: null,
  match_method: null,
  integrity: null,
  linked_to: null,
  not_linked_to: null,
  size: null,
  added: null,
  favorites: false,
  attention: false,
  pending: false,
};

export function hasActiveFilters(f: Filters): boolean {
  return Object.values(f).some((v) => v !== null && v !== false);
}

/** Models whose last verify found a problem, plus model folders scan could not read. */
export function attentionCount(facets: FacetCounts | undefined): number {
  return facets ? facets.attention + facets.unreadable.length : 0;
}

const NAME_SORT: SortState = { sort: "name", descending: false };
const RELEVANCE_SORT: SortState = { sort: "relevance", descending: false };

/** The sort in effect: the column the user chose, else best matches first while searching. */
export function effectiveSort(text: string, chosen: SortState | null): SortState {
  return chosen ?? (text.trim() ? RELEVANCE_SORT : NAME_SORT);
}

/** `sort` is the column the user clicked, or null for the default (see effectiveSort). */
export function buildListQuery(
  filters: Filters,
  text: string,
  sort: SortState | null,
): ModelsQuery {
  const chosen = effectiveSort(text, sort);
  const query: ModelsQuery = { sort: chosen.sort, descending: chosen.descending };
  const { favorites, attention, pending, ...values } = filters;
  for (const [key, value] of Object.entries(values) as [keyof typeof values, string | null][]) {
    if (value) (query as Record<string, unknown>)[key] = value;
  }
  if (favorites) query.favorites = true;
  if (attention) query.attention = true;
  if (pending) query.pending = true;
  if (text.trim()) query.text = text.trim();
  return query;
}

/** A saved filter's filters as the window's own: unknown keys and wrong types are dropped
 * (settings.json may be older, newer or edited by hand). */
export function filtersFrom(saved: Record<string, string | boolean | null>): Filters {
  const out: Record<string, string | boolean | null> = { ...EMPTY_FILTERS };
  const choices: Record<string, Record<string, string>> = {
    size: SIZE_PRESETS,
    added: ADDED_PRESETS,
  };
  for (const [key, empty] of Object.entries(EMPTY_FILTERS)) {
    const value = saved[key];
    if (typeof value !== (typeof empty === "boolean" ? "boolean" : "string")) continue;
    if (key in choices && !Object.hasOwn(choices[key], value as string)) continue;
    out[key] = value;
  }
  return out as unknown as Filters;
}

/** Only the filters that are set (what a saved filter keeps). */
export function activeFilters(f: Filters): Record<string, string | boolean> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null && v !== false));
}
