import { useState } from "react";
import { useHubSearch, useSetMatch } from "../../api/hooks";
import { Button } from "../ui/Button";
import { AskForm } from "./AskForm";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/ProgressBar";

/** Search the Hub for where a model comes from (its cleaned name first) and record the
 * chosen repo as the user's answer (manual: no lookup overwrites it). */
export function FindOnHubDialog({ modelId, onClose }: { modelId: string; onClose: () => void }) {
  const [query, setQuery] = useState<string | null>(null);
  const search = useHubSearch(modelId, query);
  const setMatch = useSetMatch(modelId);
  const hits = search.data?.hits ?? [];
  return (
    <Modal
      title="Find on Hugging Face"
      description="Pick the repo this model comes from. It is kept as your answer; lookups never overwrite it."
      onClose={onClose}
      width="lg"
      testId="find-on-hub-dialog"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <AskForm
        label="Search Hugging Face"
        placeholder={search.data ? search.data.query : "Searching by the model's name…"}
        button="Search"
        testId="hub-search-text"
        onAsk={setQuery}
        mono={false}
      />
      {search.isFetching && <Spinner label="Searching" />}
      {(search.error ?? setMatch.error) && (
        <p className="mt-2 text-[12px] text-danger" role="alert">
          {(search.error ?? setMatch.error)?.message}
        </p>
      )}
      {search.data && hits.length === 0 && (
        <p className="mt-3 text-[12px] text-muted">Nothing on the Hub for “{search.data.query}”.</p>
      )}
      <ul className="mt-3 space-y-1" data-testid="hub-hits">
        {hits.map((hit) => (
          <li key={hit.repo_id} className="flex items-center gap-2 text-[12px]">
            <span className="min-w-0 flex-1 truncate font-mono text-fg">{hit.repo_id}</span>
            {hit.pipeline_tag && <span className="text-faint">{hit.pipeline_tag}</span>}
            <span className="text-faint tabular-nums">
              {hit.downloads.toLocaleString()} downloads
            </span>
            <Button
              size="sm"
              onClick={() => setMatch.mutate(hit.repo_id, { onSuccess: onClose })}
              disabled={setMatch.isPending}
              aria-label={`It is ${hit.repo_id}`}
            >
              This one
            </Button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
