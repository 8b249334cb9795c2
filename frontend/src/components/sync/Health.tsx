import { useHealth, useRepair } from "../../api/hooks";
import type { Findings } from "../../api/types";
import { preview } from "../../lib/syncPlan";
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
};

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
  const problems = groups
    .filter((g) => g.key !== "foreign_links")
    .reduce((n, g) => n + g.items.length, 0);
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
