import { useModel, useSetMatch } from "../../api/hooks";
import { Button } from "../ui/Button";
import { MatchBadge } from "../ui/Badge";

/** An imported model's Hugging Face verdict, live (the lookup after the import updates it
 * through library.changed), with the confirm step a low-confidence match needs before any
 * of the repo's metadata is written. */
export function ImportedTrust({ id }: { id: string }) {
  const detail = useModel(id);
  const setMatch = useSetMatch(id);
  const model = detail.data?.model;
  if (!model) return null;
  const unconfirmed =
    model.match_method === "filename_fuzzy" && model.match_source !== "manual" && model.repo_id;
  return (
    <span className="flex shrink-0 items-center gap-1.5" data-testid="imported-trust">
      <MatchBadge
        method={model.match_method}
        mismatch={model.hash_mismatch}
        pending={model.pending_online_lookup}
      />
      {unconfirmed && (
        <>
          <Button
            size="sm"
            variant="primary"
            onClick={() => setMatch.mutate(model.repo_id)}
            disabled={setMatch.isPending}
            data-testid="confirm-import-match"
          >
            Yes, {model.repo_id}
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setMatch.mutate(null)}
            disabled={setMatch.isPending}
          >
            Not it
          </Button>
        </>
      )}
    </span>
  );
}
