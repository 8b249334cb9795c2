import { useCallback, useEffect, useMemo, useState } from "react";
import { useBridge } from "../api/BridgeContext";
import type { ModelsQuery } from "../api/hooks";
import type { ModelSummary } from "../api/types";
import {
  type ClickMods,
  clickSelection,
  EMPTY_SELECTION,
  only,
  type Selection,
  selectAll,
} from "../lib/selection";
import { useToast } from "./ui/Toasts";

/** The library's selection: one model (its details) or many (the bulk panel). */
export function useLibrarySelection(rows: ModelSummary[], query: ModelsQuery) {
  const bridge = useBridge();
  const toast = useToast();
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const rowIds = useMemo(() => rows.map((m) => m.id), [rows]);

  // a multi-selection belongs to the results it was made in: a new search or filter drops it
  useEffect(() => {
    setSelection((s) => (s.ids.size > 1 ? EMPTY_SELECTION : s));
  }, [query]);

  const openModel = useCallback((id: string) => setSelection(only(id)), []);
  const onSelect = useCallback(
    (id: string, mods: ClickMods) => setSelection((s) => clickSelection(s, rowIds, id, mods)),
    [rowIds],
  );
  // every model of the results, not only the loaded rows: the ids come from the backend
  const onSelectAll = useCallback(() => {
    bridge.call("list_model_ids", { query: { ...query, sort: undefined } }).then(
      (ids) => setSelection(selectAll(ids)),
      (err: Error) =>
        toast.push({ kind: "error", title: "Could not select the results", message: err.message }),
    );
  }, [bridge, query, toast]);

  return { selection, setSelection, openModel, onSelect, onSelectAll };
}
