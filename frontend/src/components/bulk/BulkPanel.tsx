import { useId, useState, type ReactNode } from "react";
import {
  useApps,
  useCollections,
  useDeleteModels,
  useStartLookup,
  useStartVerify,
} from "../../api/hooks";
import type { BulkEdit, BulkReport } from "../../api/types";
import { useEditModels, useSetLinkChoices } from "../../api/viewHooks";
import { bulkNotice, plural } from "../../lib/bulkText";
import { errorText } from "../../lib/importFlow";
import { ConfirmDialog } from "../ConfirmDialog";
import { RatingEditor } from "../detail/EditForm";
import { Button, IconButton } from "../ui/Button";
import { useToast } from "../ui/Toasts";

/** What can be done to a multi-selection: shown in place of the detail panel. */
export function BulkPanel({ ids, onClear }: { ids: string[]; onClear: () => void }) {
  const edit = useEditModels();
  const links = useSetLinkChoices();
  const remove = useDeleteModels();
  const lookup = useStartLookup();
  const verify = useStartVerify();
  const apps = useApps();
  const collections = useCollections();
  const toast = useToast();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const busy = edit.isPending || links.isPending || remove.isPending;
  const count = plural(ids.length, "model");

  const failed = (title: string) => (err: Error) =>
    toast.push({ kind: "error", title, message: err.message });
  const report = (done: string) => (r: BulkReport) => toast.push(bulkNotice(done, r));
  const change = (done: string, bulk: BulkEdit) =>
    edit.mutate(
      { refs: ids, change: bulk },
      { onSuccess: report(done), onError: failed("Could not change the models") },
    );

  const doDelete = () =>
    remove.mutate(ids, {
      onSuccess: (results) => {
        setConfirmDelete(false);
        const kept = results.filter((r) => !r.removed);
        toast.push({
          kind: kept.length ? "warning" : "success",
          title: `Deleted ${plural(results.length - kept.length, "model")}`,
          message: kept.length
            ? `${plural(kept.length, "model")} kept: ${errorText(kept[0].error) ?? kept[0].path}`
            : undefined,
        });
        onClear();
      },
      onError: (err) => {
        setConfirmDelete(false);
        failed("Could not delete the models")(err);
      },
    });

  return (
    <aside
      data-testid="bulk-panel"
      aria-label="Selected models"
      className="flex w-[420px] shrink-0 flex-col border-l border-line bg-bg max-[1100px]:w-[360px]"
    >
      <header className="flex items-center gap-2 px-4 pt-3 pb-2">
        <h2 className="flex-1 text-[15px] font-semibold text-fg" data-testid="bulk-count">
          {count} selected
        </h2>
        <IconButton label="Clear the selection" onClick={onClear}>
          <span aria-hidden="true" className="text-[16px] leading-none">
            ×
          </span>
        </IconButton>
      </header>
      <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto px-4 pb-6">
        <NameAction
          label="Tag"
          testId="bulk-tag"
          placeholder="A tag"
          disabled={busy}
          onAdd={(tag) => change(`Tagged “${tag}”:`, { add_tags: [tag] })}
          onRemove={(tag) => change(`Removed “${tag}” from`, { remove_tags: [tag] })}
          addLabel="Add tag"
          removeLabel="Remove tag"
        />
        <Group title="Rating">
          <div className="flex items-center gap-2">
            <RatingEditor
              rating={0}
              disabled={busy}
              onChange={(rating) => change(`Rated ${rating}★:`, { rating })}
            />
            <Button
              size="sm"
              variant="ghost"
              disabled={busy}
              onClick={() => change("Cleared the rating of", { rating: 0 })}
            >
              No rating
            </Button>
          </div>
        </Group>
        <NameAction
          label="Collection"
          testId="bulk-collection"
          placeholder="A collection, new or existing"
          disabled={busy}
          suggestions={Object.keys(collections.data ?? {})}
          onAdd={(name) => change(`Added to “${name}”:`, { add_collections: [name] })}
          onRemove={(name) => change(`Took out of “${name}”:`, { remove_collections: [name] })}
          addLabel="Add to collection"
          removeLabel="Take out"
        />
        {(apps.data ?? []).length > 0 && (
          <AppAction
            apps={apps.data ?? []}
            disabled={busy}
            onChoose={(app, exclude) =>
              links.mutate(
                { refs: ids, app: app.id, exclude },
                {
                  onSuccess: report(
                    exclude ? `Kept out of ${app.name}:` : `Linked in ${app.name}:`,
                  ),
                  onError: failed("Could not change where the models are linked"),
                },
              )
            }
          />
        )}
        <Group title="Check">
          <div className="flex flex-wrap gap-1.5">
            <JobButton
              label="Verify"
              testId="bulk-verify"
              title="Re-read every file and compare it with the hashes recorded at import"
              pending={verify.isPending}
              onStart={(callbacks) => verify.mutate({ refs: ids, full: true }, callbacks)}
              started={`Verifying ${count}`}
              failed="Could not start verification"
            />
            <JobButton
              label="Look up again"
              testId="bulk-lookup"
              title="Ask Hugging Face again what these models are"
              pending={lookup.isPending}
              onStart={(callbacks) => lookup.mutate(ids, callbacks)}
              started={`Looking up ${count}`}
              failed="Could not start the lookup"
            />
          </div>
        </Group>
        <Group title="Remove">
          <Button
            size="sm"
            variant="danger"
            disabled={busy}
            data-testid="bulk-delete"
            onClick={() => setConfirmDelete(true)}
          >
            Delete {count}…
          </Button>
        </Group>
      </div>
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete ${count}?`}
          confirmLabel={`Delete ${count}`}
          danger
          busy={remove.isPending}
          onConfirm={doDelete}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>
            Their files are removed from the library, with their links in your apps. Files you
            imported by copying stay where they were.
          </p>
        </ConfirmDialog>
      )}
    </aside>
  );
}

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <h3 className="mb-1.5 text-[11px] font-semibold tracking-wide text-faint uppercase">
        {title}
      </h3>
      {children}
    </section>
  );
}

/** A name field with "add" and "remove" (a tag, a collection). */
function NameAction({
  label,
  testId,
  disabled,
  suggestions = [],
  placeholder,
  addLabel,
  removeLabel,
  onAdd,
  onRemove,
}: {
  label: string;
  testId: string;
  disabled: boolean;
  suggestions?: string[];
  placeholder: string;
  addLabel: string;
  removeLabel: string;
  onAdd: (name: string) => void;
  onRemove: (name: string) => void;
}) {
  const [draft, setDraft] = useState("");
  const listId = useId();
  const name = draft.trim();
  const run = (action: (name: string) => void) => {
    if (!name) return;
    action(name);
    setDraft("");
  };
  return (
    <Group title={label}>
      <div className="flex gap-1.5">
        <input
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") run(onAdd);
          }}
          aria-label={`${label} name`}
          placeholder={placeholder}
          list={suggestions.length ? listId : undefined}
          data-testid={`${testId}-input`}
          className="h-7 min-w-0 flex-1 rounded-md border border-line bg-elev px-2 text-[12.5px] text-fg"
        />
        {suggestions.length > 0 && (
          <datalist id={listId}>
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        )}
        <Button
          size="sm"
          disabled={disabled || !name}
          onClick={() => run(onAdd)}
          data-testid={`${testId}-add`}
        >
          {addLabel}
        </Button>
        <Button
          size="sm"
          variant="ghost"
          disabled={disabled || !name}
          onClick={() => run(onRemove)}
        >
          {removeLabel}
        </Button>
      </div>
    </Group>
  );
}

function AppAction({
  apps,
  disabled,
  onChoose,
}: {
  apps: { id: string; name: string }[];
  disabled: boolean;
  onChoose: (app: { id: string; name: string }, exclude: boolean) => void;
}) {
  const [appId, setAppId] = useState(apps[0].id);
  const app = apps.find((a) => a.id === appId) ?? apps[0];
  return (
    <Group title="Apps">
      <div className="flex gap-1.5">
        <select
          value={app.id}
          onChange={(e) => setAppId(e.target.value)}
          aria-label="App"
          className="h-7 min-w-0 flex-1 rounded-md border border-line bg-elev px-1.5 text-[12.5px] text-fg"
        >
          {apps.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <Button size="sm" disabled={disabled} onClick={() => onChoose(app, false)}>
          Link there
        </Button>
        <Button
          size="sm"
          variant="ghost"
          disabled={disabled}
          onClick={() => onChoose(app, true)}
          data-testid="bulk-exclude"
        >
          Keep out
        </Button>
      </div>
    </Group>
  );
}

/** A button that starts a job for the selection (its progress is in Jobs). */
function JobButton({
  label,
  testId,
  title,
  pending,
  onStart,
  started,
  failed,
}: {
  label: string;
  testId: string;
  title: string;
  pending: boolean;
  onStart: (callbacks: { onSuccess: () => void; onError: (err: Error) => void }) => void;
  started: string;
  failed: string;
}) {
  const toast = useToast();
  return (
    <Button
      size="sm"
      disabled={pending}
      data-testid={testId}
      title={title}
      onClick={() =>
        onStart({
          onSuccess: () =>
            toast.push({ kind: "info", title: started, message: "Progress is in Jobs." }),
          onError: (err) => toast.push({ kind: "error", title: failed, message: err.message }),
        })
      }
    >
      {label}
    </Button>
  );
}
