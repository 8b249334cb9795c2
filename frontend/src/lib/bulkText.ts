/** Sentences for the history view and the multi-selection's results (pure, no React). */
import type { BulkReport, ImportBatch, UndoReport } from "../api/types";
import type { ToastKind } from "../components/ui/Toasts";
import { errorText } from "./importFlow";

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** "2 new · 1 duplicate · 1 failed" (zero counts left out; "nothing imported" if all are). */
export function batchCounts(batch: Pick<ImportBatch, "new" | "duplicates" | "failed">): string {
  const parts = [
    batch.new ? `${batch.new.toLocaleString()} new` : "",
    batch.duplicates ? plural(batch.duplicates, "duplicate") : "",
    batch.failed ? `${batch.failed.toLocaleString()} failed` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "nothing imported";
}

/** Why "Undo this import" is off for a batch, or null when it can be undone. */
export function undoBlocked(batch: ImportBatch): string | null {
  if (batch.status === "running") return "still importing";
  if (batch.in_library === 0)
    return batch.new ? "its models are no longer in the library" : "it added no models";
  return null;
}

export interface Notice {
  kind: ToastKind;
  title: string;
  message?: string;
}

export function undoNotice(report: UndoReport): Notice {
  const removed = report.results.filter((r) => r.removed);
  const kept = report.results.filter((r) => !r.removed);
  const restored = removed.filter((r) => r.restored.length > 0).length;
  const parts = [
    restored
      ? `${plural(restored, "moved model")} put back where ${restored === 1 ? "it was" : "they were"}.`
      : "",
    kept.length
      ? `${plural(kept.length, "model")} kept: ${kept.map((r) => errorText(r.error) ?? r.path).join("; ")}`
      : "",
  ].filter(Boolean);
  return {
    kind: kept.length ? "warning" : "success",
    title: `Import undone: ${plural(removed.length, "model")} removed`,
    message: parts.join(" ") || "Your source files were not touched.",
  };
}

/** A bulk change's outcome: "Tagged 3 models (1 already was)". */
export function bulkNotice(done: string, report: BulkReport): Notice {
  const extra = [
    report.unchanged.length ? `${report.unchanged.length.toLocaleString()} already so` : "",
    report.failed.length
      ? `${plural(report.failed.length, "model")} could not be changed: ${errorText(report.failed[0].error) ?? report.failed[0].ref}`
      : "",
  ].filter(Boolean);
  return {
    kind: report.failed.length ? "warning" : "success",
    title: `${done} ${plural(report.changed.length, "model")}`,
    message: extra.length ? extra.join("; ") : undefined,
  };
}
