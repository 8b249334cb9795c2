import type { FacetCounts } from "../api/types";
import { humanize } from "../lib/format";

export type FacetKey = "model_type" | "subtype" | "family" | "precision" | "format" | "tag";

export interface Filters {
  model_type: string | null;
  subtype: string | null;
  family: string | null;
  precision: string | null;
  format: string | null;
  tag: string | null;
  collection: string | null;
  favorites: boolean;
  attention: boolean;
}

export const EMPTY_FILTERS: Filters = {
  model_type: null,
  subtype: null,
  family: null,
  precision: null,
  format: null,
  tag: null,
  collection: null,
  favorites: false,
  attention: false,
};

/** Models whose last verify found a problem, plus model folders scan could not read. */
export function attentionCount(facets: FacetCounts | undefined): number {
  return facets ? facets.attention + facets.unreadable.length : 0;
}

export function hasActiveFilters(f: Filters): boolean {
  return Object.entries(f).some(([, v]) => v !== null && v !== false);
}

const SECTIONS: { key: FacetKey; title: string; humanize?: boolean }[] = [
  { key: "model_type", title: "Model type", humanize: true },
  { key: "subtype", title: "Kind", humanize: true },
  { key: "family", title: "Family / base" },
  { key: "precision", title: "Precision" },
  { key: "format", title: "Format" },
  { key: "tag", title: "Tags" },
];

const MAX_VISIBLE_VALUES = 40;

export function FilterSidebar({
  facets,
  libraryFacets,
  collections,
  filters,
  onChange,
}: {
  /** every collection with its size */
  collections?: Record<string, number> | undefined;
  /** counts for the current search and filters (each facet without its own filter) */
  facets: FacetCounts | undefined;
  /** counts for the whole library (the "All models" total) */
  libraryFacets?: FacetCounts | undefined;
  filters: Filters;
  onChange: (f: Filters) => void;
}) {
  const active = hasActiveFilters(filters);
  const whole = libraryFacets ?? facets;
  const total = whole ? Object.values(whole.model_type).reduce((a, b) => a + b, 0) : null;
  return (
    <nav
      aria-label="Filters"
      className="flex w-[216px] shrink-0 flex-col overflow-y-auto border-r border-line bg-panel px-2 py-3"
    >
      <FilterButton
        label="All models"
        count={total}
        pressed={!active}
        onClick={() => onChange(EMPTY_FILTERS)}
      />
      <FilterButton
        label="★ Favorites"
        count={facets?.favorites}
        pressed={filters.favorites}
        onClick={() => onChange({ ...filters, favorites: !filters.favorites })}
      />
      {attentionCount(facets) > 0 && (
        <FilterButton
          label="⚠ Needs attention"
          count={attentionCount(facets)}
          pressed={filters.attention}
          onClick={() => onChange({ ...filters, attention: !filters.attention })}
          testId="filter-attention"
          tone="danger"
        />
      )}
      {collections && Object.keys(collections).length > 0 && (
        <section className="mt-3" aria-label="Collections">
          <h3 className="px-2 pb-1 text-[11px] font-semibold tracking-wide text-faint uppercase">
            Collections
          </h3>
          {Object.entries(collections).map(([name, count]) => (
            <FilterButton
              key={name}
              label={name}
              count={count}
              pressed={filters.collection === name}
              onClick={() =>
                onChange({ ...filters, collection: filters.collection === name ? null : name })
              }
              testId="filter-collection"
              value={name}
            />
          ))}
        </section>
      )}
      {SECTIONS.map(({ key, title, humanize: human }) => {
        const values = Object.entries(facets?.[key] ?? {}).sort(
          (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
        );
        if (values.length === 0) return null;
        return (
          <section key={key} className="mt-4 shrink-0" aria-label={title}>
            <h3 className="mb-1 px-2 text-[11px] font-semibold tracking-wide text-faint uppercase">
              {title}
            </h3>
            {values.slice(0, MAX_VISIBLE_VALUES).map(([value, count]) => (
              <FilterButton
                key={value}
                label={human ? humanize(value) : value}
                count={count}
                pressed={filters[key] === value}
                onClick={() =>
                  onChange({ ...filters, [key]: filters[key] === value ? null : value })
                }
                testId={`filter-${key}`}
                value={value}
              />
            ))}
          </section>
        );
      })}
    </nav>
  );
}

function FilterButton({
  label,
  count,
  pressed,
  onClick,
  testId,
  value,
  tone,
}: {
  label: string;
  count?: number | null;
  pressed: boolean;
  onClick: () => void;
  testId?: string;
  value?: string;
  tone?: "danger";
}) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={onClick}
      data-testid={testId}
      data-value={value}
      className={`flex h-7 w-full shrink-0 items-center gap-2 rounded-md px-2 text-left text-[13px] ${
        pressed ? "bg-selected font-medium text-fg" : "text-muted hover:bg-hover hover:text-fg"
      } ${tone === "danger" ? "text-danger" : ""}`}
    >
      <span className="min-w-0 flex-1 truncate">{label}</span>
      {count != null && <span className="text-[11.5px] text-faint tabular-nums">{count}</span>}
    </button>
  );
}
