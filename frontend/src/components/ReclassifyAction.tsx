import { useEffect, useRef, useState } from "react";
import { useCancelJob, useStartReclassify } from "../api/hooks";
import type { ReclassifyReport } from "../api/types";
import { useFollowJob } from "../api/useFollowJob";
import { claimJobKind } from "../lib/jobClaims";
import { reclassifyMessage } from "../lib/jobMessages";
import { errorSubject, errorText } from "../lib/importFlow";
import { progressFraction } from "../lib/format";
import { ConfirmDialog } from "./ConfirmDialog";
import { Button } from "./ui/Button";
import { ProgressBar } from "./ui/ProgressBar";
import { useToast } from "./ui/Toasts";

const PREVIEW_MAX = 50;

type Mode = "check" | "apply";

/** The reclassify job this action started: `jobId` is null until start_reclassify answers. */
interface Running {
  mode: Mode;
  jobId: string | null;
}

/**
 * "Re-run detection": a dry-run job lists what the current detector would re-file (with
 * progress, cancellable), and only a confirmation starts the job that applies it (ids stay;
 * paths move; the index follows).
 */
export function ReclassifyAction() {
  const start = useStartReclassify();
  const cancelJob = useCancelJob();
  const toast = useToast();
  const [running, setRunning] = useState<Running | null>(null);
  const [preview, setPreview] = useState<ReclassifyReport | null>(null);
  const job = useFollowJob(running?.jobId ?? null, "reclassify");
  const handled = useRef<string | null>(null);

  // this component reports its own jobs' outcomes: no second, app-wide toast while mounted
  useEffect(() => claimJobKind("reclassify"), []);

  // Models whose header could not be read again are reported, not silently counted as fine.
  const warnFailures = (report: ReclassifyReport) => {
    if (report.errors.length === 0) return;
    const first = report.errors[0];
    toast.push({
      kind: "warning",
      title: `${report.errors.length} ${report.errors.length === 1 ? "model" : "models"} could not be checked`,
      message: `${errorSubject(first) ?? "?"}: ${errorText(first) ?? ""}`,
    });
  };

  const done = job.done;
  useEffect(() => {
    if (!running || !done || handled.current === done.job_id) return;
    handled.current = done.job_id;
    const mode = running.mode;
    setRunning(null);
    const what = mode === "check" ? "Checking the classifications" : "Re-filing";
    if (done.status === "cancelled" || done.status === "interrupted") {
      toast.push({ kind: "info", title: `${what} was ${done.status}` });
      return;
    }
    const report = done.result as ReclassifyReport | null;
    if (done.status !== "done" || !report) {
      toast.push({
        kind: "error",
        title: `${what} failed`,
        message: errorText(done.error ?? null) ?? undefined,
      });
      return;
    }
    warnFailures(report);
    if (mode === "apply") {
      toast.push(reclassifyMessage(report));
    } else if (report.changed.length === 0) {
      toast.push({
        kind: "success",
        title: "Every model is classified as the current detector would",
        message: `${report.unchanged} checked`,
      });
    } else {
      setPreview(report);
    }
    // once per finished job (`handled`): toast/warnFailures change identity on every render
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [done, running]);

  const run = (mode: Mode) => {
    handled.current = null;
    setRunning({ mode, jobId: null });
    start.mutate(
      { all: true, dry_run: mode === "check" },
      {
        onSuccess: (ref) =>
          setRunning((r) => (r && r.mode === mode ? { mode, jobId: ref.job_id } : r)),
        onError: (err) => {
          setRunning(null);
          toast.push({
            kind: "error",
            title:
              mode === "check"
                ? "Could not check the classifications"
                : "Could not re-file the models",
            message: err.message,
          });
        },
      },
    );
  };

  const apply = () => {
    setPreview(null);
    run("apply");
  };

  const p = running ? job.progress : null;
  return (
    <>
      <div className="flex items-center gap-3">
        <div className="flex-1 text-[12.5px] text-muted">
          <div className="font-medium text-fg">Re-run detection</div>
          Read every model's header again with the current detector and re-file what changed. Shows
          the changes first.
        </div>
        <Button
          onClick={() => run("check")}
          disabled={running !== null}
          data-testid="reclassify-button"
        >
          {running?.mode === "check"
            ? "Checking…"
            : running?.mode === "apply"
              ? "Re-filing…"
              : "Check…"}
        </Button>
      </div>
      {running && (
        <div
          className="mt-2"
          role="status"
          data-testid="reclassify-progress"
          data-mode={running.mode}
        >
          <ProgressBar
            label={
              running.mode === "check" ? "Classification check progress" : "Re-filing progress"
            }
            value={p ? progressFraction(p.items_done, p.items_total) : 0}
          />
          <div className="mt-1 flex items-center justify-between text-[11.5px] text-faint tabular-nums">
            <span data-testid="reclassify-progress-text">
              {p
                ? `${p.items_done} of ${p.items_total} ${p.items_total === 1 ? "model" : "models"}`
                : "Starting…"}
            </span>
            {running.jobId && (
              <Button
                size="sm"
                variant="ghost"
                onClick={() => cancelJob.mutate(running.jobId as string)}
                disabled={cancelJob.isPending}
                data-testid="reclassify-cancel"
              >
                Cancel
              </Button>
            )}
          </div>
        </div>
      )}
      {preview && (
        <ConfirmDialog
          title={`Re-file ${preview.changed.length} ${preview.changed.length === 1 ? "model" : "models"}?`}
          confirmLabel="Re-file"
          onCancel={() => setPreview(null)}
          onConfirm={apply}
        >
          <ul className="max-h-64 space-y-1.5 overflow-y-auto" data-testid="reclassify-preview">
            {preview.changed.slice(0, PREVIEW_MAX).map((c) => (
              <li key={c.id} className="text-[12px]">
                <div className="font-mono break-all text-fg">{c.old_path}</div>
                <div className="font-mono break-all text-accent">→ {c.new_path}</div>
                <div className="text-faint">
                  {Object.entries(c.changes)
                    .map(([field, [from, to]]) => `${field}: ${from ?? "—"} → ${to ?? "—"}`)
                    .join(" · ")}
                </div>
              </li>
            ))}
          </ul>
          {preview.changed.length > PREVIEW_MAX && (
            <p className="mt-2">…and {preview.changed.length - PREVIEW_MAX} more.</p>
          )}
          <p className="mt-2">
            Model ids, files and your edits stay as they are; only the folders move.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
