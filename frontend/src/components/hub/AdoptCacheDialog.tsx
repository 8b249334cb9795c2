import { useState } from "react";
import { useHfCache, useStartAdopt } from "../../api/hooks";
import type { CachedRepo } from "../../api/types";
import { formatBytes } from "../../lib/format";
import { Button } from "../ui/Button";
import { AskForm } from "./AskForm";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/ProgressBar";
import { useToast } from "../ui/Toasts";

function RepoRow({
  repo,
  chosen,
  onToggle,
}: {
  repo: CachedRepo;
  chosen: boolean;
  onToggle: (on: boolean) => void;
}) {
  const snap = repo.snapshots[0];
  if (!snap) return null;
  return (
    <li data-testid="cache-repo">
      <label className="flex items-center gap-2 text-[12px]">
        <input
          type="checkbox"
          checked={chosen}
          onChange={(e) => onToggle(e.target.checked)}
          aria-label={`Adopt ${repo.repo_id}`}
        />
        <span className="min-w-0 flex-1 truncate font-mono text-fg">{repo.repo_id}</span>
        <span className="text-faint tabular-nums">
          {snap.files.length} files · {formatBytes(snap.size_bytes)}
        </span>
      </label>
      <div className="ml-6 text-[11.5px] text-faint">
        {snap.commit.slice(0, 12)}
        {snap.refs.length > 0 && ` (${snap.refs.join(", ")})`}
        {snap.in_library > 0 && ` · ${snap.in_library} already in the library`}
        {snap.skipped.length > 0 &&
          ` · ${snap.skipped.length} left out: ${snap.skipped.join("; ")}`}
      </div>
    </li>
  );
}

/** List a local Hugging Face cache's model repos and adopt the chosen ones (read-only:
 * hard-linked on the same drive, copied elsewhere; progress in Jobs). */
export function AdoptCacheDialog({ onClose }: { onClose: () => void }) {
  const toast = useToast();
  const [path, setPath] = useState<string | null>(null);
  const [scanned, setScanned] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [trust, setTrust] = useState(true);
  const cache = useHfCache(path, scanned);
  const start = useStartAdopt();
  const repos = cache.data?.repos ?? [];
  const adopt = () =>
    start.mutate(
      {
        repos: repos
          .filter((r) => chosen.has(r.repo_id) && r.snapshots[0])
          .map((r) => ({ repo_id: r.repo_id, commit: r.snapshots[0]?.commit ?? "" })),
        path: cache.data?.path,
        trust,
      },
      {
        onSuccess: () => {
          toast.push({
            kind: "info",
            title: "Adopting from the Hugging Face cache",
            message: "Progress is in Jobs.",
          });
          onClose();
        },
      },
    );

  return (
    <Modal
      title="Adopt a Hugging Face cache"
      description="Models already downloaded by huggingface_hub join the library without a second copy on the same drive. The cache is only read."
      onClose={onClose}
      width="lg"
      testId="adopt-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            onClick={adopt}
            disabled={chosen.size === 0 || start.isPending}
            data-testid="start-adopt"
          >
            {chosen.size ? `Adopt ${chosen.size} repos` : "Pick repos"}
          </Button>
        </>
      }
    >
      <AskForm
        label="Cache folder"
        placeholder="Default: HF_HUB_CACHE or ~/.cache/huggingface/hub"
        button="Scan"
        testId="adopt-path"
        onAsk={(path) => {
          setChosen(new Set());
          setPath(path);
          setScanned(true);
        }}
      />
      {cache.isFetching && <Spinner label="Reading the cache" />}
      {(cache.error ?? start.error) && (
        <p className="mt-2 text-[12px] text-danger" role="alert">
          {(cache.error ?? start.error)?.message}
        </p>
      )}
      {cache.data && repos.length === 0 && (
        <p className="mt-3 text-[12px] text-muted">No model repos in {cache.data.path}.</p>
      )}
      {repos.length > 0 && (
        <>
          <ul className="mt-3 max-h-72 space-y-2 overflow-auto" data-testid="cache-repos">
            {repos.map((r) => (
              <RepoRow
                key={r.repo_id}
                repo={r}
                chosen={chosen.has(r.repo_id)}
                onToggle={(on) =>
                  setChosen((old) => {
                    const next = new Set(old);
                    if (on) next.add(r.repo_id);
                    else next.delete(r.repo_id);
                    return next;
                  })
                }
              />
            ))}
          </ul>
          <label className="mt-3 flex items-center gap-2 text-[12px] text-muted">
            <input
              type="checkbox"
              checked={trust}
              onChange={(e) => setTrust(e.target.checked)}
              data-testid="adopt-trust"
            />
            Trust the cache's SHA-256 (its file names): nothing is read; a later verify checks them
          </label>
        </>
      )}
    </Modal>
  );
}
