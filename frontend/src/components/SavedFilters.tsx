import { useState } from "react";
import { useSettings, useUpdateSettings } from "../api/hooks";
import type { SavedFilter } from "../api/types";
import { activeFilters, type Filters, filtersFrom, hasActiveFilters } from "../lib/filters";
import { useToast } from "./ui/Toasts";
import { Button } from "./ui/Button";

/** The user's named filters in the sidebar (kept in settings.json): apply one, remove one,
 * save the current search and filters under a name. */
export function SavedFilters({
  filters,
  search,
  onApply,
}: {
  filters: Filters;
  search: string;
  onApply: (filters: Filters, text: string) => void;
}) {
  const settings = useSettings();
  const update = useUpdateSettings();
  const toast = useToast();
  const saved = settings.data?.saved_filters ?? [];
  const text = search.trim();
  const canSave = hasActiveFilters(filters) || text.length > 0;
  const current = JSON.stringify([text, activeFilters(filters)]);
  const activeName =
    saved.find((f) => JSON.stringify([f.text, activeFilters(filtersFrom(f.filters))]) === current)
      ?.name ?? null;
  const keep = (next: SavedFilter[]) =>
    update.mutate(
      { saved_filters: next },
      {
        onError: (err) =>
          toast.push({ kind: "error", title: "Could not save the filter", message: err.message }),
      },
    );
  const onSave = (name: string) =>
    keep([
      ...saved.filter((f) => f.name !== name),
      { name, text, filters: activeFilters(filters) },
    ]);
  const onRemove = (name: string) => keep(saved.filter((f) => f.name !== name));
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  if (saved.length === 0 && !canSave) return null;
  const save = () => {
    if (!name.trim()) return;
    onSave(name.trim());
    setName("");
    setNaming(false);
  };
  return (
    <section className="mt-3 shrink-0" aria-label="Saved filters">
      <h3 className="px-2 pb-1 text-[11px] font-semibold tracking-wide text-faint uppercase">
        Saved filters
      </h3>
      {saved.map((filter) => (
        <div key={filter.name} className="group flex items-center">
          <button
            type="button"
            aria-pressed={activeName === filter.name}
            onClick={() => onApply(filtersFrom(filter.filters), filter.text)}
            data-testid="saved-filter"
            title={filter.text ? `Search “${filter.text}” with its filters` : "Apply these filters"}
            className={`flex h-7 min-w-0 flex-1 items-center rounded-md px-2 text-left text-[13px] ${
              activeName === filter.name
                ? "bg-selected font-medium text-fg"
                : "text-muted hover:bg-hover hover:text-fg"
            }`}
          >
            <span className="truncate">{filter.name}</span>
          </button>
          <button
            type="button"
            aria-label={`Remove the saved filter ${filter.name}`}
            onClick={() => onRemove(filter.name)}
            className="size-6 shrink-0 rounded text-faint opacity-0 group-hover:opacity-100 hover:bg-line hover:text-fg focus-visible:opacity-100"
          >
            ×
          </button>
        </div>
      ))}
      {canSave &&
        (naming ? (
          <div className="flex gap-1 px-1 pt-1">
            <input
              autoFocus
              value={name}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") save();
                if (e.key === "Escape") {
                  e.stopPropagation();
                  setNaming(false);
                }
              }}
              maxLength={80}
              placeholder="Name this filter"
              aria-label="Name of the saved filter"
              data-testid="saved-filter-name"
              className="h-7 min-w-0 flex-1 rounded-md border border-line bg-elev px-2 text-[12.5px] text-fg"
            />
            <Button
              size="sm"
              onClick={save}
              disabled={!name.trim()}
              data-testid="saved-filter-save"
            >
              Save
            </Button>
          </div>
        ) : (
          <button
            type="button"
            onClick={() => setNaming(true)}
            data-testid="save-filter"
            className="h-7 w-full rounded-md px-2 text-left text-[12.5px] text-accent hover:bg-hover"
          >
            + Save this search and filters…
          </button>
        ))}
    </section>
  );
}
