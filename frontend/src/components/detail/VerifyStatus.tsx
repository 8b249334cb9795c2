import type { FollowedJob } from "../../api/useFollowJob";
import type { ModelVerification, VerifyReport } from "../../api/types";
import { formatBytes, formatEta, formatRate, progressFraction } from "../../lib/format";
import { errorText } from "../../lib/importFlow";
import { Button } from "../ui/Button";
import { ProgressBar } from "../ui/ProgressBar";

const FILE_STATUS: Record<string, string> = {
  mismatch: "differs from the recorded hash",
  missing: "is missing",
};

function verificationOf(job: FollowedJob, modelId: string): ModelVerification | null {
  const report = job.done?.result as VerifyReport | null | undefined;
  return report?.models?.find((m) => m.id === modelId) ?? null;
}

/** The verification this panel started: live progress from pushed events, then its verdict. */
export function VerifyStatus({
  modelId,
  job,
  onCancel,
  cancelling,
}: {
  modelId: string;
  job: FollowedJob;
  onCancel: (() => void) | null;
  cancelling: boolean;
}) {
  const box = "mx-4 mb-3 rounded-md border p-2.5 text-[12px]";
  const done = job.done;
  if (!done) {
    const p = job.progress;
    return (
      <div
        className={`${box} border-line bg-panel`}
        role="status"
        data-testid="verify-status"
        data-state="running"
      >
        <div className="mb-1.5 flex items-center gap-2">
          <span className="flex-1 font-medium text-fg">Verifying: re-reading every file…</span>
          {onCancel && (
            <Button size="sm" variant="ghost" onClick={onCancel} disabled={cancelling}>
              Cancel
            </Button>
          )}
        </div>
        <ProgressBar
          label="Verification progress"
          value={p ? progressFraction(p.bytes_done, p.bytes_total) : 0}
        />
        <div className="mt-1 flex justify-between text-[11.5px] text-faint tabular-nums">
          <span>
            {p ? `${formatBytes(p.bytes_done)} of ${formatBytes(p.bytes_total)}` : "Starting…"}
          </span>
          {p && p.bytes_done < p.bytes_total && (
            <span>
              {formatRate(p.rate_bps)} · ETA {formatEta(p.eta_s)}
            </span>
          )}
        </div>
      </div>
    );
  }
  const result = verificationOf(job, modelId);
  if (done.status === "cancelled" || done.status === "interrupted") {
    return (
      <div
        className={`${box} border-line bg-panel text-muted`}
        role="status"
        data-testid="verify-status"
        data-state="cancelled"
      >
        Verification {done.status}.
      </div>
    );
  }
  if (done.status === "failed" || !result) {
    return (
      <div
        className={`${box} border-danger/40 bg-danger-soft text-danger`}
        role="alert"
        data-testid="verify-status"
        data-state="failed"
      >
        Verification failed{done.error ? `: ${errorText(done.error)}` : "."}
      </div>
    );
  }
  if (result.ok) {
    return (
      <div
        className={`${box} border-ok/40 bg-ok-soft text-ok`}
        role="status"
        data-testid="verify-status"
        data-state="ok"
      >
        {result.files.length === 1 ? "The file matches" : `All ${result.files.length} files match`}{" "}
        the recorded SHA-256 and BLAKE3 ({formatBytes(result.bytes_read)} re-read).
      </div>
    );
  }
  const bad = result.files.filter((f) => !f.ok);
  return (
    <div
      className={`${box} border-danger/40 bg-danger-soft`}
      role="alert"
      data-testid="verify-status"
      data-state="mismatch"
    >
      <div className="font-semibold text-danger">
        {bad.length} of {result.files.length} {result.files.length === 1 ? "file" : "files"} changed
        since import
      </div>
      <ul className="mt-1 space-y-0.5 text-fg">
        {bad.map((f) => (
          <li key={f.path} className="break-all">
            <span className="font-mono text-[11.5px]">{f.path}</span>{" "}
            {FILE_STATUS[f.status] ?? f.status}
          </li>
        ))}
      </ul>
    </div>
  );
}
