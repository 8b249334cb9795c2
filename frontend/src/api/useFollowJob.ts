import { useReducer, useRef } from "react";
import { useEvent } from "./BridgeContext";
import type { JobDoneEvent, JobKind, JobProgressEvent } from "./types";

export interface FollowedJob {
  progress: JobProgressEvent | null;
  done: JobDoneEvent | null;
}

const NOTHING: FollowedJob = { progress: null, done: null };
/** Jobs of `kind` whose latest events are remembered while the followed id is not known yet. */
const REMEMBERED_JOBS = 16;

/**
 * Progress and completion of one job, from pushed events (never polled). Events that arrive
 * before `jobId` is known — a quick job can finish before `start_*` has answered — are kept
 * and apply as soon as it is.
 */
export function useFollowJob(jobId: string | null, kind: JobKind): FollowedJob {
  const seen = useRef(new Map<string, FollowedJob>());
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  const record = (id: string, patch: Partial<FollowedJob>) => {
    const map = seen.current;
    const previous = map.get(id) ?? NOTHING;
    map.delete(id); // re-insert: the map's order is "least recently heard of" first
    map.set(id, { ...previous, ...patch });
    while (map.size > REMEMBERED_JOBS) map.delete(map.keys().next().value as string);
    if (jobId === null || id === jobId) rerender();
  };

  useEvent("job.progress", (payload) => {
    if (payload.kind === kind) record(payload.job_id, { progress: payload });
  });
  useEvent("job.done", (payload) => {
    if (payload.kind === kind) record(payload.job_id, { done: payload });
  });

  return jobId ? (seen.current.get(jobId) ?? NOTHING) : NOTHING;
}
