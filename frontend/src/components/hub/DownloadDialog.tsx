import { useMemo, useState } from "react";
import { useRepoFiles, useStartDownload } from "../../api/hooks";
import type { RepoFile } from "../../api/types";
import { formatBytes } from "../../lib/format";
import { Button } from "../ui/Button";
import { AskForm } from "./AskForm";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/ProgressBar";
import { useToast } from "../ui/Toasts";

/** Files grouped by their top folder ("" for the repo's root): a folder is picked whole. */
function groups(files: RepoFile[]): [string, RepoFile[]][] {
  const out = new Map<string, RepoFile[]>();
  for (const f of files) {
    const top = f.path.includes("/") ? f.path.slice(0, f.path.indexOf("/")) : "";
    out.set(top, [...(out.get(top) ?? []), f]);
  }
  return [...out.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** Browse a Hugging Face repo's files with their sizes, pick one quant, a shard set or a
 * diffusers folder, and download them (verified, resumable; progress in Jobs). */
export function DownloadDialog({
  onClose,
  onAdoptCache,
}: {
  onClose: () => void;
  onAdoptCache: () => void;
}) {
  const toast = useToast();
  const [repo, setRepo] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const files = useRepoFiles(repo);
  const start = useStartDownload();
  const total = useMemo(
    () =>
      (files.data?.files ?? []).filter((f) => chosen.has(f.path)).reduce((n, f) => n + f.size, 0),
    [files.data, chosen],
  );
  const toggle = (paths: string[], on: boolean) =>
    setChosen((old) => {
      const next = new Set(old);
      for (const p of paths) {
        if (on) next.add(p);
        else next.delete(p);
      }
      return next;
    });
  const download = () =>
    repo &&
    start.mutate(
      { repo_id: repo, files: [...chosen] },
      {
        onSuccess: () => {
          toast.push({
            kind: "info",
            title: `Downloading from ${repo}`,
            message: "Progress is in Jobs.",
          });
          onClose();
        },
      },
    );

  return (
    <Modal
      title="Download from Hugging Face"
      description="Each file is checked against its SHA-256, resumes where it stopped, and is imported like any model."
      onClose={onClose}
      width="lg"
      testId="download-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onAdoptCache} data-testid="open-adopt">
            From a local cache…
          </Button>
          <span className="flex-1" />
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            onClick={download}
            disabled={chosen.size === 0 || start.isPending}
            data-testid="start-download"
          >
            {chosen.size ? `Download ${chosen.size} files (${formatBytes(total)})` : "Pick files"}
          </Button>
        </>
      }
    >
      <AskForm
        label="Repository"
        placeholder="owner/name"
        button="List files"
        testId="download-repo"
        onAsk={(repo) => {
          setChosen(new Set());
          setRepo(repo);
        }}
      />
      {files.isFetching && <Spinner label="Listing files" />}
      {files.error && (
        <p className="mt-2 text-[12px] text-danger" role="alert">
          {files.error.message}
        </p>
      )}
      {start.error && (
        <p className="mt-2 text-[12px] text-danger" role="alert">
          {start.error.message}
        </p>
      )}
      {files.data && (
        <ul className="mt-3 max-h-80 space-y-2 overflow-auto text-[12px]" data-testid="repo-files">
          {groups(files.data.files).map(([folder, list]) => {
            const paths = list.map((f) => f.path);
            const all = paths.every((p) => chosen.has(p));
            return (
              <li key={folder || "."}>
                {folder && (
                  <label className="flex items-center gap-2 font-medium text-fg">
                    <input
                      type="checkbox"
                      checked={all}
                      onChange={(e) => toggle(paths, e.target.checked)}
                      aria-label={`The whole folder ${folder}`}
                    />
                    {folder}/{" "}
                    <span className="text-faint">
                      ({formatBytes(list.reduce((n, f) => n + f.size, 0))})
                    </span>
                  </label>
                )}
                <ul className={folder ? "ml-5" : ""}>
                  {list.map((f) => (
                    <li key={f.path}>
                      <label className="flex items-center gap-2 font-mono text-[11.5px] text-muted">
                        <input
                          type="checkbox"
                          checked={chosen.has(f.path)}
                          onChange={(e) => toggle([f.path], e.target.checked)}
                          aria-label={`Download ${f.path}`}
                        />
                        <span className="min-w-0 flex-1 truncate">
                          {folder ? f.path.slice(folder.length + 1) : f.path}
                        </span>
                        <span className="tabular-nums">{formatBytes(f.size)}</span>
                      </label>
                    </li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ul>
      )}
    </Modal>
  );
}
