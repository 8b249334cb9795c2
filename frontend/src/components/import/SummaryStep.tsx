import type { ReactNode } from "react";
import type { ImportPlan } from "../../api/types";
import { type ImportFlowState, summarize } from "../../lib/importFlow";
import { ImportedTrust } from "./ImportedTrust";

export function SummaryStep({ plan, state }: { plan: ImportPlan; state: ImportFlowState }) {
  const { succeeded, duplicates, failed, cancelled } = summarize(plan, state);
  const names = new Map(plan.items.map((i) => [i.key, i.name]));
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <div className="flex flex-col gap-4" data-testid="import-summary">
      <div className="grid grid-cols-3 gap-2">
        <Count
          label="Imported"
          value={succeeded.length}
          tone="text-ok"
          testId="summary-succeeded"
        />
        <Count
          label="Duplicates"
          value={duplicates.length}
          tone="text-info"
          testId="summary-duplicates"
        />
        <Count label="Failed" value={failed.length} tone="text-danger" testId="summary-failed" />
      </div>
      {state.jobStatus === "cancelled" && (
        <p className="text-muted" data-testid="summary-cancelled">
          The import was cancelled; the models finished before were kept
          {cancelled.length > 0 &&
            ` — ${plural(cancelled.length, "model was", "models were")} not imported: ${cancelled
              .map((c) => c.name)
              .join(", ")}`}
          .
        </p>
      )}
      {state.jobStatus === "failed" && state.jobError && (
        <p className="text-danger">The import stopped: {state.jobError}</p>
      )}

      {succeeded.length > 0 && (
        <Section title={`${plural(succeeded.length, "model", "models")} imported successfully`}>
          {succeeded.map((r, i) => (
            <li key={r.key ?? i} className="flex items-center gap-2">
              <span className="font-medium text-fg">{(r.key && names.get(r.key)) || r.id}</span>
              <span className="min-w-0 flex-1 truncate font-mono text-[11.5px] text-faint">
                {r.path}
              </span>
              {r.id && <ImportedTrust id={r.id} />}
            </li>
          ))}
        </Section>
      )}
      {duplicates.length > 0 && (
        <Section
          title={`${plural(duplicates.length, "model was", "models were")} already in the library`}
        >
          {duplicates.map((r, i) => (
            <li key={r.key ?? i} className="flex gap-2">
              <span className="font-medium text-fg">{(r.key && names.get(r.key)) || r.key}</span>
              <span className="text-faint">
                same as {r.duplicate_of?.slice(0, 12) ?? "an existing model"}
              </span>
            </li>
          ))}
        </Section>
      )}
      {failed.length > 0 && (
        <Section title={`${plural(failed.length, "model", "models")} failed to import`}>
          {failed.map((f, i) => (
            <li key={f.key ?? i} className="flex flex-col" data-testid="summary-failure">
              <span className="font-medium text-fg">{f.name}</span>
              <span className="text-danger">{f.message}</span>
            </li>
          ))}
        </Section>
      )}
    </div>
  );
}

function Count({
  label,
  value,
  tone,
  testId,
}: {
  label: string;
  value: number;
  tone: string;
  testId: string;
}) {
  return (
    <div className="rounded-lg border border-line bg-panel p-3">
      <div
        className={`text-[20px] font-semibold ${value ? tone : "text-faint"}`}
        data-testid={testId}
      >
        {value}
      </div>
      <div className="text-[12px] text-muted">{label}</div>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h3 className="mb-1 text-[12px] font-semibold text-muted">{title}</h3>
      <ul className="space-y-1 text-[12.5px]">{children}</ul>
    </section>
  );
}
