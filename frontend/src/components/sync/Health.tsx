import { useState } from "react";
import { useHealth, useRelocate, useRepair } from "../../api/hooks";
import type { Findings } from "../../api/types";
import { preview, problemCount } from "../../lib/syncPlan";
import { Button } from "../ui/Button";
import { Spinner } from "../ui/ProgressBar";
import { useToast } from "../ui/Toasts";

const TITLES: Record<keyof Findings, string> = {
  broken_links: "Broken links (their model is gone)",
  missing_links: "Missing links",
  unregistered_links: "Links Tensorshelf does not know",
  foreign_links: "Other links where a model should go (left alone)",
  shadowed: "Two models with one name in one folder",
  ghost_apps: "Apps whose folder is gone",
  phantom_models: "Models with missing files",
  offline_roots: "Library not mounted",
  app_configs: "ComfyUI path groups missing or out of date",
  sandbox: "Sandbox: folders it must be allowed to use",
};

/** Apps whose folder is gone were often moved: re-point them (and our absolute links). */
function Relocate({ from }: { from: string }) {
  const toast = useToast();
  const relocate = useRelocate();
  const [old, setOld] = useState(from);
  const [now, setNow] = useState("");
  return (
    <form
      className="mt-2 flex flex-wrap items-center gap-2 text-[12px]"
      data-testid="relocate"
      onSubmit={(e) => {
        e.preventDefault();
        relocate.mutate(
          { old, new: now },
          {
            onSuccess: (r) =>
              toast.push({
                kind: "success",
                title: "Relocated",
                message: `${r.apps.length} apps and ${r.links_repointed} links re-pointed`,
              }),
          },
        );
      }}
    >
      <span className="text-muted">Moved? From</span>
      <input
        aria-label="Old folder"
        value={old}
        onChange={(e) => setOld(e.target.value)}
        className="h-7 min-w-0 flex-1 rounded border border-line bg-bg px-2 font-mono"
      />
      <span className="text-muted">to</span>
      <input
        aria-label="New folder"
        value={now}
        onChange={(e) => setNow(e.target.value)}
        placeholder="/new/place"
        className="h-7 min-w-0 flex-1 rounded border border-line bg-bg px-2 font-mono"
      />
      <Button type="submit" disabled={!now.trim() || relocate.isPending}>
        Relocate
      </Button>
      {relocate.error && <span className="text-danger">{relocate.error.message}</span>}
    </form>
  );
}

/** Doctor's verdict: green when healthy, else each finding and a Repair button. */
export function Health() {
  const toast = useToast();
  const health = useHealth(true);
  const repair = useRepair();
  if (health.isLoading) return <Spinner label="Checking links" />;
  const findings = health.data;
  if (!findings) return null;
  const groups = (Object.keys(TITLES) as (keyof Findings)[])
    .map((key) => ({ key, items: findings[key].filter((f) => !f.fixed) }))
    .filter((g) => g.items.length > 0);
  const problems = problemCount(findings);
  return (
    <section
      aria-label="Health"
      data-testid="health"
      data-problems={problems}
      className="rounded-lg border border-line p-3 text-[12.5px]"
    >
      <div className="flex items-center gap-2">
        <span
          className={`size-2.5 rounded-full ${problems ? "bg-warn" : "bg-ok"}`}
          aria-hidden="true"
        />
        <span className="flex-1 font-medium text-fg">
          {problems ? `${problems} problems found` : "Links healthy"}
        </span>
        {problems > 0 && (
          <Button
            onClick={() =>
              repair.mutate(undefined, {
                onSuccess: () => toast.push({ kind: "success", title: "Repaired what was ours" }),
              })
            }
            disabled={repair.isPending}
            data-testid="repair"
          >
            {repair.isPending ? "Repairing…" : "Repair"}
          </Button>
        )}
      </div>
      {findings.ghost_apps.length > 0 && <Relocate from={findings.ghost_apps[0].path} />}
      {groups.map(({ key, items }) => {
        const { shown, more } = preview(items);
        return (
          <div key={key} className="mt-2">
            <div className="text-[11.5px] font-semibold text-faint uppercase">{TITLES[key]}</div>
            <ul className="mt-0.5 space-y-0.5 text-[11.5px] text-muted">
              {shown.map((f) => (
                <li key={f.path} className="truncate" title={f.detail}>
                  <span className="font-mono">{f.path}</span> — {f.detail}
                </li>
              ))}
              {more > 0 && <li className="text-faint">… and {more} more</li>}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
