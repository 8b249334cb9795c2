import type { ImportPlanItem, ImportStage } from "../../api/types";
import { formatBytes, formatEta, formatRate, progressFraction } from "../../lib/format";
import type { ImportFlowState } from "../../lib/importFlow";
import { Badge, type Tone } from "../ui/Badge";
import { ProgressBar } from "../ui/ProgressBar";

const STAGE_LABELS: Record<ImportStage, string> = {
  queued: "Queued",
  validating: "Validating",
  copying: "Copying",
  hashing: "Hashing",
  verifying: "Verifying",
  publishing: "Publishing",
  done: "Done",
  failed: "Failed",
  duplicate: "Duplicate",
  skipped: "Skipped",
};

function stageTone(stage: ImportStage): Tone {
  if (stage === "done") return "ok";
  if (stage === "failed") return "danger";
  if (stage === "duplicate" || stage === "skipped") return "info";
  if (stage === "queued") return "neutral";
  return "accent";
}

export function ProgressStep({
  items,
  state,
}: {
  items: ImportPlanItem[];
  state: ImportFlowState;
}) {
  const overall = state.overall;
  return (
    <div className="flex flex-col gap-4" data-testid="import-progress">
      <div>
        <div className="mb-1.5 flex justify-between text-[12px] text-muted">
          <span>
            {overall ? `${overall.items_done} of ${overall.items_total} models` : "Starting…"}
            {overall &&
              overall.bytes_total > 0 &&
              ` · ${formatBytes(overall.bytes_done)} of ${formatBytes(overall.bytes_total)}`}
          </span>
          <span>
            {overall && `${formatRate(overall.rate_bps)} · ETA ${formatEta(overall.eta_s)}`}
          </span>
        </div>
        <ProgressBar
          label="Overall import progress"
          value={
            overall
              ? progressFraction(overall.bytes_done, overall.bytes_total) ||
                progressFraction(overall.items_done, overall.items_total)
              : 0
          }
        />
      </div>
      <ul className="flex flex-col divide-y divide-line rounded-lg border border-line">
        {items.map((item) => {
          const p = state.progress[item.key];
          const stage: ImportStage = p?.stage ?? "queued";
          const fraction =
            stage === "done" ? 1 : p ? progressFraction(p.bytes_done, p.bytes_total) : 0;
          const active = p && !["done", "failed", "duplicate", "skipped", "queued"].includes(stage);
          return (
            <li
              key={item.key}
              className="flex flex-col gap-1.5 p-3"
              data-testid="import-progress-row"
              data-key={item.key}
              data-stage={stage}
            >
              <div className="flex items-center gap-2">
                <span className="min-w-0 flex-1 truncate font-medium text-fg">{item.name}</span>
                <Badge tone={stageTone(stage)}>{STAGE_LABELS[stage] ?? stage}</Badge>
              </div>
              <ProgressBar
                label={`${item.name} progress`}
                value={fraction}
                tone={stage === "failed" ? "danger" : stage === "done" ? "ok" : "accent"}
              />
              <div className="flex justify-between text-[11.5px] text-faint">
                <span className="truncate" title={p?.file}>
                  {stage === "done"
                    ? `${formatBytes(item.size_bytes)} · done`
                    : p
                      ? `${p.file} · ${formatBytes(p.bytes_done)} of ${formatBytes(p.bytes_total || item.size_bytes)}`
                      : formatBytes(item.size_bytes)}
                </span>
                {active && (
                  <span className="shrink-0" data-testid="import-rate">
                    {formatRate(p.rate_bps)} · ETA {formatEta(p.eta_s)}
                  </span>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
