import { useDismissMove, useRelocate, useStatus } from "../../api/hooks";
import { Button } from "../ui/Button";

/** The library is not where its app links were made for (moved, or its drive remounted
 * elsewhere): offer to re-point them, or to keep things as they are. */
export function MovedBanner() {
  const status = useStatus();
  const relocate = useRelocate();
  const dismiss = useDismissMove();
  const from = status.data?.moved_from;
  if (!from || !status.data) return null;
  const here = status.data.library_root;
  return (
    <div
      role="status"
      data-testid="moved-banner"
      className="flex flex-wrap items-center gap-2 border-b border-line bg-warn-soft px-4 py-2 text-[12px] text-fg"
    >
      <span className="min-w-0 flex-1">
        The library was at <span className="font-mono">{from}</span> when its links into your apps
        were made; it is now at <span className="font-mono">{here}</span>.
      </span>
      <Button
        variant="primary"
        onClick={() => relocate.mutate({ old: from, new: here })}
        disabled={relocate.isPending}
        data-testid="relocate-links"
      >
        {relocate.isPending ? "Re-pointing…" : "Re-point the links"}
      </Button>
      <Button variant="ghost" onClick={() => dismiss.mutate()} data-testid="dismiss-move">
        Keep as is
      </Button>
      {(relocate.error ?? dismiss.error) && (
        <span className="w-full text-danger" role="alert">
          {(relocate.error ?? dismiss.error)?.message}
        </span>
      )}
    </div>
  );
}
