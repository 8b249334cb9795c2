import { useHealth } from "../../api/hooks";
import { linkProblems } from "../../lib/syncPlan";
import { FilterButton } from "../FilterButton";

/** The sidebar's link problems, from doctor's findings: the answer the Sync button's dot
 * asked for once an app is registered (disabled here: the app folders are not walked a
 * second time). Each row opens Sync, where Repair fixes what is ours. */
export function LinkProblems({ onOpenSync }: { onOpenSync: () => void }) {
  const health = useHealth(false);
  return (
    <>
      {linkProblems(health.data).map((problem) => (
        <FilterButton
          key={problem.key}
          label={problem.label}
          count={problem.count}
          onClick={onOpenSync}
          title={problem.hint}
          tone="danger"
          testId={`link-problem-${problem.key}`}
        />
      ))}
    </>
  );
}
