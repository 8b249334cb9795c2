import { useEffect, useReducer, useRef, useState } from "react";
import { useEvent } from "../../api/BridgeContext";
import { ApiError } from "../../api/bridge";
import { useCancelJob, useImportPlan, useSettings, useStartImport } from "../../api/hooks";
import {
  blockedItems,
  buildStartArgs,
  canStart,
  importFlowReducer,
  includedItems,
  initialImportFlow,
  summarize,
} from "../../lib/importFlow";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/ProgressBar";
import { ProgressStep } from "./ProgressStep";
import { ReviewStep } from "./ReviewStep";
import { SummaryStep } from "./SummaryStep";

/** A fast import still shows its progress step this long before the summary replaces it. */
export const PROGRESS_MIN_VISIBLE_MS = 700;

export interface ImportDialogProps {
  paths: string[];
  onClose: () => void;
  /** the job this dialog follows (so app-level toasts don't repeat its summary) */
  onJobStarted?: (jobId: string) => void;
  minProgressMs?: number;
}

/** Import: review the backend's plan → progress from pushed events → summary. */
export function ImportDialog({
  paths,
  onClose,
  onJobStarted,
  minProgressMs = PROGRESS_MIN_VISIBLE_MS,
}: ImportDialogProps) {
  const planQuery = useImportPlan(paths);
  const settings = useSettings();
  const [state, dispatch] = useReducer(importFlowReducer, initialImportFlow);
  const startImport = useStartImport();
  const cancelJob = useCancelJob();
  const plan = planQuery.data;
  const planned = useRef(false);

  const settingsKnown = !settings.isLoading;
  useEffect(() => {
    if (plan && settingsKnown && !planned.current) {
      planned.current = true;
      dispatch({
        type: "plan",
        plan,
        mode: settings.data?.default_import_mode,
        lookup: settings.data?.lookup_on_import,
      });
    }
  }, [plan, settingsKnown, settings.data]);

  // keep the progress step on screen for a moment even when the job finishes at once: held
  // from the progress step's start, so a quick job's summary is not shown, hidden and shown
  // again (its components would ask for the new models twice, the first answer pre-lookup)
  const holdTimer = useRef<number | undefined>(undefined);
  const [holdProgress, setHoldProgress] = useState(false);
  useEffect(() => {
    if (state.step !== "progress" || holdTimer.current !== undefined || minProgressMs <= 0) return;
    setHoldProgress(true);
    holdTimer.current = window.setTimeout(() => setHoldProgress(false), minProgressMs);
  }, [state.step, minProgressMs]);
  useEffect(
    () => () => {
      window.clearTimeout(holdTimer.current);
      holdTimer.current = undefined;
    },
    [],
  );
  const step = holdProgress && state.step === "summary" ? "progress" : state.step;

  useEvent("job.progress", (payload) => dispatch({ type: "job.progress", payload }));
  useEvent("job.item_done", (payload) => dispatch({ type: "job.item_done", payload }));
  useEvent("job.done", (payload) => dispatch({ type: "job.done", payload }));

  const start = () => {
    if (!plan || !canStart(plan, state)) return;
    dispatch({ type: "starting" });
    startImport.mutate(buildStartArgs(plan, state), {
      onSuccess: (ref) => {
        dispatch({ type: "started", jobId: ref.job_id });
        onJobStarted?.(ref.job_id);
      },
      onError: (err) => dispatch({ type: "start-failed", message: err.message }),
    });
  };

  const included = plan ? includedItems(plan, state) : [];
  const blocked = plan ? blockedItems(plan, state) : [];
  const title =
    step === "review"
      ? "Import models"
      : step === "progress"
        ? "Importing…"
        : state.jobStatus === "cancelled"
          ? "Import cancelled"
          : "Import finished";

  let body;
  let footer;
  if (planQuery.isLoading || (plan && !planned.current)) {
    body = (
      <div className="flex items-center gap-2 py-6 text-muted">
        <Spinner label="Reading file headers" /> Reading file headers…
      </div>
    );
    footer = <Button onClick={onClose}>Cancel</Button>;
  } else if (planQuery.error || !plan) {
    const err = planQuery.error;
    body = (
      <p className="text-danger" role="alert">
        Could not plan this import:{" "}
        {err instanceof ApiError || err instanceof Error ? err.message : "unknown error"}
      </p>
    );
    footer = <Button onClick={onClose}>Close</Button>;
  } else if (step === "review") {
    body = <ReviewStep plan={plan} state={state} dispatch={dispatch} />;
    footer = (
      <>
        <span className="mr-auto text-[12px] text-muted">
          {state.startError ? (
            <span className="text-danger">{state.startError}</span>
          ) : blocked.length ? (
            <span className="text-danger">
              Confirm the pickle warning to import{" "}
              {blocked.length === 1 ? "that file" : "those files"}.
            </span>
          ) : (
            `${included.length} of ${plan.items.length} selected`
          )}
        </span>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="primary"
          onClick={start}
          disabled={!canStart(plan, state)}
          data-testid="import-start"
        >
          {state.starting
            ? "Starting…"
            : included.length > 1
              ? `Import ${included.length} models`
              : "Import"}
        </Button>
      </>
    );
  } else if (step === "progress") {
    body = <ProgressStep items={included} state={state} />;
    footer = (
      <>
        <span className="mr-auto text-[12px] text-muted">
          Closing this keeps the import running (see Jobs).
        </span>
        <Button
          variant="ghost"
          onClick={() => state.jobId && cancelJob.mutate(state.jobId)}
          disabled={!state.jobId || cancelJob.isPending || state.step !== "progress"}
        >
          Cancel import
        </Button>
        <Button onClick={onClose}>Hide</Button>
      </>
    );
  } else {
    const s = summarize(plan, state);
    body = <SummaryStep plan={plan} state={state} />;
    footer = (
      <>
        <span className="mr-auto text-[12px] text-muted">
          {s.succeeded.length + s.duplicates.length} of {included.length} done
        </span>
        <Button variant="primary" onClick={onClose} data-testid="import-done">
          Done
        </Button>
      </>
    );
  }

  return (
    <Modal
      title={title}
      description={
        step === "review" && plan
          ? "Check what Tensorshelf found before anything is copied."
          : undefined
      }
      onClose={onClose}
      width="lg"
      testId="import-dialog"
      footer={footer}
    >
      <div data-step={step}>{body}</div>
    </Modal>
  );
}
