/**
 * Picking up changes made outside this process. Events reach the UI only from this
 * process's own event bus, so an import by the CLI in another terminal (it writes the same
 * models.db) or a file changed by hand is not pushed. "Refresh" runs `scan` (reconciles the
 * index with the disk; publishes `library.changed` when it finds changes) and then refetches
 * what the UI shows. The same happens quietly when the window regains focus, at most every
 * FOCUS_REFRESH_MIN_INTERVAL_MS — an answer to a user action, never a timer (no polling).
 */
import { type Query, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useBridge } from "./BridgeContext";
import type { ScanReport } from "./types";

export const FOCUS_REFRESH_MIN_INTERVAL_MS = 30_000;

/** Query keys (first element) that show library or job state; plans and settings are not refetched. */
const REFRESHED_KEYS = new Set(["models", "facets", "model", "jobs", "status"]);

export function isRefreshedQuery(query: Pick<Query, "queryKey">): boolean {
  return REFRESHED_KEYS.has(String(query.queryKey[0]));
}

export interface LibraryRefresh {
  refresh: () => Promise<ScanReport>;
  refreshing: boolean;
}

export function useRefreshLibrary(): LibraryRefresh {
  const bridge = useBridge();
  const client = useQueryClient();
  const [refreshing, setRefreshing] = useState(false);
  const running = useRef<Promise<ScanReport> | null>(null);

  const refresh = useCallback(() => {
    if (running.current) return running.current; // one at a time: a focus during a click joins it
    setRefreshing(true);
    const work = (async () => {
      try {
        const report = await bridge.call("scan", {});
        await client.invalidateQueries({ predicate: isRefreshedQuery });
        return report;
      } finally {
        running.current = null;
        setRefreshing(false);
      }
    })();
    running.current = work;
    return work;
  }, [bridge, client]);

  return { refresh, refreshing };
}

/**
 * Calls `onFocus` when the window comes back to the foreground (focus, or the page becoming
 * visible), at most once per `minIntervalMs` counted from the last call or from mounting.
 */
export function useOnWindowFocus(
  onFocus: () => void,
  minIntervalMs = FOCUS_REFRESH_MIN_INTERVAL_MS,
): void {
  const latest = useRef(onFocus);
  useEffect(() => {
    latest.current = onFocus;
  });
  useEffect(() => {
    let last = Date.now();
    const maybe = () => {
      if (document.visibilityState === "hidden" || Date.now() - last < minIntervalMs) return;
      last = Date.now();
      latest.current();
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") maybe();
    };
    window.addEventListener("focus", maybe);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("focus", maybe);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [minIntervalMs]);
}
