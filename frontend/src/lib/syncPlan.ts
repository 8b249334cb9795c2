import type { Findings, SyncPlan, SyncResult } from "../api/types";

export const PREVIEW_ROWS = 10;

/** Links a sync would create or remove, and conflicts it would skip, over every app. */
export function pendingCount(plans: SyncPlan[] | undefined): number {
  return (plans ?? []).reduce(
    (n, p) => n + p.to_create.length + p.to_remove.length + p.conflicts.length,
    0,
  );
}

/** The first `max` rows, and how many more there are ("… and N more"). */
export function preview<T>(rows: T[], max = PREVIEW_ROWS): { shown: T[]; more: number } {
  return { shown: rows.slice(0, max), more: Math.max(0, rows.length - max) };
}

/** The sync job's result (`{results: SyncResult[]}`), read defensively. */
export function jobResults(result: unknown): SyncResult[] {
  const results = (result as { results?: SyncResult[] } | null)?.results;
  return Array.isArray(results) ? results : [];
}

export function resultSummary(results: SyncResult[]): string {
  const sum = (key: "created" | "removed" | "conflicts") => results.reduce((n, r) => n + r[key], 0);
  const parts = [`${sum("created")} linked`, `${sum("removed")} removed`];
  if (sum("conflicts")) parts.push(`${sum("conflicts")} conflicts left alone`);
  return parts.join(", ");
}

export const CONFLICT_LABELS: Record<string, string> = {
  user_file: "your file is there",
  user_folder: "your folder is there",
  foreign_link: "a link Tensorshelf did not make is there",
};

/** Findings that are reported only: nothing for Repair to do. */
const INFORMATIONAL: (keyof Findings)[] = ["foreign_links", "sandbox"];

/** Findings that still need something (fixed ones and informational ones do not). */
export function problemCount(findings: Findings | undefined): number {
  if (!findings) return 0;
  return (Object.keys(findings) as (keyof Findings)[])
    .filter((key) => !INFORMATIONAL.includes(key))
    .reduce((n, key) => n + findings[key].filter((f) => !f.fixed).length, 0);
}

export interface LinkProblem {
  key: "links" | "apps" | "offline";
  label: string;
  count: number;
  hint: string;
}

/** The sidebar's "needs attention" rows for the links: broken or missing links, an app
 * folder that is gone (or on a drive that is not plugged in), the library's drive offline. */
export function linkProblems(findings: Findings | undefined): LinkProblem[] {
  if (!findings) return [];
  const open = (key: keyof Findings) => findings[key].filter((f) => !f.fixed).length;
  const rows: LinkProblem[] = [
    {
      key: "links",
      label: "⚠ Broken links",
      count: open("broken_links") + open("missing_links"),
      hint: "Links in your apps that point nowhere or are gone: open Sync to repair them",
    },
    {
      key: "apps",
      label: "⚠ App folder offline",
      count: open("ghost_apps"),
      hint: "A registered app's folder is gone or its drive is not plugged in",
    },
    {
      key: "offline",
      label: "⚠ Library drive offline",
      count: open("offline_roots"),
      hint: "The library's drive is not mounted: nothing in it can be linked or checked",
    },
  ];
  return rows.filter((row) => row.count > 0);
}
