import type { AppInstall, Conflict, Resolution, SyncPlan } from "../../api/types";
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

const CHOICES: [Resolution, string][] = [
  ["skip", "Leave it (skip)"],
  ["rename", "Link ours under another name"],
  ["replace", "Move yours aside to .old, link ours"],
];

function ConflictChoices({
  app,
  conflicts,
  choices,
  onChoose,
}: {
  app: AppInstall;
  conflicts: Conflict[];
  choices: Record<string, Resolution>;
  onChoose: (key: string, how: Resolution) => void;
}) {
  if (conflicts.length === 0) return null;
  return (
    <div className="mt-1.5">
      <div className="text-[11.5px] font-semibold text-faint uppercase">Conflicts</div>
      <ul className="mt-0.5 space-y-1">
        {conflicts.map((c) => {
          const key = `${app.id}:${c.target}`;
          return (
            <li key={key} className="flex items-center gap-2 text-[12px]">
              <span className="min-w-0 flex-1 truncate font-mono text-muted" title={c.message}>
                {c.target} — {CONFLICT_LABELS[c.reason] ?? c.reason}
              </span>
              <select
                aria-label={`What to do with ${c.target}`}
                data-testid="conflict-choice"
                value={choices[key] ?? "skip"}
                onChange={(e) => onChoose(key, e.target.value as Resolution)}
                className="h-7 rounded border border-line bg-bg px-1 text-[12px]"
              >
                {CHOICES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** One app's sync plan: counts, then the lists (capped), and a choice per conflict. */
export function PlanView({
  app,
  plan,
  choices = {},
  onChoose = () => undefined,
}: {
  app: AppInstall;
  plan: SyncPlan | undefined;
  choices?: Record<string, Resolution>;
  onChoose?: (key: string, how: Resolution) => void;
}) {
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
      <ConflictChoices app={app} conflicts={plan.conflicts} choices={choices} onChoose={onChoose} />
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
