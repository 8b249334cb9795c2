/** Toast text for finished jobs (pure, so it can be tested without rendering). */
import type { JobDoneEvent, JobInfo, JobKind, ReclassifyReport } from "../api/types";
import { errorText } from "./importFlow";
import { jobResults, resultSummary } from "./syncPlan";

export interface JobMessage {
  kind: "success" | "error" | "warning" | "info";
  title: string;
  message?: string;
}

function resultList(result: unknown, field: string): unknown[] | null {
  if (Array.isArray(result)) return result;
  if (result && typeof result === "object") {
    const value = (result as Record<string, unknown>)[field];
    if (Array.isArray(value)) return value;
  }
  return null;
}

function okCount(list: unknown[]): { ok: number; failed: number; duplicates: number } {
  let ok = 0;
  let failed = 0;
  let duplicates = 0;
  for (const r of list) {
    const rec = (r ?? {}) as { ok?: boolean; duplicate_of?: string | null };
    if (rec.duplicate_of) duplicates += 1;
    else if (rec.ok) ok += 1;
    else failed += 1;
  }
  return { ok, failed, duplicates };
}

const JOB_NAMES: Record<JobKind, string> = {
  import: "Import",
  verify: "Verification",
  rebuild: "Index rebuild",
  reclassify: "Re-classification",
  sync: "Sync",
  lookup: "Hugging Face lookup",
  download: "Download",
  adopt: "Adoption from the Hugging Face cache",
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function reclassifyMessage(report: ReclassifyReport): JobMessage {
  const changed = report.changed.length;
  const failed = report.errors.length;
  const parts = [
    report.dry_run ? `${changed} would change` : `${changed} re-filed`,
    `${report.unchanged} unchanged`,
  ];
  if (failed) parts.push(`${plural(failed, "model", "models")} could not be checked`);
  return {
    kind: failed ? "warning" : "success",
    title: report.dry_run ? "Classification checked" : "Re-classified models",
    message: parts.join(", "),
  };
}

/** A job the user paused (interrupted, to be resumed) — not one that went wrong. */
export function isPaused(job: Pick<JobInfo, "status" | "error">): boolean {
  return job.status === "interrupted" && job.error?.code === "paused";
}

export function jobDoneMessage(evt: JobDoneEvent): JobMessage {
  const what = JOB_NAMES[evt.kind] ?? evt.kind;
  if (evt.status === "cancelled") return { kind: "warning", title: `${what} cancelled` };
  if (isPaused(evt))
    return { kind: "info", title: `${what} paused`, message: "Resume it from Jobs." };
  if (evt.status === "interrupted")
    return { kind: "warning", title: `${what} interrupted`, message: "Resume it from Jobs." };
  if (evt.status === "failed")
    return { kind: "error", title: `${what} failed`, message: errorText(evt.error) ?? undefined };

  if (evt.kind === "import") {
    const list = resultList(evt.result, "results");
    if (!list) return { kind: "success", title: "Import finished" };
    const c = okCount(list);
    const parts = [`${c.ok} imported`];
    if (c.duplicates) parts.push(`${c.duplicates} already in the library`);
    if (c.failed) parts.push(`${c.failed} failed`);
    return {
      kind: c.failed ? "warning" : "success",
      title: "Import finished",
      message: parts.join(", "),
    };
  }
  if (evt.kind === "verify") {
    const list = resultList(evt.result, "models");
    if (!list) return { kind: "success", title: "Verification finished" };
    const bad = list.filter((m) => !(m as { ok?: boolean })?.ok).length;
    return bad
      ? {
          kind: "error",
          title: "Verification found problems",
          message:
            list.length === 1
              ? "The model differs from its recorded hashes"
              : `${bad} of ${list.length} models differ from their recorded hashes`,
        }
      : {
          kind: "success",
          title: "Verified",
          message: `${list.length} ${list.length === 1 ? "model matches" : "models match"} the recorded hashes`,
        };
  }
  if (evt.kind === "reclassify") {
    const report = evt.result as ReclassifyReport | null;
    return report?.changed
      ? reclassifyMessage(report)
      : { kind: "success", title: "Re-classification finished" };
  }
  if (evt.kind === "download") {
    const imported = resultList(evt.result, "imported") ?? [];
    const c = okCount(imported);
    return c.failed
      ? { kind: "warning", title: "Downloaded", message: `${c.ok} imported, ${c.failed} failed` }
      : { kind: "success", title: "Downloaded and imported", message: `${c.ok} models, verified` };
  }
  if (evt.kind === "adopt") {
    const repos = (resultList(evt.result, "repos") ?? []) as {
      imported?: unknown[];
      error?: { message: string } | null;
    }[];
    const c = okCount(repos.flatMap((r) => r.imported ?? []));
    const broken = repos.filter((r) => r.error);
    return c.failed || broken.length
      ? {
          kind: "warning",
          title: "Adopted with problems",
          message: [`${c.ok} models adopted`, ...broken.map((r) => r.error?.message ?? "")].join(
            "; ",
          ),
        }
      : {
          kind: "success",
          title: "Adopted from the Hugging Face cache",
          message: `${c.ok} models, verified`,
        };
  }
  if (evt.kind === "lookup") {
    const items = resultList(evt.result, "items") as
      { status?: string; match_method?: string; update?: string | null }[] | null;
    if (!items) return { kind: "success", title: "Hugging Face lookup finished" };
    if (items.some((i) => i.update)) {
      const updates = items.filter((i) => i.update === "update_available").length;
      return {
        kind: updates ? "info" : "success",
        title: updates
          ? `${updates} updates available on Hugging Face`
          : "Everything is up to date",
        message: `${items.length} matched models checked`,
      };
    }
    const verified = items.filter((i) => i.match_method === "hash").length;
    const pending = items.filter((i) => i.status === "pending").length;
    const parts = [`${verified} verified`, `${items.length - verified - pending} other`];
    if (pending) parts.push(`${pending} pending (offline)`);
    return {
      kind: pending ? "warning" : "success",
      title: "Hugging Face lookup finished",
      message: parts.join(", "),
    };
  }
  if (evt.kind === "sync") {
    const results = jobResults(evt.result);
    const errors = results.flatMap((r) => r.errors);
    return errors.length
      ? {
          kind: "error",
          title: "Sync finished with problems",
          message: `${resultSummary(results)}; ${errors.length} could not be linked: ${errors[0]!.message}`,
        }
      : { kind: "success", title: "Sync finished", message: resultSummary(results) };
  }
  const r = (evt.result ?? {}) as { models_indexed?: number };
  return {
    kind: "success",
    title: "Index rebuilt",
    message: r.models_indexed != null ? `${r.models_indexed} models indexed` : undefined,
  };
}
