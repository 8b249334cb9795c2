import { useSyncPlan } from "../../api/hooks";
import { pendingCount } from "../../lib/syncPlan";
import { Button } from "../ui/Button";

/** The top bar's Sync button: a badge when a sync would change something. */
export function SyncButton({ onClick }: { onClick: () => void }) {
  const plan = useSyncPlan();
  const pending = pendingCount(plan.data);
  return (
    <Button variant="ghost" onClick={onClick} data-testid="sync-button" className="relative">
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
