import { useState, type ReactNode } from "react";
import { useBridge } from "../api/BridgeContext";
import {
  useCheckUpdates,
  useHubStatus,
  useSetHfToken,
  useSettings,
  useStartRebuild,
  useStatus,
  useUpdateSettings,
} from "../api/hooks";
import type { ThemePref } from "../lib/theme";
import { ConfirmDialog } from "./ConfirmDialog";
import { ReclassifyAction } from "./ReclassifyAction";
import { Facts } from "./detail/Sections";
import { Button } from "./ui/Button";
import { CopyButton } from "./ui/CopyButton";
import { Modal } from "./ui/Modal";
import { useToast } from "./ui/Toasts";

function PathValue({ value, label }: { value: string; label: string }) {
  return (
    <span className="flex items-center gap-1">
      <code className="min-w-0 truncate font-mono text-[11.5px]" title={value}>
        {value}
      </code>
      <CopyButton value={value} label={label} />
    </span>
  );
}

function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T | undefined;
  options: [T, string][];
  onChange: (v: T) => void;
}) {
  return (
    <div
      role="radiogroup"
      aria-label={label}
      className="inline-flex rounded-md border border-line p-0.5"
    >
      {options.map(([v, text]) => (
        <button
          key={v}
          type="button"
          role="radio"
          aria-checked={value === v}
          onClick={() => onChange(v)}
          className={`h-7 rounded px-3 text-[12.5px] ${value === v ? "bg-selected font-medium text-fg" : "text-muted hover:text-fg"}`}
        >
          {text}
        </button>
      ))}
    </div>
  );
}

/** The Hugging Face token: where the current one comes from (never the token itself). */
function HubToken() {
  const hub = useHubStatus();
  const save = useSetHfToken();
  const [token, setToken] = useState("");
  const source = hub.data?.token_source ?? "none";
  return (
    <Row
      title="Hugging Face token"
      hint={
        source === "none"
          ? "None: gated and private repos cannot be identified or downloaded."
          : `Set (from ${source === "env" ? "HF_TOKEN" : source === "settings" ? "here" : "your Hugging Face token file"}).`
      }
    >
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(token.trim() || null, { onSuccess: () => setToken("") });
        }}
      >
        <input
          type="password"
          aria-label="Hugging Face token"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="hf_…"
          className="h-8 w-40 rounded-md border border-line bg-bg px-2 text-[12.5px]"
          data-testid="hf-token"
        />
        <Button type="submit" disabled={save.isPending} data-testid="save-hf-token">
          {token.trim() ? "Save" : source === "settings" ? "Forget" : "Save"}
        </Button>
      </form>
    </Row>
  );
}

function Toggle(props: {
  label: string;
  testId: string;
  checked: boolean;
  disabled: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <input
      type="checkbox"
      aria-label={props.label}
      className="size-4 accent-[var(--ts-accent)]"
      checked={props.checked}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.target.checked)}
      data-testid={props.testId}
    />
  );
}

function Row({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  return (
    <div className="flex items-center gap-3">
      <div className="flex-1 text-[12.5px] text-muted">
        <div className="font-medium text-fg">{title}</div>
        {hint}
      </div>
      {children}
    </div>
  );
}

export function SettingsDialog({
  onClose,
  theme,
  onTheme,
}: {
  onClose: () => void;
  theme: ThemePref;
  onTheme: (t: ThemePref) => void;
}) {
  const status = useStatus();
  const settings = useSettings();
  const update = useUpdateSettings();
  const rebuild = useStartRebuild();
  const checkUpdates = useCheckUpdates();
  const bridge = useBridge();
  const toast = useToast();
  const [confirmRebuild, setConfirmRebuild] = useState(false);
  const [scanning, setScanning] = useState(false);

  const settingError = (err: Error) =>
    toast.push({ kind: "error", title: "Could not save the setting", message: err.message });

  const runScan = async () => {
    setScanning(true);
    try {
      const report = await bridge.call("scan", {});
      toast.push({
        kind: "success",
        title: "Library scanned",
        message: `${report.added.length} added, ${report.updated.length} updated, ${report.removed.length} removed, ${report.unchanged} unchanged`,
      });
    } catch (err) {
      toast.push({ kind: "error", title: "Scan failed", message: (err as Error).message });
    } finally {
      setScanning(false);
    }
  };

  const s = status.data;
  return (
    <>
      <Modal
        title="Settings"
        onClose={onClose}
        width="md"
        testId="settings-dialog"
        footer={<Button onClick={onClose}>Close</Button>}
      >
        <div className="flex flex-col gap-5">
          <section aria-label="Locations">
            <h3 className="mb-2 text-[11px] font-semibold tracking-wide text-faint uppercase">
              Where things live
            </h3>
            {s ? (
              <Facts
                rows={[
                  ["Library root", <PathValue value={s.library_root} label="library root" />],
                  ["State folder", <PathValue value={s.home} label="state folder" />],
                  ["Models", s.model_count.toLocaleString()],
                  ["Version", s.version],
                  ["Mode", s.bridge === "desktop" ? "Desktop window" : "Web (local only)"],
                ]}
              />
            ) : (
              <p className="text-muted">{status.error ? status.error.message : "Loading…"}</p>
            )}
          </section>

          <section aria-label="Preferences" className="flex flex-col gap-3">
            <h3 className="text-[11px] font-semibold tracking-wide text-faint uppercase">
              Preferences
            </h3>
            <Row title="Theme">
              <Segmented<ThemePref>
                label="Theme"
                value={theme}
                options={[
                  ["system", "System"],
                  ["light", "Light"],
                  ["dark", "Dark"],
                ]}
                onChange={onTheme}
              />
            </Row>
            <Row
              title="Import mode"
              hint="What the import dialog starts with; you can change it per import."
            >
              <Segmented<"copy" | "move">
                label="Default import mode"
                value={settings.data?.default_import_mode}
                options={[
                  ["copy", "Copy"],
                  ["move", "Move"],
                ]}
                onChange={(v) =>
                  update.mutate({ default_import_mode: v }, { onError: settingError })
                }
              />
            </Row>
            <Row
              title="Identify on Hugging Face"
              hint="After each import, models are identified on Hugging Face from their hashes (nothing is read again)."
            >
              <Toggle
                label="Identify on Hugging Face after import"
                testId="setting-lookup"
                checked={settings.data?.lookup_on_import ?? true}
                disabled={!settings.data}
                onChange={(on) =>
                  update.mutate({ lookup_on_import: on }, { onError: settingError })
                }
              />
            </Row>
            <Row
              title="Offline"
              hint="No request to Hugging Face at all; lookups wait until this is off."
            >
              <Toggle
                label="Offline mode"
                testId="setting-offline"
                checked={settings.data?.offline ?? false}
                disabled={!settings.data}
                onChange={(on) => update.mutate({ offline: on }, { onError: settingError })}
              />
            </Row>
            <HubToken />
          </section>

          <section aria-label="Maintenance">
            <h3 className="mb-2 text-[11px] font-semibold tracking-wide text-faint uppercase">
              Maintenance
            </h3>
            <div className="flex flex-col gap-3">
              <div className="flex items-center gap-3">
                <div className="flex-1 text-[12.5px] text-muted">
                  <div className="font-medium text-fg">Scan library</div>
                  Pick up changes made on disk since the last scan (only changed folders are read).
                </div>
                <Button
                  onClick={() => void runScan()}
                  disabled={scanning}
                  data-testid="scan-button"
                >
                  {scanning ? "Scanning…" : "Scan"}
                </Button>
              </div>
              <div className="flex items-center gap-3">
                <div className="flex-1 text-[12.5px] text-muted">
                  <div className="font-medium text-fg">Rebuild index</div>
                  Rebuild models.db from every metadata.json. The current index keeps serving until
                  the new one is ready.
                </div>
                <Button onClick={() => setConfirmRebuild(true)} data-testid="rebuild-button">
                  Rebuild…
                </Button>
              </div>
              <ReclassifyAction />
              <div className="flex items-center gap-3">
                <div className="flex-1 text-[12.5px] text-muted">
                  <div className="font-medium text-fg">Check for updates</div>
                  Compare each model matched on Hugging Face with its repo now; nothing changes.
                </div>
                <Button
                  onClick={() => checkUpdates.mutate()}
                  disabled={checkUpdates.isPending}
                  data-testid="check-updates"
                >
                  Check
                </Button>
              </div>
            </div>
          </section>
        </div>
      </Modal>
      {confirmRebuild && (
        <ConfirmDialog
          title="Rebuild the index?"
          confirmLabel="Rebuild"
          busy={rebuild.isPending}
          onCancel={() => setConfirmRebuild(false)}
          onConfirm={() =>
            rebuild.mutate(undefined, {
              onSuccess: () => {
                setConfirmRebuild(false);
                toast.push({
                  kind: "info",
                  title: "Rebuilding the index…",
                  message: "Progress is shown in Jobs.",
                });
              },
              onError: (err) => {
                setConfirmRebuild(false);
                toast.push({
                  kind: "error",
                  title: "Could not start the rebuild",
                  message: err.message,
                });
              },
            })
          }
        >
          Every metadata.json in the library is read again. On a large library this takes a while;
          your models and files are not changed.
        </ConfirmDialog>
      )}
    </>
  );
}
