import type { ModelsResult } from "../api/hooks";
import { type Layout, LayoutSwitch } from "./LayoutSwitch";
import { Spinner } from "./ui/ProgressBar";

/** The bar above the library: how many models, clear filters, select all / clear the
 * selection, list or cards, and Refresh. */
export function LibraryHeader({
  models,
  filtered,
  onClearFilters,
  selected,
  onClearSelection,
  onSelectAll,
  layout,
  onLayout,
  refreshing,
  onRefresh,
}: {
  models: Pick<ModelsResult, "isLoading" | "isRefreshing" | "total" | "shownText">;
  filtered: boolean;
  onClearFilters: () => void;
  /** how many models are selected */
  selected: number;
  onClearSelection: () => void;
  onSelectAll: () => void;
  layout: Layout;
  onLayout: (layout: Layout) => void;
  refreshing: boolean;
  onRefresh: () => void;
}) {
  return (
    <div className="flex h-9 shrink-0 items-center gap-2 border-b border-line px-4 text-[12px] text-muted">
      <span data-testid="model-count" data-search={models.shownText}>
        {models.isLoading
          ? "Loading…"
          : `${models.total.toLocaleString()} ${models.total === 1 ? "model" : "models"}`}
      </span>
      {models.isRefreshing && !models.isLoading && <Spinner label="Refreshing" />}
      {filtered && (
        <button type="button" className="text-accent hover:underline" onClick={onClearFilters}>
          Clear filters
        </button>
      )}
      {selected > 1 ? (
        <button
          type="button"
          className="text-accent hover:underline"
          onClick={onClearSelection}
          data-testid="clear-selection"
        >
          Clear selection ({selected.toLocaleString()})
        </button>
      ) : (
        models.total > 1 && (
          <button
            type="button"
            className="text-accent hover:underline"
            onClick={onSelectAll}
            title="Select every model these results hold (Ctrl+A in the list); ctrl/⌘-click or shift-click rows to pick some"
            data-testid="select-all"
          >
            Select all
          </button>
        )
      )}
      <LayoutSwitch layout={layout} onChange={onLayout} />
      <button
        type="button"
        onClick={onRefresh}
        disabled={refreshing}
        title="Scan the library folder and show changes made outside this window (for example imports from the command line)"
        data-testid="refresh-button"
        className="inline-flex items-center gap-1.5 rounded px-1.5 py-0.5 text-muted hover:bg-hover hover:text-fg disabled:opacity-70"
      >
        <svg
          viewBox="0 0 16 16"
          className={`size-3.5 ${refreshing ? "animate-spin" : ""}`}
          aria-hidden="true"
        >
          <path
            d="M13.5 8a5.5 5.5 0 1 1-1.6-3.9M13.5 2.5v3h-3"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        {refreshing ? "Refreshing…" : "Refresh"}
      </button>
    </div>
  );
}
