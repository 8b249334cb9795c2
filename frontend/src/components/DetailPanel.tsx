import { useState } from "react";
import {
  useCancelJob,
  useDeleteModels,
  useChangeCollections,
  useEditModel,
  useModel,
  useStartVerify,
} from "../api/hooks";
import { ApiError } from "../api/bridge";
import { useFollowJob } from "../api/useFollowJob";
import type { ModelEdit, ModelMetadata } from "../api/types";
import { formatBytes, shortRef, typeLabel } from "../lib/format";
import { CopyButton } from "./ui/CopyButton";
import { ConfirmDialog } from "./ConfirmDialog";
import { EditForm, RatingEditor, TagEditor } from "./detail/EditForm";
import { ModelPreview } from "./detail/ModelPreview";
import {
  AllFieldsSection,
  DetectionSection,
  Facts,
  FilesSection,
  HubSection,
  Section,
  SourcesSection,
} from "./detail/Sections";
import { VerifyStatus } from "./detail/VerifyStatus";
import { AppLinks } from "./detail/AppLinks";
import { Badge, MatchBadge, TierBadge } from "./ui/Badge";
import { Button, IconButton } from "./ui/Button";
import { Spinner } from "./ui/ProgressBar";
import { useToast } from "./ui/Toasts";
import { errorText } from "../lib/importFlow";

export function DetailPanel({ modelId, onClose }: { modelId: string; onClose: () => void }) {
  const query = useModel(modelId);
  const edit = useEditModel();
  const collections = useChangeCollections();
  const remove = useDeleteModels();
  const verify = useStartVerify();
  const toast = useToast();
  const [confirmDelete, setConfirmDelete] = useState(false);
  // an edit naming a family outside the vocabulary, waiting for the user's yes
  const [newFamily, setNewFamily] = useState<ModelEdit | null>(null);
  // the verification started here: `verifying` from the click, the job id once start_verify answers
  const [verifying, setVerifying] = useState(false);
  const [verifyJobId, setVerifyJobId] = useState<string | null>(null);
  const verifyJob = useFollowJob(verifyJobId, "verify");
  const cancelJob = useCancelJob();
  const verifyRunning = verifying && !verifyJob.done;

  const save = (change: ModelEdit) =>
    edit.mutate(
      { ref: modelId, edit: change },
      {
        onSuccess: () => setNewFamily(null),
        onError: (err) =>
          err instanceof ApiError && err.code === "unknown_family" && !change.force
            ? setNewFamily(change)
            : toast.push({ kind: "error", title: "Could not save", message: err.message }),
      },
    );

  const doDelete = (model: ModelMetadata) =>
    remove.mutate([model.id], {
      onSuccess: (results) => {
        setConfirmDelete(false);
        const failed = results.find((r) => !r.removed);
        if (failed) {
          toast.push({
            kind: "error",
            title: `Could not delete ${model.name}`,
            message: errorText(failed.error) ?? undefined,
          });
        } else {
          toast.push({ kind: "success", title: `Deleted ${model.name}` });
          onClose();
        }
      },
      onError: (err) => {
        setConfirmDelete(false);
        toast.push({
          kind: "error",
          title: `Could not delete ${model.name}`,
          message: err.message,
        });
      },
    });

  // `full`: re-read every byte (a cached check would only compare stat data with the hash cache)
  const startVerify = (model: ModelMetadata) => {
    setVerifyJobId(null);
    setVerifying(true);
    verify.mutate(
      { refs: [model.id], full: true },
      {
        onSuccess: (ref) => setVerifyJobId(ref.job_id),
        onError: (err) => {
          setVerifying(false);
          toast.push({
            kind: "error",
            title: "Could not start verification",
            message: err.message,
          });
        },
      },
    );
  };

  const detail = query.data;
  const model = detail?.model;

  return (
    <aside
      data-testid="detail-panel"
      aria-label="Model details"
      className="flex w-[420px] shrink-0 flex-col border-l border-line bg-bg max-[1100px]:w-[360px]"
      onKeyDown={(e) => {
        if (e.key === "Escape" && !confirmDelete) {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="flex items-start gap-2 px-4 pt-3 pb-2">
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-[15px] font-semibold text-fg" title={model?.name}>
            {model?.name ?? "Model"}
          </h2>
          {model && (
            <div className="flex items-center gap-1.5 font-mono text-[11.5px] text-faint">
              <span
                data-testid="model-ref"
                title={`Short reference (the CLI takes it): ${model.id}`}
                className="shrink-0"
              >
                {shortRef(model.id)}
              </span>
              <CopyButton value={shortRef(model.id)} label="reference" />
              <span className="truncate" title={model.path}>
                {model.path}
              </span>
            </div>
          )}
        </div>
        <IconButton label="Close details" onClick={onClose}>
          <span aria-hidden="true" className="text-[16px] leading-none">
            ×
          </span>
        </IconButton>
      </header>

      {query.isLoading && (
        <div className="flex items-center gap-2 px-4 py-6 text-muted">
          <Spinner /> Loading…
        </div>
      )}
      {query.error && (
        <p className="px-4 py-3 text-danger" role="alert">
          {query.error.message}
        </p>
      )}

      {model && detail && (
        <div className="min-h-0 flex-1 overflow-y-auto pb-6">
          <ModelPreview model={model} />
          <div className="flex flex-wrap items-center gap-1 px-4 pb-3">
            <Badge tone="accent">{typeLabel(model.model_type, model.subtype)}</Badge>
            <Badge>{model.family ?? "unknown family"}</Badge>
            {model.precision && <Badge>{model.precision}</Badge>}
            <Badge>{model.model_format}</Badge>
            <TierBadge tier={model.security_tier} />
            {(model.match_method !== "none" || model.pending_online_lookup) && (
              <MatchBadge
                method={model.match_method}
                mismatch={model.hash_mismatch}
                pending={model.pending_online_lookup}
              />
            )}
            <Badge>{formatBytes(model.size_bytes)}</Badge>
          </div>
          <div className="flex items-center gap-2 px-4 pb-3">
            <RatingEditor
              rating={model.rating}
              disabled={edit.isPending}
              onChange={(rating) => save({ rating })}
            />
            <div className="ml-auto flex gap-1.5">
              <Button
                size="sm"
                onClick={() => startVerify(model)}
                disabled={verify.isPending || verifyRunning}
                title="Re-read every file and compare it with the SHA-256 and BLAKE3 recorded at import"
                data-testid="verify-button"
              >
                {verifyRunning ? "Verifying…" : "Verify"}
              </Button>
              <Button
                size="sm"
                variant="ghost"
                className="!text-danger hover:!bg-danger-soft"
                onClick={() => setConfirmDelete(true)}
                data-testid="delete-button"
              >
                Delete
              </Button>
            </div>
          </div>

          {verifying && (
            <VerifyStatus
              modelId={model.id}
              job={verifyJob}
              cancelling={cancelJob.isPending}
              onCancel={verifyJobId ? () => cancelJob.mutate(verifyJobId) : null}
            />
          )}

          <Section title="Tags">
            <TagEditor
              tags={model.tags}
              disabled={edit.isPending}
              onChange={(tags) => save({ tags })}
            />
          </Section>

          <Section title="Collections">
            <TagEditor
              what="collection"
              tags={model.collections}
              disabled={collections.isPending}
              onChange={(next) =>
                collections.mutate(
                  {
                    refs: [model.id],
                    add: next.filter((c) => !model.collections.includes(c)),
                    remove: model.collections.filter((c) => !next.includes(c)),
                  },
                  {
                    onError: (err) =>
                      toast.push({ kind: "error", title: "Could not save", message: err.message }),
                  },
                )
              }
            />
          </Section>

          <Section title="Details">
            <EditForm
              key={`${model.id}:${model.updated_date}`}
              model={model}
              saving={edit.isPending}
              onSave={save}
            />
          </Section>

          <AppLinks modelId={model.id} />
          <ModelFacts model={model} />
          <DetectionSection detection={model.detection} />
          <FilesSection files={model.files} />
          <SourcesSection sources={model.sources} />
          <HubSection model={model} />
          <AllFieldsSection model={model} libraryDir={detail.library_dir} />
        </div>
      )}

      {newFamily && (
        <ConfirmDialog
          title={`File under a new family “${newFamily.family ?? ""}”?`}
          confirmLabel="Use the new family"
          busy={edit.isPending}
          onCancel={() => setNewFamily(null)}
          onConfirm={() => save({ ...newFamily, force: true })}
        >
          <p>
            “{newFamily.family}” is not a family Tensorshelf knows (such as sd1, sdxl, flux1, wan or
            llama). Check the spelling — the model is re-filed into a folder of that name and the
            apps' folder rules may no longer apply to it.
          </p>
        </ConfirmDialog>
      )}

      {confirmDelete && model && (
        <ConfirmDialog
          title={`Delete ${model.name}?`}
          confirmLabel={remove.isPending ? "Deleting…" : "Delete"}
          danger
          busy={remove.isPending}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => doDelete(model)}
        >
          <p>
            This removes the model's folder from the library ({formatBytes(model.size_bytes)},{" "}
            {model.files.length} {model.files.length === 1 ? "file" : "files"}) and the links
            Tensorshelf made to it.
          </p>
          <p className="mt-2">
            Files outside the library, such as the originals you imported from, are not touched.
          </p>
        </ConfirmDialog>
      )}
    </aside>
  );
}

/** LoRA rank/base and LLM context length/quantisation, up front (issue 4). */
function ModelFacts({ model }: { model: ModelMetadata }) {
  const d = model.detection;
  const rows: [string, string][] = [];
  if (d?.lora_rank != null || d?.lora_target) {
    rows.push(["LoRA rank", d?.lora_rank != null ? String(d.lora_rank) : "—"]);
    rows.push(["LoRA base", d?.lora_target ?? model.base_model ?? "—"]);
  }
  if (model.subtype === "llm" || d?.context_length != null || d?.quantization) {
    rows.push([
      "Context length",
      d?.context_length != null ? d.context_length.toLocaleString() : "—",
    ]);
    rows.push(["Quantisation", d?.quantization ?? model.precision ?? "—"]);
  }
  if (model.base_model && !rows.some(([k]) => k === "LoRA base"))
    rows.push(["Base model", model.base_model]);
  if (model.trigger_words.length) rows.push(["Trigger words", model.trigger_words.join(", ")]);
  if (rows.length === 0) return null;
  return (
    <Section title="Model">
      <Facts rows={rows} />
    </Section>
  );
}
