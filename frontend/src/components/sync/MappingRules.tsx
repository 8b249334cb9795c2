import { useEditRule, useRules } from "../../api/hooks";
import { Button } from "../ui/Button";
import { CommitField } from "../ui/CommitField";

/** One app's mapping rules: turn each on or off and choose its folder, for this app only.
 * Each change is saved as the app's own config; the plan above updates with it. */
export function MappingRules({ app }: { app: string }) {
  const rules = useRules(app);
  const edit = useEditRule(app);
  if (rules.isPending) return <div className="text-[12px] text-faint">Loading rules…</div>;
  if (rules.error)
    return (
      <div className="text-[12px] text-danger" role="alert">
        {rules.error.message}
      </div>
    );
  return (
    <div className="space-y-1" data-testid="mapping-rules">
      {rules.data.rules.map((view) => (
        <div
          key={view.rule.name}
          className="flex items-center gap-2 text-[12px]"
          data-testid="rule"
          data-rule={view.rule.name}
        >
          <label
            className="flex w-44 shrink-0 items-center gap-1.5 truncate"
            title={view.rule.description || view.rule.name}
          >
            <input
              type="checkbox"
              checked={view.rule.enabled}
              onChange={(e) =>
                edit.mutate({ name: view.rule.name, edit: { enabled: e.target.checked } })
              }
              aria-label={`Use the rule ${view.rule.name}`}
            />
            {view.rule.name}
          </label>
          <CommitField
            value={view.rule.target_subdir}
            label={`Folder for ${view.rule.name}`}
            testId="rule-target"
            onCommit={(target) =>
              edit.mutate({ name: view.rule.name, edit: { target_subdir: target } })
            }
          />
          {view.edited ? (
            <Button
              variant="ghost"
              onClick={() => edit.mutate({ name: view.rule.name, reset: true })}
              data-testid="rule-reset"
            >
              Reset
            </Button>
          ) : (
            <span className="w-12 text-[11px] text-faint">default</span>
          )}
        </div>
      ))}
      {edit.error && (
        <div className="text-[12px] text-danger" role="alert">
          {edit.error.message}
        </div>
      )}
      {rules.data.problems.map((p) => (
        <div key={p.path} className="text-[12px] text-warn">
          Skipped config: {p.message}
        </div>
      ))}
      <div className="text-[11px] text-faint">
        Changes are saved for this app only ({rules.data.config_path}); Apply links them.
      </div>
    </div>
  );
}
