import { useEffect, useRef, type ReactNode } from "react";
import { useCancelJob, useJobs, usePauseJob, useResumeJobs } from "../api/hooks";
import type { JobInfo } from "../api/types";
import { refocusIfLost } from "../lib/focus";
import { formatBytes, formatDateTime, progressFraction } from "../lib/format";
import { errorText } from "../lib/importFlow";
import { isPaused } from "../lib/jobMessages";
import { Badge, type Tone } from "./ui/Badge";
import { Button, IconButton } from "./ui/Button";
import { ProgressBar, Spinner } from "./ui/ProgressBar";
import { useToast } from "./ui/Toasts";

const STATUS_TONE: Record<JobInfo["status"], Tone> = {
  running: "accent",
  done: "ok",
  failed: "danger",
  cancelled: "neutral",
  interrupted: "warn",
};

const RECENT_FINISHED = 5;
const PAUSABLE: ReadonlySet<JobInfo["kind"]> = new Set(["download"]);

export function splitJobs(jobs: JobInfo[]): { open: JobInfo[]; recent: JobInfo[] } {
  const open = jobs.filter((j) => j.status === "running" || j.status === "interrupted");
  const recent = jobs
    .filter((j) => j.status !== "running" && j.status !== "interrupted")
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
    .slice(0, RECENT_FINISHED);
  return { open, recent };
}

/** Running and interrupted jobs with cancel / resume (a non-modal popover under the top bar). */
export function JobsPanel({ onClose }: { onClose: () => void }) {
  const jobs = useJobs();
  const cancel = useCancelJob();
  const pause = usePauseJob();
  const resume = useResumeJobs();
  const toast = useToast();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ref.current?.focus();
  }, []);

  // Esc closes the popover while focus is in it — or was lost from it (a row's Cancel button
  // disappears once its job stops). Capture phase: before the app's own Esc handling.
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      const active = document.activeElement;
      if (ref.current?.contains(active) || !active || active === document.body) {
        e.preventDefault();
        onCloseRef.current();
      }
    };
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, []);
  // a row's Cancel / Resume button goes away when its job changes state: keep focus in here
  useEffect(() => refocusIfLost(() => ref.current), [jobs.data]);

  const { open, recent } = splitJobs(jobs.data ?? []);
  const interrupted = open.filter((j) => j.status === "interrupted");
  const onError = (title: string) => (err: Error) =>
    toast.push({ kind: "error", title, message: err.message });

  return (
    <div
      ref={ref}
      tabIndex={-1}
      data-testid="jobs-panel"
      role="region"
      aria-label="Jobs"
      className="ts-enter absolute top-11 right-3 z-20 flex max-h-[70vh] w-[400px] flex-col rounded-xl border border-line bg-elev shadow-2xl outline-none"
    >
      <div className="flex items-center gap-2 border-b border-line px-4 py-2.5">
        <h2 className="flex-1 text-[13px] font-semibold">Jobs</h2>
        {interrupted.length > 1 && (
          <Button
            size="sm"
            onClick={() => resume.mutate(undefined, { onError: onError("Could not resume") })}
          >
            Resume all
          </Button>
        )}
        <IconButton label="Close jobs" onClick={onClose}>
          <span aria-hidden="true" className="text-[16px] leading-none">
            ×
          </span>
        </IconButton>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto p-2">
        {jobs.isLoading && (
          <div className="flex items-center gap-2 p-3 text-muted">
            <Spinner /> Loading…
          </div>
        )}
        {jobs.error && <p className="p-3 text-danger">{jobs.error.message}</p>}
        {!jobs.isLoading && open.length === 0 && <p className="p-3 text-muted">Nothing running.</p>}
        {open.map((job) => (
          <JobRow
            key={job.job_id}
            job={job}
            action={
              job.status === "running" ? (
                <>
                  {PAUSABLE.has(job.kind) && (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() =>
                        pause.mutate(job.job_id, { onError: onError("Could not pause") })
                      }
                      disabled={pause.isPending}
                    >
                      Pause
                    </Button>
                  )}
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() =>
                      cancel.mutate(job.job_id, { onError: onError("Could not cancel") })
                    }
                    disabled={cancel.isPending}
                  >
                    Cancel
                  </Button>
                </>
              ) : (
                <>
                  {isPaused(job) && (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() =>
                        cancel.mutate(job.job_id, { onError: onError("Could not discard") })
                      }
                      disabled={cancel.isPending}
                    >
                      Discard
                    </Button>
                  )}
                  <Button
                    size="sm"
                    variant="primary"
                    onClick={() =>
                      resume.mutate(job.job_id, { onError: onError("Could not resume") })
                    }
                    disabled={resume.isPending}
                  >
                    Resume
                  </Button>
                </>
              )
            }
          />
        ))}
        {recent.length > 0 && (
          <>
            <h3 className="mt-2 px-2 pb-1 text-[11px] font-semibold tracking-wide text-faint uppercase">
              Recent
            </h3>
            {recent.map((job) => (
              <JobRow key={job.job_id} job={job} />
            ))}
          </>
        )}
      </div>
    </div>
  );
}

function JobRow({ job, action }: { job: JobInfo; action?: ReactNode }) {
  const fraction =
    progressFraction(job.bytes_done, job.bytes_total) ||
    progressFraction(job.items_done, job.items_total);
  const paused = isPaused(job);
  const error = paused ? null : errorText(job.error ?? null);
  return (
    <div
      data-testid="job-row"
      data-job-id={job.job_id}
      data-status={job.status}
      className="rounded-lg p-2 hover:bg-hover"
    >
      <div className="flex items-center gap-2">
        <div className="min-w-0 flex-1">
          <div className="truncate font-medium text-fg">{job.title || job.kind}</div>
          <div className="text-[11.5px] text-faint">
            {job.kind} · {formatDateTime(job.created_at)}
          </div>
        </div>
        {job.status === "done" && job.problems > 0 ? (
          <Badge tone="danger">finished with problems ({job.problems})</Badge>
        ) : (
          <Badge tone={paused ? "neutral" : STATUS_TONE[job.status]}>
            {paused ? "paused" : job.status}
          </Badge>
        )}
        {action}
      </div>
      {(job.status === "running" || job.status === "interrupted") && (
        <div className="mt-1.5">
          <ProgressBar label={`${job.title || job.kind} progress`} value={fraction} />
          <div className="mt-1 text-[11.5px] text-faint tabular-nums">
            {job.items_done} of {job.items_total} items
            {job.bytes_total > 0 &&
              ` · ${formatBytes(job.bytes_done)} of ${formatBytes(job.bytes_total)}`}
          </div>
        </div>
      )}
      {job.bytes_read != null && job.status !== "running" && (
        <div className="mt-1 text-[11.5px] text-faint tabular-nums">
          {formatBytes(job.bytes_read)} read
          {job.bytes_total > job.bytes_read &&
            ` · ${formatBytes(job.bytes_total - job.bytes_read)} unchanged (hash cache)`}
        </div>
      )}
      {error && <div className="mt-1 text-[12px] text-danger">{error}</div>}
    </div>
  );
}
