import type { ReactNode } from "react";
import type { AppInstall, FacetCounts } from "../api/types";
import {
  ADDED_PRESETS,
  attentionCount,
  EMPTY_FILTERS,
  type Filters,
  hasActiveFilters,
  SIZE_PRESETS,
} from "../lib/filters";
import { humanize } from "../lib/format";
import { FilterButton } from "./FilterButton";
import { trustLabel } from "./ui/Badge";

export type FacetKey =
  | "model_type"
  | "subtype"
  | "family"
  | "precision"
  | "format"
  | "tag"
  | "security_tier"
  | "integrity"
  | "match_method";

const asIs = (value: string) => value;
const matchLabel = (value: string) => trustLabel(value, false, false).label;

const SECTIONS: { key: FacetKey; title: string; label: (value: string) => string }[] = [
  { key: "model_type", title: "Model type", label: humanize },
  { key: "subtype", title: "Kind", label: humanize },
  { key: "family", title: "Family / base", label: asIs },
  { key: "precision", title: "Precision", label: asIs },
  { key: "format", title: "Format", label: asIs },
  { key: "tag", title: "Tags", label: asIs },
  { key: "security_tier", title: "Security", label: humanize },
  { key: "integrity", title: "Integrity", label: humanize },
  { key: "match_method", title: "Hugging Face match", label: matchLabel },
];

const MAX_VISIBLE_VALUES = 40;

/** "linked in" and "not in" an app: choosing one clears the other. */
const APP_FILTERS = [
  {
    key: "linked_to",
    other: "not_linked_to",
    label: (app: string) => `Linked in ${app}`,
    testId: "filter-linked",
  },
  {
    key: "not_linked_to",
    other: "linked_to",
    label: (app: string) => `Not in ${app}`,
    testId: "filter-not-linked",
  },
] as const;

export function FilterSidebar({
  facets,
  libraryFacets,
  collections,
  apps = [],
  filters,
  onChange,
  saved,
  linkProblems,
}: {
  /** the user's saved filters (a section of their own) */
  saved?: ReactNode;
  /** link problems needing attention (rows of their own, under the library's) */
  linkProblems?: ReactNode;
  /** the registered apps (linked / not linked filters) */
  apps?: AppInstall[];
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
    <nav aria-label="Filters" className="flex min-h-0 flex-1 flex-col overflow-y-auto px-2 pb-3">
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
      {linkProblems}
      {(facets?.pending ?? 0) > 0 && (
        <FilterButton
          label="⧗ Waiting for lookup"
          count={facets?.pending}
          pressed={filters.pending}
          onClick={() => onChange({ ...filters, pending: !filters.pending })}
          testId="filter-pending"
        />
      )}
      {saved}
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
      {SECTIONS.map(({ key, title, label }) => {
        const values = Object.entries(facets?.[key] ?? {}).sort(
          (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
        );
        if (values.length === 0) return null;
        return (
          <section key={key} className="mt-4 shrink-0" aria-label={title}>
            <SectionTitle>{title}</SectionTitle>
            {values.slice(0, MAX_VISIBLE_VALUES).map(([value, count]) => (
              <FilterButton
                key={value}
                label={label(value)}
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
      <PresetSection
        title="Size"
        presets={SIZE_PRESETS}
        value={filters.size}
        onChange={(size) => onChange({ ...filters, size })}
        testId="filter-size"
      />
      <PresetSection
        title="Added"
        presets={ADDED_PRESETS}
        value={filters.added}
        onChange={(added) => onChange({ ...filters, added })}
        testId="filter-added"
      />
      {apps.length > 0 && (
        <section className="mt-4 shrink-0" aria-label="Apps">
          <SectionTitle>Apps</SectionTitle>
          {apps.flatMap((app) =>
            APP_FILTERS.map(({ key, other, label, testId }) => (
              <FilterButton
                key={`${key}-${app.id}`}
                label={label(app.name)}
                pressed={filters[key] === app.id}
                onClick={() =>
                  onChange({
                    ...filters,
                    [key]: filters[key] === app.id ? null : app.id,
                    [other]: null,
                  })
                }
                testId={testId}
                value={app.id}
              />
            )),
          )}
        </section>
      )}
    </nav>
  );
}

function SectionTitle({ children }: { children: string }) {
  return (
    <h3 className="mb-1 px-2 text-[11px] font-semibold tracking-wide text-faint uppercase">
      {children}
    </h3>
  );
}

function PresetSection<K extends string>({
  title,
  presets,
  value,
  onChange,
  testId,
}: {
  title: string;
  presets: Record<K, string>;
  value: K | null;
  onChange: (value: K | null) => void;
  testId: string;
}) {
  return (
    <section className="mt-4 shrink-0" aria-label={title}>
      <SectionTitle>{title}</SectionTitle>
      {(Object.entries(presets) as [K, string][]).map(([key, label]) => (
        <FilterButton
          key={key}
          label={label}
          pressed={value === key}
          onClick={() => onChange(value === key ? null : key)}
          testId={testId}
          value={key}
        />
      ))}
    </section>
  );
}
