import type { AppInstall, SyncPlan } from "../../api/types";
import { CONFLICT_LABELS, preview } from "../../lib/syncPlan";

function List({ title, rows }: { title: string; rows: string[] }) {
  if (rows.length === 0) return null;
  const { shown, more } = preview(rows);
  return (
    <div className="mt-1.5">
      <div className="text-[11.5px] font-semibold text-faint uppercase">{title}</div>
      <ul className="mt-0.5 space-y-0.5 font-mono text-[11.5px] text-muted">
        {shown.map((row) => (
          <li key={row} className="truncate" title={row}>
            {row}
          </li>
        ))}
        {more > 0 && <li className="font-sans text-faint">… and {more} more</li>}
      </ul>
    </div>
  );
}

/** One app's sync plan: counts, then the lists (capped). */
export function PlanView({ app, plan }: { app: AppInstall; plan: SyncPlan | undefined }) {
  if (!plan) return null;
  const nothing = plan.to_create.length + plan.to_remove.length + plan.conflicts.length === 0;
  return (
    <div data-testid="sync-plan" data-app={app.id} className="text-[12.5px]">
      <div className="text-muted">
        {nothing
          ? `Up to date — ${plan.already_ok} linked`
          : `${plan.to_create.length} to link · ${plan.already_ok} already linked · ` +
            `${plan.conflicts.length} conflicts · ${plan.to_remove.length} to remove`}
        {plan.not_mapped.length > 0 && ` · ${plan.not_mapped.length} not mapped`}
      </div>
      <List title="New links" rows={plan.to_create.map((a) => a.target)} />
      <List
        title="Conflicts (left alone)"
        rows={plan.conflicts.map((c) => `${c.target} — ${CONFLICT_LABELS[c.reason] ?? c.reason}`)}
      />
      <List title="To remove" rows={plan.to_remove.map((a) => `${a.target} (${a.note})`)} />
      <List title="Not mapped" rows={plan.not_mapped.map((n) => `${n.name}: ${n.reason}`)} />
      {[...plan.warnings, ...plan.problems.map((p) => p.message)].map((w) => (
        <div key={w} className="mt-1 text-[12px] text-warn">
          {w}
        </div>
      ))}
    </div>
  );
}
