import { useState } from "react";
import { useBridge } from "../../api/BridgeContext";
import {
  useAddApp,
  useApps,
  useDetectApp,
  useRemoveApp,
  useSync,
  useSyncPlan,
} from "../../api/hooks";
import type { AppCandidate, AppInstall, AppKind, LinkMethod, Resolution } from "../../api/types";
import { useFollowJob } from "../../api/useFollowJob";
import { pendingCount } from "../../lib/syncPlan";
import { ConfirmDialog } from "../ConfirmDialog";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import { ProgressBar } from "../ui/ProgressBar";
import { useToast } from "../ui/Toasts";
import { Health } from "./Health";
import { MappingRules } from "./MappingRules";
import { PlanView } from "./PlanView";

const KIND_NAMES: Record<string, string> = {
  comfyui: "ComfyUI",
  a1111: "A1111 / Forge",
  lmstudio: "LM Studio",
  folder: "Folder",
};

/** Register an app: a path (or the desktop folder picker), what it is, then Add. */
function AddApp() {
  const bridge = useBridge();
  const toast = useToast();
  const [path, setPath] = useState("");
  const [found, setFound] = useState<AppCandidate | null>(null);
  const [method, setMethod] = useState<LinkMethod>("links");
  const detect = useDetectApp();
  const add = useAddApp();

  const [looked, setLooked] = useState("");
  const look = (p: string) => {
    setPath(p);
    if (p.trim() === looked) return; // already shown (e.g. the field lost focus to Add)
    setLooked(p.trim());
    setFound(null);
    setMethod("links");
    if (p.trim()) detect.mutate({ path: p.trim() }, { onSuccess: setFound });
  };
  const asFolder = (kind: AppKind) =>
    detect.mutate({ path: path.trim(), kind }, { onSuccess: setFound });
  const extraPathsPossible = found?.kind === "comfyui" && found.flavour !== "desktop";
  const pick = async () => {
    const [chosen] = await bridge.call("pick_paths", { folder: true });
    if (chosen) look(chosen);
  };
  const submit = () =>
    add.mutate(
      {
        path: path.trim(),
        kind: found?.kind,
        method: extraPathsPossible ? method : "links",
        sync: false, // the window shows its first sync's plan; Apply runs it
      },
      {
        onSuccess: (added) => {
          toast.push({
            kind: "success",
            title: `${added.app.name} registered`,
            message: "Review what its first sync links, then Apply.",
          });
          setPath("");
          setLooked("");
          setFound(null);
        },
      },
    );

  return (
    <section aria-label="Add an app" className="rounded-lg border border-line p-3">
      <div className="text-[12.5px] font-medium text-fg">Add an app</div>
      <div className="mt-2 flex gap-2">
        <input
          aria-label="App folder"
          data-testid="app-path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          onBlur={() => look(path)}
          onKeyDown={(e) => e.key === "Enter" && look(path)}
          placeholder="/path/to/ComfyUI (an absolute path)"
          className="h-8 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 text-[12.5px]"
        />
        {bridge.kind === "desktop" && <Button onClick={() => void pick()}>Choose…</Button>}
      </div>
      {detect.error && (
        <div className="mt-2 text-[12px] text-danger" role="alert">
          {detect.error.message}{" "}
          <button
            type="button"
            className="text-accent underline"
            onClick={() => asFolder("folder")}
            data-testid="add-as-folder"
          >
            Use it as a plain folder (one folder per type)
          </button>
        </div>
      )}
      {found && (
        <div className="mt-2 flex items-center gap-2 text-[12.5px]" data-testid="app-found">
          <span className="flex-1 text-muted">
            {KIND_NAMES[found.kind] ?? found.kind}
            {found.version ? ` ${found.version}` : ""} —{" "}
            {method === "extra-paths" && extraPathsPossible
              ? "links go into Tensorshelf's own folder, named in its extra_model_paths.yaml"
              : `links go into ${found.models_dir}`}
          </span>
          {extraPathsPossible && (
            <select
              aria-label="How to link"
              data-testid="app-method"
              value={method}
              onChange={(e) => setMethod(e.target.value as LinkMethod)}
              className="h-8 rounded-md border border-line bg-bg px-1 text-[12px]"
            >
              <option value="links">Links in its models folder</option>
              <option value="extra-paths">Its extra_model_paths.yaml (models/ untouched)</option>
            </select>
          )}
          <Button variant="primary" onClick={submit} disabled={add.isPending} data-testid="add-app">
            Add
          </Button>
        </div>
      )}
      {add.error && (
        <div className="mt-2 text-[12px] text-danger" role="alert">
          {add.error.message}
        </div>
      )}
    </section>
  );
}

function AppRow({
  app,
  onRemove,
  choices,
  onChoose,
}: {
  app: AppInstall;
  onRemove: () => void;
  choices: Record<string, Resolution>;
  onChoose: (key: string, how: Resolution) => void;
}) {
  const plans = useSyncPlan();
  const plan = plans.data?.find((p) => p.app_id === app.id);
  const [showRules, setShowRules] = useState(false);
  return (
    <div className="rounded-lg border border-line p-3" data-testid="app-row" data-app={app.id}>
      <div className="flex items-center gap-2">
        <div className="min-w-0 flex-1">
          <div className="truncate font-medium text-fg">
            {app.name}{" "}
            <span className="text-[11.5px] font-normal text-faint">
              {KIND_NAMES[app.kind] ?? app.kind}
              {app.version ? ` ${app.version}` : ""}
            </span>
          </div>
          <div className="truncate font-mono text-[11.5px] text-faint" title={app.models_dir}>
            {app.method === "extra-paths"
              ? `${app.models_dir} (named in ${app.root}/extra_model_paths.yaml)`
              : app.models_dir}
          </div>
        </div>
        <Button
          variant="ghost"
          onClick={() => setShowRules((v) => !v)}
          aria-expanded={showRules}
          data-testid="show-rules"
        >
          {showRules ? "Hide rules" : "Mapping rules"}
        </Button>
        <Button variant="ghost" onClick={onRemove} data-testid="remove-app">
          Remove…
        </Button>
      </div>
      <div className="mt-2">
        <PlanView app={app} plan={plan} choices={choices} onChoose={onChoose} />
      </div>
      {showRules && (
        <div className="mt-2 border-t border-line pt-2">
          <MappingRules app={app.id} />
        </div>
      )}
    </div>
  );
}

/** The Sync dialog: each registered app with its plan, Apply, and adding or removing apps. */
export function SyncDialog({ onClose }: { onClose: () => void }) {
  const toast = useToast();
  const apps = useApps();
  const plans = useSyncPlan();
  const sync = useSync();
  const remove = useRemoveApp();
  const [removing, setRemoving] = useState<AppInstall | null>(null);
  const [choices, setChoices] = useState<Record<string, Resolution>>({});
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useFollowJob(jobId, "sync");
  const running = jobId !== null && job.done === null;
  const pending = pendingCount(plans.data);
  const apply = () => sync.mutate(choices, { onSuccess: (ref) => setJobId(ref.job_id) });
  const progress = job.progress;

  return (
    <Modal
      title="Sync into your apps"
      description="Each model appears in the right folder of every registered app, as a link — no byte duplicated. Your own files and links are never touched."
      onClose={onClose}
      width="lg"
      testId="sync-dialog"
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button
            variant="primary"
            onClick={apply}
            disabled={pending === 0 || sync.isPending || running}
            data-testid="apply-sync"
          >
            {running || sync.isPending ? "Syncing…" : pending === 0 ? "No changes needed" : "Apply"}
          </Button>
        </>
      }
    >
      <div className="space-y-3">
        {running && (
          <div data-testid="sync-progress" className="space-y-1 text-[12px] text-muted">
            <div>
              Linking… {progress ? `${progress.items_done} of ${progress.items_total}` : ""}
            </div>
            <ProgressBar
              value={
                progress && progress.items_total ? progress.items_done / progress.items_total : 0
              }
              label="Sync progress"
            />
          </div>
        )}
        {sync.error && (
          <div className="text-[12px] text-danger" role="alert">
            {sync.error.message}
          </div>
        )}
        {(apps.data ?? []).length === 0 && (
          <p className="text-[12.5px] text-muted">
            No app registered yet: add ComfyUI, A1111/Forge, LM Studio or a plain folder below.
          </p>
        )}
        {(apps.data ?? []).map((app) => (
          <AppRow
            key={app.id}
            app={app}
            onRemove={() => setRemoving(app)}
            choices={choices}
            onChoose={(key, how) => setChoices((old) => ({ ...old, [key]: how }))}
          />
        ))}
        {(apps.data ?? []).length > 0 && <Health />}
        <AddApp />
      </div>
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            remove.mutate(removing.id, {
              onSuccess: (r) =>
                toast.push({
                  kind: "success",
                  title: `${r.app.name} removed`,
                  message: `${r.links_removed} links removed`,
                }),
            });
            setRemoving(null);
          }}
        >
          Tensorshelf removes only the links it made in this app; your own files there stay.
        </ConfirmDialog>
      )}
    </Modal>
  );
}
