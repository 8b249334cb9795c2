import { useApps, useHealth, useSyncPlan } from "../../api/hooks";
import { pendingCount, problemCount } from "../../lib/syncPlan";
import { Button } from "../ui/Button";

/** The top bar's Sync button: a badge when a sync would change something, and a dot for the
 * links' health (green, or amber with the number of problems) once an app is registered. */
export function SyncButton({ onClick }: { onClick: () => void }) {
  const plan = useSyncPlan();
  const apps = useApps();
  const registered = (apps.data ?? []).length > 0;
  const health = useHealth(registered);
  const pending = pendingCount(plan.data);
  const problems = problemCount(health.data);
  return (
    <Button variant="ghost" onClick={onClick} data-testid="sync-button" className="relative">
      {registered && health.data && (
        <span
          className={`size-2 rounded-full ${problems ? "bg-warn" : "bg-ok"}`}
          role="img"
          aria-label={problems ? `${problems} link problems` : "Links healthy"}
          title={problems ? `${problems} link problems: open Sync to repair` : "Links healthy"}
          data-testid="health-badge"
          data-problems={problems}
        />
      )}
      Sync
      {pending > 0 && (
        <span
          className="min-w-4 rounded-full bg-accent px-1 text-[10.5px] leading-4 font-semibold text-white"
          aria-label={`${pending} changes to sync`}
          data-testid="sync-badge"
        >
          {pending}
        </span>
      )}
    </Button>
  );
}
