import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { ModelSummary, SortField } from "../api/types";
import type { SortState } from "../lib/filters";
import { formatBytes, formatDate, kindLabel, typeLabel } from "../lib/format";
import { highlight } from "../lib/highlight";
import type { ClickMods } from "../lib/selection";
import { type ItemProps, selectHandlers, moveKey, selectionKey } from "./selectable";
import { IntegrityBadge, MatchBadge, TierBadge } from "./ui/Badge";

export const ROW_HEIGHT = 36;
const OVERSCAN = 12;
/** load the next page when the visible range gets this close to the loaded end (under the
 * first page's size: a new search asks for one page only, until the list is scrolled) */
const LOAD_AHEAD_ROWS = 60;

interface Column {
  label: string;
  sort?: SortField;
  className: string;
  align?: "right";
}

const COLUMNS: Column[] = [
  { label: "Name", sort: "name", className: "" },
  { label: "Kind", sort: "model_type", className: "" },
  { label: "Family", sort: "family", className: "ts-col-family" },
  { label: "Format", className: "ts-col-format" },
  { label: "Precision", sort: "precision", className: "ts-col-precision" },
  { label: "Size", sort: "size_bytes", className: "", align: "right" },
  { label: "Security", className: "" },
  { label: "Match", className: "ts-col-match" },
  { label: "Added", sort: "added_date", className: "ts-col-added" },
];

/** Fields whose first click sorts descending (biggest / newest first). */
const DESC_FIRST = new Set<SortField>(["size_bytes", "added_date", "rating"]);

export function nextSort(current: SortState, field: SortField): SortState {
  if (current.sort === field) return { sort: field, descending: !current.descending };
  return { sort: field, descending: DESC_FIRST.has(field) };
}

export interface LibraryListProps {
  rows: ModelSummary[];
  /** the search the rows answer (its words are marked in the names) */
  search?: string;
  total: number;
  sort: SortState;
  onSort: (sort: SortState) => void;
  selected: ReadonlySet<string>;
  /** Enter, or a plain click: this one model (its details) */
  onOpen: (id: string) => void;
  /** a click with its modifiers (ctrl/⌘ toggles, shift extends); Space toggles */
  onSelect: (id: string, mods: ClickMods) => void;
  /** Ctrl/⌘+A: every model of the results */
  onSelectAll: () => void;
  onNeedMore: () => void;
}

/** The library as a virtualised grid: only the rows in view (plus overscan) are in the DOM. */
export function LibraryList({
  rows,
  search = "",
  total,
  sort,
  onSort,
  selected,
  onOpen,
  onSelect,
  onSelectAll,
  onNeedMore,
}: LibraryListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);
  const count = Math.max(total, rows.length);

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    getItemKey: (index) => rows[index]?.id ?? `placeholder-${index}`,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.length ? items[items.length - 1].index : 0;

  useEffect(() => {
    if (rows.length < total && lastVisible + LOAD_AHEAD_ROWS >= rows.length) onNeedMore();
  }, [lastVisible, rows.length, total, onNeedMore]);

  useEffect(() => {
    if (active >= count && count > 0) setActive(count - 1);
  }, [active, count]);

  // move DOM focus to the active row once it is rendered
  useEffect(() => {
    if (!focusPending.current) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(
      `[data-index="${active}"] > [role="row"]`,
    );
    if (el) {
      el.focus({ preventScroll: true });
      focusPending.current = false;
    }
  });

  const moveTo = (index: number) => {
    if (count === 0) return;
    const next = Math.min(Math.max(index, 0), count - 1);
    setActive(next);
    virtualizer.scrollToIndex(next, { align: "auto" });
    const el = scrollRef.current?.querySelector<HTMLElement>(
      `[data-index="${next}"] > [role="row"]`,
    );
    if (el) el.focus({ preventScroll: true });
    else focusPending.current = true; // focused by the effect once the row is rendered
  };

  const pageRows = Math.max(
    1,
    Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1,
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (selectionKey(e, rows[active], { onOpen, onSelect, onSelectAll })) return;
    moveKey(e, {
      ArrowDown: () => moveTo(document.activeElement === scrollRef.current ? active : active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + pageRows),
      PageUp: () => moveTo(active - pageRows),
      Home: () => moveTo(0),
      End: () => moveTo(count - 1),
    });
  };

  return (
    <div
      className="ts-list flex min-h-0 min-w-0 flex-1 flex-col"
      role="grid"
      aria-multiselectable="true"
      aria-rowcount={count + 1}
      aria-label="Models"
    >
      <div role="rowgroup" className="border-b border-line bg-bg">
        <div
          role="row"
          aria-rowindex={1}
          className="ts-grid h-8 px-4 text-[11.5px] font-medium text-faint"
        >
          {COLUMNS.map((col) => (
            <HeaderCell key={col.label} col={col} sort={sort} onSort={onSort} />
          ))}
        </div>
      </div>
      <div
        ref={scrollRef}
        role="rowgroup"
        tabIndex={0}
        aria-label="Model rows: arrow keys move, Enter opens, Space adds to the selection, Ctrl+A selects all"
        onKeyDown={onKeyDown}
        data-testid="library-scroll"
        className="min-h-0 flex-1 overflow-y-auto focus-visible:outline-offset-[-2px]"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
          {items.map((v) => {
            const model = rows[v.index];
            return (
              <div
                key={v.key}
                data-index={v.index}
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  width: "100%",
                  height: v.size,
                  transform: `translateY(${v.start}px)`,
                  contain: "strict", // a row's layout never reaches the others
                }}
              >
                {model ? (
                  <Row
                    model={model}
                    index={v.index}
                    search={search}
                    selected={selected.has(model.id)}
                    tabbable={v.index === active}
                    onSelect={onSelect}
                    onFocusRow={setActive}
                  />
                ) : (
                  <PlaceholderRow index={v.index} />
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function HeaderCell({
  col,
  sort,
  onSort,
}: {
  col: Column;
  sort: SortState;
  onSort: (s: SortState) => void;
}) {
  const sorted = col.sort && sort.sort === col.sort;
  const ariaSort = sorted ? (sort.descending ? "descending" : "ascending") : "none";
  return (
    <div
      role="columnheader"
      aria-sort={col.sort ? ariaSort : undefined}
      className={`${col.className} min-w-0 ${col.align === "right" ? "text-right" : ""}`}
    >
      {col.sort ? (
        <button
          type="button"
          onClick={() => onSort(nextSort(sort, col.sort as SortField))}
          className={`inline-flex items-center gap-1 rounded px-1 -mx-1 hover:text-fg ${sorted ? "text-fg" : ""}`}
        >
          {col.label}
          <span aria-hidden="true" className={sorted ? "opacity-100" : "opacity-0"}>
            {sort.descending ? "↓" : "↑"}
          </span>
        </button>
      ) : (
        <span>{col.label}</span>
      )}
    </div>
  );
}

const Row = memo(function Row({
  model,
  index,
  search,
  selected,
  tabbable,
  onSelect,
  onFocusRow,
}: ItemProps & { onFocusRow: (index: number) => void }) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={tabbable ? 0 : -1}
      data-testid="library-row"
      data-model-id={model.id}
      {...selectHandlers(model.id, onSelect)}
      onFocus={() => onFocusRow(index)}
      className={`ts-grid h-full cursor-default border-b border-line/60 px-4 text-[13px] outline-none focus-visible:bg-hover focus-visible:shadow-[inset_2px_0_0_var(--ts-accent)] ${
        selected ? "bg-selected" : "hover:bg-hover"
      }`}
    >
      <div role="gridcell" className="min-w-0 truncate font-medium text-fg" title={model.path}>
        {model.rating >= 5 && (
          <span aria-label="Favourite" className="mr-1 text-warn">
            ★
          </span>
        )}
        <Highlighted text={model.name} search={search} />
      </div>
      <div
        role="gridcell"
        className="min-w-0 truncate text-muted"
        title={typeLabel(model.model_type, model.subtype)}
      >
        {kindLabel(model.model_type, model.subtype)}
      </div>
      <div role="gridcell" className="ts-col-family min-w-0 truncate text-muted">
        {model.family ?? "—"}
      </div>
      <div role="gridcell" className="ts-col-format min-w-0 truncate text-muted">
        {model.format ?? model.model_format}
      </div>
      <div role="gridcell" className="ts-col-precision min-w-0 truncate text-muted">
        {model.precision ?? "—"}
      </div>
      <div role="gridcell" className="min-w-0 text-right text-muted tabular-nums">
        {formatBytes(model.size_bytes)}
      </div>
      <div role="gridcell" className="flex min-w-0 gap-1 overflow-hidden">
        <IntegrityBadge state={model.integrity} />
        <TierBadge tier={model.security_tier} />
      </div>
      <div role="gridcell" className="ts-col-match min-w-0">
        <MatchBadge
          method={model.match_method}
          mismatch={model.hash_mismatch}
          pending={model.pending_lookup}
        />
      </div>
      <div role="gridcell" className="ts-col-added min-w-0 truncate text-muted tabular-nums">
        {formatDate(model.added_date)}
      </div>
    </div>
  );
});

function PlaceholderRow({ index }: { index: number }) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-busy="true"
      className="ts-grid h-full border-b border-line/60 px-4"
    >
      <div role="gridcell" className="h-3 w-2/3 animate-pulse rounded bg-hover" />
    </div>
  );
}

export function Highlighted({ text, search }: { text: string; search: string }) {
  if (!search.trim()) return <>{text}</>;
  return (
    <>
      {highlight(text, search).map((piece, i) =>
        piece.hit ? (
          <mark key={i} className="rounded-sm bg-accent-soft text-fg">
            {piece.text}
          </mark>
        ) : (
          <span key={i}>{piece.text}</span>
        ),
      )}
    </>
  );
}
