import type { ImportPlan, ImportPlanItem } from "../../api/types";
import { formatBytes } from "../../lib/format";
import {
  errorSubject,
  errorText,
  type ImportFlowAction,
  type ImportFlowState,
} from "../../lib/importFlow";
import { DetectionBadges, WhyPopover } from "../DetectionBadges";
import { Badge } from "../ui/Badge";
import { pickleScanSummary, visibleWarnings } from "../../lib/pickleScan";

const FORMAT_LABELS: Record<string, string> = {
  "single-file": "File",
  "sharded-set": "Sharded set",
  "diffusers-folder": "Diffusers folder",
  bundle: "Folder",
};

function unitLabel(item: ImportPlanItem): string {
  const label = FORMAT_LABELS[item.model_format] ?? item.model_format;
  const n = item.relative_files.length || item.paths.length;
  return n > 1 ? `${label} · ${n} files` : label;
}

export function ReviewStep({
  plan,
  state,
  dispatch,
}: {
  plan: ImportPlan;
  state: ImportFlowState;
  dispatch: (a: ImportFlowAction) => void;
}) {
  return (
    <div className="flex flex-col gap-4">
      {plan.items.length > 0 && (
        <ul
          className="flex flex-col divide-y divide-line rounded-lg border border-line"
          aria-label="Models to import"
        >
          {plan.items.map((item) => (
            <ReviewRow key={item.key} item={item} state={state} dispatch={dispatch} />
          ))}
        </ul>
      )}

      {plan.items.length === 0 && (
        <p
          className="rounded-lg border border-line bg-panel p-3 text-muted"
          data-testid="import-nothing"
        >
          No model files: nothing here can be imported as a model.
        </p>
      )}

      {plan.rejected.length > 0 && (
        <section aria-label="Ignored inputs" className="rounded-lg border border-line bg-panel p-3">
          <h3 className="mb-1 text-[12px] font-semibold text-muted">
            Ignored ({plan.rejected.length})
          </h3>
          <ul className="space-y-0.5 text-[12px]">
            {plan.rejected.map((r) => (
              <li
                key={errorSubject(r) ?? r.message}
                data-testid="import-rejected"
                className="flex gap-2"
              >
                <span
                  className="min-w-0 truncate font-mono text-fg"
                  title={errorSubject(r) ?? undefined}
                >
                  {errorSubject(r) ?? "?"}
                </span>
                <span className="shrink-0 text-muted">— {errorText(r)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <ModeChoice state={state} dispatch={dispatch} />
      <label className="flex items-center gap-2 text-[12.5px] text-muted">
        <input
          type="checkbox"
          className="size-4 accent-[var(--ts-accent)]"
          checked={state.lookup}
          onChange={(e) => dispatch({ type: "lookup", value: e.target.checked })}
          data-testid="import-lookup"
        />
        Queue for Hugging Face identification by hash (marks the model pending lookup)
      </label>
    </div>
  );
}

function ReviewRow({
  item,
  state,
  dispatch,
}: {
  item: ImportPlanItem;
  state: ImportFlowState;
  dispatch: (a: ImportFlowAction) => void;
}) {
  const choice = state.choices[item.key];
  const pickle = item.security_tier === "pickle";
  const disabled = !!item.error;
  const includeId = `include-${item.key}`;
  return (
    <li
      data-testid="import-item"
      data-key={item.key}
      className={`p-3 ${disabled ? "opacity-80" : ""}`}
    >
      <div className="flex items-start gap-3">
        <input
          id={includeId}
          type="checkbox"
          className="mt-0.5 size-4 accent-[var(--ts-accent)]"
          checked={!!choice?.include && !disabled}
          disabled={disabled}
          onChange={() => dispatch({ type: "toggle-include", key: item.key })}
          aria-label={`Import ${item.name}`}
        />
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <label htmlFor={includeId} className="truncate font-medium text-fg" title={item.key}>
              {item.name}
            </label>
            <span className="text-[12px] text-faint">
              {unitLabel(item)} · {formatBytes(item.size_bytes)}
            </span>
          </div>
          <div className="mt-1 flex flex-wrap items-center gap-1">
            <DetectionBadges detection={item.detection} />
            {item.detection && <WhyPopover detection={item.detection} name={item.name} />}
          </div>
          {item.duplicate_of && (
            <div className="mt-1.5 text-[12px] text-info" data-testid="duplicate-notice">
              Already in your library ({item.duplicate_of.slice(0, 12)}) — importing it again adds
              nothing new.
            </div>
          )}
          {visibleWarnings(item, pickle && !disabled).map((w, i) => (
            <div key={i} className="mt-1 text-[12px] text-warn">
              {w}
            </div>
          ))}
          {item.error && (
            <div className="mt-1 text-[12px] text-danger" role="note">
              Can't import: {errorText(item.error)}
            </div>
          )}
          {pickle && !disabled && (
            <div
              className="mt-2 rounded-md border border-danger/40 bg-danger-soft p-2.5 text-[12px]"
              role="alert"
            >
              <div className="font-semibold text-danger">
                Pickle file: loading it can run arbitrary code
              </div>
              <p className="mt-0.5 text-fg/80">
                Only import it if you trust where it came from. Prefer a .safetensors version when
                one exists.
              </p>
              {pickleScanSummary(item.detection?.pickle_scan) && (
                <p className="mt-0.5 text-fg/80" data-testid="pickle-scan">
                  {pickleScanSummary(item.detection?.pickle_scan)}
                </p>
              )}
              <label className="mt-1.5 flex items-center gap-2 font-medium text-fg">
                <input
                  type="checkbox"
                  data-testid="pickle-ack"
                  className="size-4 accent-[var(--ts-danger)]"
                  checked={!!choice?.acceptPickle}
                  onChange={(e) =>
                    dispatch({ type: "accept-pickle", key: item.key, value: e.target.checked })
                  }
                />
                I understand the risks
              </label>
            </div>
          )}
        </div>
        {item.security_tier === "safe" && <Badge tone="ok">Safe</Badge>}
      </div>
    </li>
  );
}

function ModeChoice({
  state,
  dispatch,
}: {
  state: ImportFlowState;
  dispatch: (a: ImportFlowAction) => void;
}) {
  const option = (mode: "copy" | "move", title: string, text: string) => (
    <label
      className={`flex flex-1 cursor-pointer gap-2 rounded-lg border p-3 ${
        state.mode === mode ? "border-accent bg-accent-soft/60" : "border-line hover:bg-hover"
      }`}
    >
      <input
        type="radio"
        name="import-mode"
        value={mode}
        checked={state.mode === mode}
        onChange={() => dispatch({ type: "mode", mode })}
        className="mt-0.5 accent-[var(--ts-accent)]"
        data-testid={`import-mode-${mode}`}
      />
      <span>
        <span className="block font-medium text-fg">{title}</span>
        <span className="block text-[12px] text-muted">{text}</span>
      </span>
    </label>
  );
  return (
    <fieldset className="flex flex-col gap-2 sm:flex-row">
      <legend className="mb-1.5 text-[12px] font-semibold text-muted">
        How to bring the files in
      </legend>
      {option(
        "copy",
        "Copy (safe)",
        "Your files stay where they are; the library gets its own verified copy.",
      )}
      {option(
        "move",
        "Move",
        "Same drive: the file is renamed into the library (instant). Other drive: copied, verified, and only then the original is removed.",
      )}
    </fieldset>
  );
}
