import { useState } from "react";
import { useBridge } from "../api/BridgeContext";
import type { ReclassifyReport } from "../api/types";
import { ConfirmDialog } from "./ConfirmDialog";
import { Button } from "./ui/Button";
import { useToast } from "./ui/Toasts";

const PREVIEW_MAX = 50;

/**
 * "Re-run detection": a dry run lists what the current detector would re-file, and only a
 * confirmation applies it (ids stay; paths move; the index follows).
 */
export function ReclassifyAction() {
  const bridge = useBridge();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<ReclassifyReport | null>(null);

  // Models whose header could not be read again are reported, not silently counted as fine.
  const warnFailures = (report: ReclassifyReport) => {
    if (report.errors.length === 0) return;
    const first = report.errors[0];
    toast.push({
      kind: "warning",
      title: `${report.errors.length} ${report.errors.length === 1 ? "model" : "models"} could not be checked`,
      message: `${first.ref ?? "?"}: ${first.error ?? ""}`,
    });
  };

  const fail = (title: string) => (err: unknown) =>
    toast.push({ kind: "error", title, message: err instanceof Error ? err.message : String(err) });

  const runDry = async () => {
    setBusy(true);
    try {
      const report = await bridge.call("reclassify", { all: true, dry_run: true });
      warnFailures(report);
      if (report.changed.length === 0) {
        toast.push({ kind: "success", title: "Every model is classified as the current detector would", message: `${report.unchanged} checked` });
      } else {
        setPreview(report);
      }
    } catch (err) {
      fail("Could not check the classifications")(err);
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    setBusy(true);
    try {
      const report = await bridge.call("reclassify", { all: true, dry_run: false });
      toast.push({ kind: "success", title: "Re-classified models", message: `${report.changed.length} changed, ${report.unchanged} unchanged` });
      warnFailures(report);
      setPreview(null);
    } catch (err) {
      fail("Could not re-file the models")(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="flex items-center gap-3">
        <div className="flex-1 text-[12.5px] text-muted">
          <div className="font-medium text-fg">Re-run detection</div>
          Read every model's header again with the current detector and re-file what changed. Shows the changes first.
        </div>
        <Button onClick={() => void runDry()} disabled={busy} data-testid="reclassify-button">
          {busy && !preview ? "Checking…" : "Check…"}
        </Button>
      </div>
      {preview && (
        <ConfirmDialog
          title={`Re-file ${preview.changed.length} ${preview.changed.length === 1 ? "model" : "models"}?`}
          confirmLabel={busy ? "Re-filing…" : "Re-file"}
          busy={busy}
          onCancel={() => setPreview(null)}
          onConfirm={() => void apply()}
        >
          <ul className="max-h-64 space-y-1.5 overflow-y-auto" data-testid="reclassify-preview">
            {preview.changed.slice(0, PREVIEW_MAX).map((c) => (
              <li key={c.id} className="text-[12px]">
                <div className="font-mono break-all text-fg">{c.old_path}</div>
                <div className="font-mono break-all text-accent">→ {c.new_path}</div>
                <div className="text-faint">
                  {Object.entries(c.changes)
                    .map(([field, [from, to]]) => `${field}: ${from ?? "—"} → ${to ?? "—"}`)
                    .join(" · ")}
                </div>
              </li>
            ))}
          </ul>
          {preview.changed.length > PREVIEW_MAX && (
            <p className="mt-2">…and {preview.changed.length - PREVIEW_MAX} more.</p>
          )}
          <p className="mt-2">Model ids, files and your edits stay as they are; only the folders move.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
