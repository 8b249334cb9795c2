/**
 * The sidebar's filters and how they become a ListQuery (pure, no React). Every filter is
 * applied in SQL by the backend, so totals, facet counts and paging stay exact.
 */
import type { ModelsQuery } from "../api/hooks";
import type { FacetCounts, SortField } from "../api/types";

export interface SortState {
  sort: SortField;
  descending: boolean;
}

/** A size range the sidebar offers (bytes; null: open-ended). */
export interface Preset {
  label: string;
  min?: number;
  max?: number;
  /** days back from today (the "added" presets) */
  days?: number;
}

const MB = 1024 * 1024;
const GB = 1024 * MB;

export const SIZE_PRESETS: Record<string, Preset> = {
  small: { label: "Under 500 MB", max: 500 * MB - 1 },
  medium: { label: "500 MB – 4 GB", min: 500 * MB, max: 4 * GB - 1 },
  large: { label: "4 – 16 GB", min: 4 * GB, max: 16 * GB - 1 },
  huge: { label: "16 GB and over", min: 16 * GB },
};

export const ADDED_PRESETS: Record<string, Preset> = {
  week: { label: "Last 7 days", days: 7 },
  month: { label: "Last 30 days", days: 30 },
  year: { label: "Last 12 months", days: 365 },
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
  /** a key of SIZE_PRESETS */
  size: string | null;
  /** a key of ADDED_PRESETS */
  added: string | null;
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

const DAY_MS = 24 * 60 * 60 * 1000;

/** `days` before `now`, as the ISO date the backend compares `added_date` with. */
export function daysAgo(days: number, now: Date): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
}

/** `sort` is the column the user clicked, or null for the default (see effectiveSort). */
export function buildListQuery(
  filters: Filters,
  text: string,
  sort: SortState | null,
  now: Date = new Date(),
): ModelsQuery {
  const chosen = effectiveSort(text, sort);
  const query: ModelsQuery = { sort: chosen.sort, descending: chosen.descending };
  const { size, added, favorites, attention, pending, ...values } = filters;
  for (const [key, value] of Object.entries(values) as [keyof typeof values, string | null][]) {
    if (value) query[key] = value;
  }
  if (favorites) query.favorites = true;
  if (attention) query.attention = true;
  if (pending) query.pending = true;
  const range = size ? SIZE_PRESETS[size] : undefined;
  if (range?.min != null) query.size_min = range.min;
  if (range?.max != null) query.size_max = range.max;
  const since = added ? ADDED_PRESETS[added]?.days : undefined;
  if (since != null) query.added_after = daysAgo(since, now);
  if (text.trim()) query.text = text.trim();
  return query;
}

/** A saved filter's filters as the window's own: unknown keys and wrong types are dropped
 * (settings.json may be older, newer or edited by hand). */
export function filtersFrom(saved: Record<string, string | boolean | null>): Filters {
  const out: Record<string, string | boolean | null> = { ...EMPTY_FILTERS };
  for (const [key, empty] of Object.entries(EMPTY_FILTERS)) {
    const value = saved[key];
    if (typeof value === (typeof empty === "boolean" ? "boolean" : "string")) out[key] = value;
  }
  return out as unknown as Filters;
}

/** Only the filters that are set (what a saved filter keeps). */
export function activeFilters(f: Filters): Record<string, string | boolean> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null && v !== false));
}
