/**
 * State of the import dialog (review → progress → summary) as a pure reducer, so the step
 * sequence can be tested without rendering. Everything about the files — grouping into
 * models, what is not a model, which items are pickles — is the backend's plan
 * (`plan_import`); this module only records the user's choices on that plan and folds pushed
 * job events into per-item progress and results.
 */
import type {
  ErrorInfo,
  ErrorSubject,
  ImportMode,
  ImportOptions,
  ImportPlan,
  ImportPlanItem,
  ImportProgress,
  ImportResult,
  JobDoneEvent,
  JobItemDoneEvent,
  JobProgressEvent,
  JobStatus,
} from "../api/types";

export type ImportStep = "review" | "progress" | "summary";

export interface ItemChoice {
  include: boolean;
  acceptPickle: boolean;
}

/** The batch-level part of a `job.progress` payload. */
export type Overall = Pick<
  JobProgressEvent,
  "items_done" | "items_total" | "bytes_done" | "bytes_total" | "rate_bps" | "eta_s"
>;

export type JobEvent =
  | { type: "job.progress"; payload: JobProgressEvent }
  | { type: "job.item_done"; payload: JobItemDoneEvent }
  | { type: "job.done"; payload: JobDoneEvent };

export interface ImportFlowState {
  step: ImportStep;
  mode: Extract<ImportMode, "copy" | "move">;
  /** look the models up on Hugging Face after import (settings.lookup_on_import) */
  lookup: boolean;
  choices: Record<string, ItemChoice>;
  jobId: string | null;
  starting: boolean;
  startError: string | null;
  /** job events that arrived before start_import answered (web mode: SSE can win the race) */
  pending: JobEvent[];
  progress: Record<string, ImportProgress>;
  overall: Overall | null;
  results: ImportResult[];
  jobStatus: JobStatus | null;
  jobError: string | null;
}

export type ImportFlowAction =
  | { type: "plan"; plan: ImportPlan; mode?: "copy" | "move"; lookup?: boolean }
  | { type: "lookup"; value: boolean }
  | { type: "toggle-include"; key: string }
  | { type: "accept-pickle"; key: string; value: boolean }
  | { type: "mode"; mode: "copy" | "move" }
  | { type: "starting" }
  | { type: "start-failed"; message: string }
  | { type: "started"; jobId: string }
  | JobEvent;

export const MAX_PENDING_EVENTS = 1000;

export const initialImportFlow: ImportFlowState = {
  step: "review",
  mode: "copy",
  lookup: true,
  choices: {},
  jobId: null,
  starting: false,
  startError: null,
  pending: [],
  progress: {},
  overall: null,
  results: [],
  jobStatus: null,
  jobError: null,
};

/** The sentence of an error (the backend's one error shape: `{code, message, details}`). */
export function errorText(error: ErrorInfo | null | undefined): string | null {
  if (!error) return null;
  return error.message || error.code;
}

/** What an error is about: the path (or model ref) its details name. */
export function errorSubject(error: ErrorInfo): ErrorSubject {
  const { path, ref } = error.details as { path?: unknown; ref?: unknown };
  if (typeof path === "string") return path;
  return typeof ref === "string" ? ref : null;
}

function applyJobEvent(state: ImportFlowState, event: JobEvent): ImportFlowState {
  switch (event.type) {
    case "job.progress": {
      const p = event.payload;
      const progress = p.item ? { ...state.progress, [p.item.key]: p.item } : state.progress;
      return {
        ...state,
        progress,
        overall: {
          items_done: p.items_done,
          items_total: p.items_total,
          bytes_done: p.bytes_done,
          bytes_total: p.bytes_total,
          rate_bps: p.rate_bps,
          eta_s: p.eta_s,
        },
      };
    }
    case "job.item_done": {
      const raw = event.payload.result as unknown as Partial<ImportResult>;
      const result: ImportResult =
        event.payload.error || typeof raw?.ok !== "boolean"
          ? {
              ok: false,
              key: raw?.key ?? null,
              id: null,
              path: null,
              hashes: null,
              duplicate_of: null,
              warnings: [],
              error: event.payload.error ?? {
                code: "error",
                message: "The item could not be imported",
                details: {},
              },
            }
          : (raw as ImportResult);
      const results = state.results.filter((r) => !result.key || r.key !== result.key);
      return { ...state, results: [...results, result] };
    }
    case "job.done":
      return {
        ...state,
        step: "summary",
        jobStatus: event.payload.status,
        jobError: errorText(event.payload.error),
        results: mergeDoneResults(state.results, event.payload.result),
      };
  }
}

/** job.done may carry the full result list; keep what item_done events already gave. */
function mergeDoneResults(results: ImportResult[], doneResult: unknown): ImportResult[] {
  const list = Array.isArray(doneResult)
    ? doneResult
    : doneResult &&
        typeof doneResult === "object" &&
        Array.isArray((doneResult as { results?: unknown }).results)
      ? (doneResult as { results: unknown[] }).results
      : [];
  const known = new Set(results.map((r) => r.key).filter(Boolean));
  const extra = (list as ImportResult[]).filter(
    (r) => r && typeof r === "object" && typeof r.ok === "boolean" && !(r.key && known.has(r.key)),
  );
  return extra.length ? [...results, ...extra] : results;
}

export function importFlowReducer(
  state: ImportFlowState,
  action: ImportFlowAction,
): ImportFlowState {
  switch (action.type) {
    case "plan": {
      const choices: Record<string, ItemChoice> = {};
      for (const item of action.plan.items) {
        // a duplicate adds nothing new: offered, but not ticked
        choices[item.key] = { include: !item.error && !item.duplicate_of, acceptPickle: false };
      }
      return {
        ...initialImportFlow,
        mode: action.mode ?? state.mode,
        lookup: action.lookup ?? state.lookup,
        choices,
      };
    }
    case "toggle-include": {
      const c = state.choices[action.key];
      if (!c || state.step !== "review") return state;
      return {
        ...state,
        choices: { ...state.choices, [action.key]: { ...c, include: !c.include } },
      };
    }
    case "accept-pickle": {
      const c = state.choices[action.key];
      if (!c || state.step !== "review") return state;
      return {
        ...state,
        choices: { ...state.choices, [action.key]: { ...c, acceptPickle: action.value } },
      };
    }
    case "mode":
      return state.step === "review" ? { ...state, mode: action.mode } : state;
    case "lookup":
      return state.step === "review" ? { ...state, lookup: action.value } : state;
    case "starting":
      return { ...state, starting: true, startError: null };
    case "start-failed":
      return { ...state, starting: false, startError: action.message };
    case "started": {
      let next: ImportFlowState = {
        ...state,
        step: "progress",
        starting: false,
        jobId: action.jobId,
        pending: [],
      };
      for (const evt of state.pending) {
        if (evt.payload.job_id === action.jobId) next = applyJobEvent(next, evt);
      }
      return next;
    }
    case "job.progress":
    case "job.item_done":
    case "job.done": {
      if (action.payload.kind && action.payload.kind !== "import") return state;
      if (state.jobId === null) {
        if (!state.starting) return state;
        const pending = [...state.pending, action].slice(-MAX_PENDING_EVENTS);
        return { ...state, pending };
      }
      if (action.payload.job_id !== state.jobId) return state;
      return applyJobEvent(state, action);
    }
  }
}

// ------------------------------------------------------------------ derived values

export function includedItems(plan: ImportPlan, state: ImportFlowState): ImportPlanItem[] {
  return plan.items.filter((item) => state.choices[item.key]?.include && !item.error);
}

/** Included pickle items whose risk has not been acknowledged: they block the start. */
export function blockedItems(plan: ImportPlan, state: ImportFlowState): ImportPlanItem[] {
  return includedItems(plan, state).filter(
    (item) => item.security_tier === "pickle" && !state.choices[item.key]?.acceptPickle,
  );
}

export function canStart(plan: ImportPlan, state: ImportFlowState): boolean {
  return (
    state.step === "review" &&
    !state.starting &&
    includedItems(plan, state).length > 0 &&
    blockedItems(plan, state).length === 0
  );
}

/**
 * Arguments of `start_import`: the reviewed plan's id and, for each item the user kept, its
 * options (accept_pickle only where the user ticked the risk box). The backend imports exactly
 * those plan items with the detections the review showed.
 */
export function buildStartArgs(
  plan: ImportPlan,
  state: ImportFlowState,
): { plan_id: string; options: ImportOptions; items: Record<string, ImportOptions> } {
  const items: Record<string, ImportOptions> = {};
  for (const item of includedItems(plan, state)) {
    items[item.key] = {
      mode: state.mode,
      lookup: state.lookup,
      accept_pickle: item.security_tier === "pickle" && !!state.choices[item.key]?.acceptPickle,
    };
  }
  return {
    plan_id: plan.plan_id ?? "",
    options: { mode: state.mode, lookup: state.lookup },
    items,
  };
}

export interface ImportSummary {
  succeeded: ImportResult[];
  duplicates: ImportResult[];
  failed: { key: string | null; name: string; message: string }[];
  /** items a cancelled import never reached: not failures, nothing of them was imported */
  cancelled: { key: string; name: string }[];
}

export function summarize(plan: ImportPlan, state: ImportFlowState): ImportSummary {
  const names = new Map(plan.items.map((i) => [i.key, i.name]));
  const nameOf = (r: ImportResult) => (r.key && names.get(r.key)) || r.path || r.key || "model";
  const succeeded: ImportResult[] = [];
  const duplicates: ImportResult[] = [];
  const failed: ImportSummary["failed"] = [];
  const cancelled: ImportSummary["cancelled"] = [];
  for (const r of state.results) {
    if (r.duplicate_of || (r.key && state.progress[r.key]?.stage === "duplicate"))
      duplicates.push(r);
    else if (r.ok) succeeded.push(r);
    else
      failed.push({ key: r.key, name: nameOf(r), message: errorText(r.error) ?? "Import failed" });
  }
  // items the job never reported on (cancelled or failed job)
  if (state.jobStatus && state.jobStatus !== "done") {
    const reported = new Set(state.results.map((r) => r.key));
    for (const item of includedItems(plan, state)) {
      if (reported.has(item.key)) continue;
      if (state.jobStatus === "cancelled" && !state.jobError) {
        cancelled.push({ key: item.key, name: item.name });
      } else {
        failed.push({
          key: item.key,
          name: item.name,
          message:
            state.jobError ??
            (state.jobStatus === "cancelled" ? "Cancelled" : `Job ${state.jobStatus}`),
        });
      }
    }
  }
  return { succeeded, duplicates, failed, cancelled };
}

/** The text field of web mode: one path per line (quotes from "copy as path" removed). */
export function parsePathInput(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) =>
      line
        .trim()
        .replace(/^(["'])(.*)\1$/, "$2")
        .trim(),
    )
    .filter((line) => line.length > 0);
}

/** A path the server can open as given: POSIX absolute, home-relative, or a Windows drive
 * or share path. */
export function isAbsolutePath(path: string): boolean {
  return /^(\/|~(\/|$)|[A-Za-z]:[\\/]|\\\\)/.test(path.trim());
}
