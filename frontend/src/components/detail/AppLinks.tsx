import { useModelLinks, useSetLinkChoice } from "../../api/hooks";
import { CommitField } from "../ui/CommitField";
import { Section } from "./Sections";

/** Where the model appears in each registered app; keep it out of one, or rename its link. */
export function AppLinks({ modelId }: { modelId: string }) {
  const links = useModelLinks(modelId);
  const choose = useSetLinkChoice(modelId);
  if (!links.data || links.data.apps.length === 0) return null;
  return (
    <Section title="In your apps">
      {links.data.problem && (
        <p className="mb-2 text-[12px] text-warn" role="alert">
          {links.data.problem} — it is linked nowhere until that is fixed.
        </p>
      )}
      <ul className="space-y-2 text-[12px]" data-testid="app-links">
        {links.data.apps.map((choice) => (
          <li key={choice.app_id} data-app={choice.app_id} className="space-y-1">
            <label className="flex items-center gap-2">
              <input
                type="checkbox"
                checked={!choice.exclude}
                disabled={choose.isPending || !!links.data.problem}
                onChange={(e) =>
                  choose.mutate({
                    app: choice.app_id,
                    exclude: !e.target.checked,
                    target_name: choice.target_name,
                  })
                }
                aria-label={`Link into ${choice.app_name}`}
              />
              <span className="font-medium text-fg">{choice.app_name}</span>
              <span className="truncate font-mono text-[11px] text-faint">
                {choice.exclude
                  ? "kept out"
                  : choice.links.join(", ") || "not linked (no rule places it)"}
              </span>
            </label>
            {!choice.exclude && (
              <div className="flex">
                <CommitField
                  value={choice.target_name ?? ""}
                  label={`Link name in ${choice.app_name}`}
                  testId="link-name"
                  placeholder="its own file name"
                  allowEmpty
                  onCommit={(name) =>
                    choose.mutate({ app: choice.app_id, exclude: false, target_name: name || null })
                  }
                />
              </div>
            )}
          </li>
        ))}
      </ul>
      {choose.error && (
        <p className="mt-1 text-[12px] text-danger" role="alert">
          {choose.error.message}
        </p>
      )}
    </Section>
  );
}
