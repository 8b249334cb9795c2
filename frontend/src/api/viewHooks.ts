/**
 * Server state of the history and statistics views, and the multi-selection's bulk
 * changes. Refreshed by pushed events (library.changed, job.done: see attachLiveUpdates),
 * never by polling.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useBridge } from "./BridgeContext";
import { queryKeys } from "./hooks";
import type { BulkEdit } from "./types";

export function useHistory() {
  const bridge = useBridge();
  return useQuery({ queryKey: queryKeys.history, queryFn: () => bridge.call("list_history", {}) });
}

export function useStats() {
  const bridge = useBridge();
  return useQuery({ queryKey: queryKeys.stats, queryFn: () => bridge.call("get_stats", {}) });
}

/** Everything a change to many models can make stale (library.changed follows too). */
function useInvalidateLibrary() {
  const client = useQueryClient();
  return (refs: string[]) => {
    void client.invalidateQueries({ queryKey: queryKeys.models() });
    void client.invalidateQueries({ queryKey: queryKeys.facets });
    void client.invalidateQueries({ queryKey: ["collections"] });
    for (const ref of refs) void client.invalidateQueries({ queryKey: queryKeys.model(ref) });
  };
}

export function useUndoImport() {
  const bridge = useBridge();
  const invalidate = useInvalidateLibrary();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (batchId: string) => bridge.call("undo_import", { batch_id: batchId }),
    onSuccess: (report) => {
      invalidate(report.results.map((r) => r.id));
      void client.invalidateQueries({ queryKey: queryKeys.history });
    },
  });
}

export function useEditModels() {
  const bridge = useBridge();
  const invalidate = useInvalidateLibrary();
  return useMutation({
    mutationFn: (vars: { refs: string[]; change: BulkEdit }) => bridge.call("edit_models", vars),
    onSuccess: (report) => invalidate(report.changed),
  });
}

export function useSetLinkChoices() {
  const bridge = useBridge();
  const invalidate = useInvalidateLibrary();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { refs: string[]; app: string; exclude: boolean }) =>
      bridge.call("set_link_choices", vars),
    onSuccess: (report) => {
      invalidate(report.changed);
      for (const id of report.changed)
        void client.invalidateQueries({ queryKey: queryKeys.modelLinks(id) });
    },
  });
}
