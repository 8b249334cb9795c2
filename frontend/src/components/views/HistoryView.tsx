import { useState } from "react";
import type { ImportBatch } from "../../api/types";
import { useHistory, useUndoImport } from "../../api/viewHooks";
import { batchCounts, plural, undoBlocked, undoNotice } from "../../lib/bulkText";
import { baseName, formatDateTime } from "../../lib/format";
import { ConfirmDialog } from "../ConfirmDialog";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { Spinner } from "../ui/ProgressBar";
import { useToast } from "../ui/Toasts";
import { ViewMessage } from "./ViewMessage";

/** Every import batch, newest first, with "Undo this import". */
export function HistoryView({ onShowModel }: { onShowModel: (id: string) => void }) {
  const history = useHistory();
  const undo = useUndoImport();
  const toast = useToast();
  const [confirming, setConfirming] = useState<ImportBatch | null>(null);

  const doUndo = (batch: ImportBatch) =>
    undo.mutate(batch.batch_id, {
      onSuccess: (report) => {
        setConfirming(null);
        toast.push(undoNotice(report));
      },
      onError: (err) => {
        setConfirming(null);
        toast.push({ kind: "error", title: "Could not undo the import", message: err.message });
      },
    });

  if (history.isLoading) return <ViewMessage busy>Loading the import history…</ViewMessage>;
  if (history.error)
    return (
      <ViewMessage tone="danger">
        Could not load the import history: {history.error.message}
      </ViewMessage>
    );
  const batches = history.data ?? [];
  if (batches.length === 0)
    return (
      <ViewMessage testId="history-empty" title="No imports yet">
        Every import — dropped files, a folder, a download — is listed here with what it brought,
        and can be undone.
      </ViewMessage>
    );
  return (
    <div className="min-h-0 flex-1 overflow-y-auto px-4 py-3" data-testid="history-view">
      <ol className="flex flex-col gap-2" aria-label="Import batches, newest first">
        {batches.map((batch) => (
          <BatchCard
            key={batch.batch_id}
            batch={batch}
            onShowModel={onShowModel}
            onUndo={() => setConfirming(batch)}
          />
        ))}
      </ol>
      {confirming && (
        <ConfirmDialog
          title="Undo this import?"
          confirmLabel={`Remove ${plural(confirming.in_library, "model")}`}
          danger
          busy={undo.isPending}
          onConfirm={() => doUndo(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            This removes the {plural(confirming.in_library, "model")} this import added from the
            library, with their links in your apps. Models it found already there stay, and your
            source files are not touched; files it moved in are put back where they were.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function BatchCard({
  batch,
  onShowModel,
  onUndo,
}: {
  batch: ImportBatch;
  onShowModel: (id: string) => void;
  onUndo: () => void;
}) {
  const [open, setOpen] = useState(false);
  const blocked = undoBlocked(batch);
  const running = batch.status === "running";
  return (
    <li
      data-testid="history-batch"
      data-batch-id={batch.batch_id}
      className="rounded-lg border border-line bg-panel px-3 py-2.5"
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <h3 className="truncate text-[13px] font-medium text-fg">{batch.title}</h3>
            {running && <Spinner label="Importing" />}
            {batch.status !== "done" && !running && <Badge>{batch.status}</Badge>}
          </div>
          <div className="flex flex-wrap gap-x-3 text-[12px] text-muted">
            <time dateTime={batch.started_at}>{formatDateTime(batch.started_at)}</time>
            <span data-testid="batch-counts">{batchCounts(batch)}</span>
            {batch.new > 0 && (
              <span className={batch.in_library ? "" : "text-faint"}>
                {batch.in_library === batch.new
                  ? "all in the library"
                  : `${batch.in_library.toLocaleString()} still in the library`}
              </span>
            )}
          </div>
          {batch.source && (
            <div className="truncate font-mono text-[11.5px] text-faint" title={batch.source}>
              from {batch.source}
            </div>
          )}
        </div>
        <div className="flex shrink-0 gap-1.5">
          {batch.models.length > 0 && (
            <Button size="sm" variant="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? "Hide models" : `Show ${plural(batch.models.length, "model")}`}
            </Button>
          )}
          <Button
            size="sm"
            onClick={onUndo}
            disabled={blocked !== null}
            title={blocked ? `Nothing to undo: ${blocked}` : "Remove the models this import added"}
            data-testid="undo-import"
          >
            Undo this import
          </Button>
        </div>
      </div>
      {open && (
        <ul className="mt-2 flex flex-col border-t border-line pt-1.5" aria-label="Models added">
          {batch.models.map((m) => (
            <li key={m.id} className="flex items-center gap-2 text-[12.5px]">
              {m.in_library ? (
                <button
                  type="button"
                  className="truncate text-left text-accent hover:underline"
                  onClick={() => onShowModel(m.id)}
                  title={m.path ?? undefined}
                >
                  {m.path ? baseName(m.path) : m.id}
                </button>
              ) : (
                <span className="truncate text-faint line-through" title="No longer in the library">
                  {m.path ? baseName(m.path) : m.id}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
