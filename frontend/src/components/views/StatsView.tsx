import type { ReactNode } from "react";
import { useStats } from "../../api/viewHooks";
import { plural } from "../../lib/bulkText";
import { formatBytes, humanize } from "../../lib/format";
import { GrowthChart, UsageBars } from "./Charts";
import { ViewMessage } from "./ViewMessage";

/** Disk use per type / family / format, space linking saved, duplicates avoided, the
 * largest models and growth over time. */
export function StatsView({ onShowModel }: { onShowModel: (id: string) => void }) {
  const stats = useStats();
  if (stats.isLoading) return <ViewMessage busy>Adding up the library…</ViewMessage>;
  if (stats.error)
    return (
      <ViewMessage tone="danger">Could not load the statistics: {stats.error.message}</ViewMessage>
    );
  const s = stats.data;
  if (!s || s.models === 0)
    return (
      <ViewMessage testId="stats-empty" title="No statistics yet">
        Import a model and its disk use, the space linking saves and more appear here.
      </ViewMessage>
    );
  const saved = s.linked.reduce((n, r) => n + r.bytes, 0);
  return (
    <div className="min-h-0 flex-1 overflow-y-auto px-4 py-3" data-testid="stats-view">
      <div className="mb-3 grid grid-cols-[repeat(auto-fit,minmax(150px,1fr))] gap-2">
        <Figure label="Models" value={s.models.toLocaleString()} testId="stat-models" />
        <Figure label="On disk" value={formatBytes(s.bytes)} testId="stat-bytes" />
        <Figure
          label="Saved by linking"
          value={formatBytes(saved)}
          note={s.linked.length ? `in ${plural(s.linked.length, "app")}` : "no app registered"}
          testId="stat-saved"
        />
        <Figure
          label="Duplicates avoided"
          value={s.duplicates_avoided.toLocaleString()}
          note={formatBytes(s.duplicate_bytes_avoided)}
          testId="stat-duplicates"
        />
      </div>
      <div className="grid grid-cols-[repeat(auto-fit,minmax(340px,1fr))] gap-3">
        <Card title="By kind">
          <UsageBars rows={s.by_kind} label="Disk use by kind" keyLabel={humanize} />
        </Card>
        <Card title="By model type">
          <UsageBars rows={s.by_type} label="Disk use by model type" keyLabel={humanize} />
        </Card>
        <Card title="By family">
          <UsageBars rows={s.by_family} label="Disk use by family" />
        </Card>
        <Card title="By format">
          <UsageBars rows={s.by_format} label="Disk use by format" />
        </Card>
        <Card title="Space saved by linking, per app">
          {s.linked.length ? (
            <UsageBars rows={s.linked} label="Space saved by linking" />
          ) : (
            <p className="text-[12px] text-faint">
              Register an app (Sync) and its models are linked, not copied.
            </p>
          )}
        </Card>
        <Card title="Growth per month">
          <GrowthChart rows={s.growth} />
        </Card>
        <Card title="Largest models">
          <ol className="flex flex-col text-[12.5px]">
            {s.largest.map((m) => (
              <li key={m.id} className="flex gap-2">
                <button
                  type="button"
                  className="min-w-0 flex-1 truncate text-left text-accent hover:underline"
                  onClick={() => onShowModel(m.id)}
                >
                  {m.name}
                </button>
                <span className="text-muted tabular-nums">{formatBytes(m.size_bytes)}</span>
              </li>
            ))}
          </ol>
        </Card>
      </div>
    </div>
  );
}

function Figure({
  label,
  value,
  note,
  testId,
}: {
  label: string;
  value: string;
  note?: string;
  testId: string;
}) {
  return (
    <div className="rounded-lg border border-line bg-panel px-3 py-2" data-testid={testId}>
      <div className="text-[11px] font-semibold tracking-wide text-faint uppercase">{label}</div>
      <div className="text-[18px] font-semibold text-fg tabular-nums">{value}</div>
      {note && <div className="text-[11.5px] text-muted">{note}</div>}
    </div>
  );
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-line bg-panel px-3 py-2.5" aria-label={title}>
      <h3 className="mb-2 text-[11px] font-semibold tracking-wide text-faint uppercase">{title}</h3>
      {children}
    </section>
  );
}
