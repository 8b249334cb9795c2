import { Fragment, useState, type ReactNode } from "react";
import type { Detection, FileEntry, ModelMetadata, Source } from "../../api/types";
import { formatBytes, formatDateTime, formatPercent, shortHash, typeLabel } from "../../lib/format";
import { detectionFacts } from "../DetectionBadges";
import { useCompleteShards, useSetMatch, useStartLookup } from "../../api/hooks";
import { missingShards } from "../../lib/shards";
import { FindOnHubDialog } from "../hub/FindOnHubDialog";
import { useToast } from "../ui/Toasts";
import { Badge, confidenceTone } from "../ui/Badge";
import { Button } from "../ui/Button";
import { CopyButton } from "../ui/CopyButton";

export function Section({
  title,
  children,
  aside,
}: {
  title: string;
  children: ReactNode;
  aside?: ReactNode;
}) {
  return (
    <section className="border-t border-line px-4 py-3" aria-label={title}>
      <div className="mb-2 flex items-center justify-between">
        <h3 className="text-[11px] font-semibold tracking-wide text-faint uppercase">{title}</h3>
        {aside}
      </div>
      {children}
    </section>
  );
}

/** "pending_online_lookup" may wrap after each underscore (long metadata keys in a narrow column). */
function BreakAtUnderscores({ text }: { text: string }) {
  const parts = text.split("_");
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && (
            <>
              _<wbr />
            </>
          )}
        </Fragment>
      ))}
    </>
  );
}

export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[120px_1fr] gap-x-3 gap-y-1 text-[12.5px]">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="min-w-0 break-words text-faint">
            <BreakAtUnderscores text={k} />
          </dt>
          <dd className="min-w-0 break-words text-fg">{v ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

function HashLine({ label, value }: { label: string; value: string | null }) {
  if (value === null)
    return (
      <div className="flex items-center gap-1.5 text-[11.5px]">
        <span className="w-[52px] shrink-0 whitespace-nowrap text-faint">{label}</span>
        <span className="text-faint">not computed yet (adopted; a full verify fills it in)</span>
      </div>
    );
  return (
    <div className="flex items-center gap-1.5 text-[11.5px]">
      <span className="w-[52px] shrink-0 whitespace-nowrap text-faint">{label}</span>
      <code className="min-w-0 truncate font-mono text-muted" title={value}>
        {shortHash(value, 24)}
      </code>
      <CopyButton value={value} label={`${label} hash`} />
    </div>
  );
}

export function FilesSection({ files }: { files: FileEntry[] }) {
  return (
    <Section title={`Files (${files.length})`}>
      <ul className="flex flex-col gap-2.5">
        {files.map((f) => (
          <li
            key={f.path}
            data-testid="detail-file"
            className="rounded-md border border-line bg-panel p-2"
          >
            <div className="flex items-center gap-2">
              <span
                className="min-w-0 flex-1 truncate font-mono text-[12px] text-fg"
                title={f.path}
              >
                {f.path}
              </span>
              {f.shard_index != null && f.shard_total != null && (
                <Badge>
                  shard {f.shard_index}/{f.shard_total}
                </Badge>
              )}
              <Badge>{f.role}</Badge>
              <span className="shrink-0 text-[12px] text-muted tabular-nums">
                {formatBytes(f.size)}
              </span>
            </div>
            <div className="mt-1">
              <HashLine label="SHA-256" value={f.sha256} />
              <HashLine label="BLAKE3" value={f.blake3} />
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function sourceText(s: Source): string {
  if (s.kind === "huggingface")
    return `${s.repo_id ?? "?"}${s.file ? `/${s.file}` : ""}${s.revision ? ` @ ${s.revision.slice(0, 10)}` : ""}`;
  if (s.kind === "url") return s.url ?? "—";
  return s.path ?? "—";
}

export function SourcesSection({ sources }: { sources: Source[] }) {
  if (sources.length === 0) return null;
  return (
    <Section title="Sources">
      <ul className="flex flex-col gap-1.5 text-[12.5px]">
        {sources.map((s, i) => (
          <li key={i} className="flex flex-col">
            <span className="flex items-center gap-1.5">
              <Badge>{s.kind}</Badge>
              {s.mode && <Badge>{s.mode}</Badge>}
              <span
                className="min-w-0 truncate font-mono text-[11.5px] text-fg"
                title={sourceText(s)}
              >
                {sourceText(s)}
              </span>
            </span>
            <span className="text-[11.5px] text-faint">{formatDateTime(s.imported_at)}</span>
          </li>
        ))}
      </ul>
    </Section>
  );
}

export function DetectionSection({ detection }: { detection: Detection | null }) {
  const [showEvidence, setShowEvidence] = useState(false);
  if (!detection) {
    return (
      <Section title="Detection">
        <p className="text-[12.5px] text-faint">No detection recorded.</p>
      </Section>
    );
  }
  const foreign = detection.foreign;
  return (
    <Section
      title="Detection"
      aside={
        <Badge tone={confidenceTone(detection.confidence)} title="Detector confidence">
          {formatPercent(detection.confidence)} confident
        </Badge>
      }
    >
      <Facts
        rows={[
          ["Type", typeLabel(detection.model_type, detection.subtype)],
          ["Family / base", detection.family ?? "unknown"],
          ["Precision", detection.precision ?? "—"],
          ...detectionFacts(detection),
          [
            "Detector",
            `v${detection.detector_version} · read ${formatBytes(detection.header_bytes_read)} of header`,
          ],
        ]}
      />
      {(foreign.base_model ||
        foreign.base_model_raw ||
        foreign.trigger_words.length > 0 ||
        foreign.source.length > 0) && (
        <div className="mt-2">
          <Facts
            rows={[
              ...(foreign.base_model_raw || foreign.base_model
                ? [
                    ["Base (sidecar)", foreign.base_model_raw ?? foreign.base_model] as [
                      string,
                      ReactNode,
                    ],
                  ]
                : []),
              ...(foreign.trigger_words.length
                ? [["Trigger words", foreign.trigger_words.join(", ")] as [string, ReactNode]]
                : []),
              ...(foreign.source.length
                ? [["Read from", foreign.source.join(", ")] as [string, ReactNode]]
                : []),
            ]}
          />
        </div>
      )}
      <button
        type="button"
        aria-expanded={showEvidence}
        onClick={() => setShowEvidence((v) => !v)}
        className="mt-2 text-[12px] font-medium text-accent hover:underline"
      >
        {showEvidence ? "Hide evidence" : `Show evidence (${detection.evidence.length})`}
      </button>
      {showEvidence && (
        <ul
          className="mt-1 list-disc space-y-0.5 pl-4 text-[12px] text-muted"
          data-testid="detail-evidence"
        >
          {detection.evidence.map((line, i) => (
            <li key={i} className="break-words">
              {line}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export function HubSection({ model }: { model: ModelMetadata }) {
  const rows: [string, ReactNode][] = [
    [
      "Match",
      model.match_method === "none"
        ? "Not matched"
        : `${model.match_method} · ${formatPercent(model.match_confidence)} · ${model.match_source}`,
    ],
  ];
  if (model.repo_id) rows.push(["Repository", model.repo_id]);
  if (model.revision) rows.push(["Revision", model.revision]);
  if (model.official_name) rows.push(["Official name", model.official_name]);
  if (model.license) rows.push(["License", model.license]);
  if (model.pipeline_tag) rows.push(["Pipeline", model.pipeline_tag]);
  if (model.hf_tags.length) rows.push(["HF tags", model.hf_tags.join(", ")]);
  if (model.hash_mismatch)
    rows.push(["Hash", <span className="text-danger">differs from the hub's file</span>]);
  if (model.pending_online_lookup)
    rows.push(["Lookup", `pending (${model.lookup_attempts} attempts)`]);
  if (model.description) rows.push(["Description", model.description]);
  if (model.model_card_excerpt) rows.push(["Model card", model.model_card_excerpt]);
  return (
    <Section title="Hugging Face">
      <Facts rows={rows} />
      <HubActions model={model} />
    </Section>
  );
}

/** Retry the lookup; confirm a low-confidence match; say which repo it is, or none. */
function HubActions({ model }: { model: ModelMetadata }) {
  const retry = useStartLookup();
  const setMatch = useSetMatch(model.id);
  const complete = useCompleteShards();
  const toast = useToast();
  const [repo, setRepo] = useState("");
  const [finding, setFinding] = useState(false);
  const fuzzy = model.match_method === "filename_fuzzy" && model.match_source !== "manual";
  const missing = missingShards(model);
  return (
    <div className="mt-2 space-y-2 text-[12px]" data-testid="hub-actions">
      {finding && <FindOnHubDialog modelId={model.id} onClose={() => setFinding(false)} />}
      {missing > 0 && model.repo_id && (
        <Button
          variant="primary"
          onClick={() =>
            complete.mutate(model.id, {
              onSuccess: () =>
                toast.push({
                  kind: "info",
                  title: `Downloading ${missing} missing shards`,
                  message: "Progress is in Jobs.",
                }),
            })
          }
          disabled={complete.isPending}
          data-testid="complete-shards"
        >
          Download missing shards ({missing})
        </Button>
      )}
      <div className="flex flex-wrap gap-2">
        <Button
          onClick={() => retry.mutate([model.id])}
          disabled={retry.isPending}
          data-testid="retry-lookup"
        >
          Retry lookup
        </Button>
        {fuzzy && model.repo_id && (
          <Button
            variant="primary"
            onClick={() => setMatch.mutate(model.repo_id)}
            data-testid="confirm-match"
          >
            Yes, it is {model.repo_id}
          </Button>
        )}
        <Button variant="ghost" onClick={() => setFinding(true)} data-testid="find-on-hub">
          Find on Hugging Face…
        </Button>
        {model.match_source !== "manual" && (
          <Button variant="ghost" onClick={() => setMatch.mutate(null)} data-testid="no-match">
            Not on Hugging Face
          </Button>
        )}
      </div>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (repo.trim()) setMatch.mutate(repo.trim(), { onSuccess: () => setRepo("") });
        }}
      >
        <input
          aria-label="Hugging Face repo of this model"
          value={repo}
          onChange={(e) => setRepo(e.target.value)}
          placeholder="owner/name (mark as manual)"
          className="h-7 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 font-mono text-[11.5px]"
          data-testid="manual-repo"
        />
        <Button type="submit" disabled={!repo.trim() || setMatch.isPending}>
          Set
        </Button>
      </form>
      {(setMatch.error ?? retry.error ?? complete.error) && (
        <p className="text-danger" role="alert">
          {(setMatch.error ?? retry.error ?? complete.error)?.message}
        </p>
      )}
    </div>
  );
}

/** Keys shown in dedicated sections; everything else appears in "All fields". */
const SHOWN_ELSEWHERE = new Set([
  "files",
  "collections",
  "sources",
  "detection",
  "tags",
  "notes",
  "rating",
  "name",
  "hf_tags",
  "description",
  "model_card_excerpt",
  "repo_id",
  "revision",
  "official_name",
  "license",
  "pipeline_tag",
  "match_method",
  "match_confidence",
  "match_source",
]);

function renderValue(value: unknown): ReactNode {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value))
    return value.length
      ? value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ")
      : "—";
  if (typeof value === "object")
    return <code className="font-mono text-[11.5px] break-all">{JSON.stringify(value)}</code>;
  return String(value);
}

export function AllFieldsSection({
  model,
  libraryDir,
}: {
  model: ModelMetadata;
  libraryDir: string;
}) {
  const rows: [string, ReactNode][] = [
    [
      "Library folder",
      <span className="flex items-center gap-1">
        <span className="min-w-0 truncate font-mono text-[11.5px]" title={libraryDir}>
          {libraryDir}
        </span>
        <CopyButton value={libraryDir} label="library folder" />
      </span>,
    ],
    [
      "id",
      <span className="flex items-center gap-1">
        <code className="font-mono text-[11.5px]">{model.id}</code>
        <CopyButton value={model.id} label="model id" />
      </span>,
    ],
  ];
  for (const [key, value] of Object.entries(model)) {
    if (key === "id" || SHOWN_ELSEWHERE.has(key)) continue;
    if (key === "hashes" && value && typeof value === "object") {
      const h = value as { sha256: string; blake3: string | null };
      rows.push([
        "sha256",
        <span className="flex items-center gap-1">
          <code className="truncate font-mono text-[11.5px]">{shortHash(h.sha256, 20)}</code>
          <CopyButton value={h.sha256} label="SHA-256 hash" />
        </span>,
      ]);
      rows.push([
        "blake3",
        h.blake3 ? (
          <span className="flex items-center gap-1">
            <code className="truncate font-mono text-[11.5px]">{shortHash(h.blake3, 20)}</code>
            <CopyButton value={h.blake3} label="BLAKE3 hash" />
          </span>
        ) : (
          "not computed yet (adopted; a full verify fills it in)"
        ),
      ]);
      continue;
    }
    if (key === "size_bytes") {
      rows.push([
        fieldLabel(key),
        `${formatBytes(value as number)} (${(value as number).toLocaleString()} bytes)`,
      ]);
      continue;
    }
    if (key.endsWith("_date") || key === "last_lookup_attempt") {
      rows.push([fieldLabel(key), value ? formatDateTime(value as string) : "—"]);
      continue;
    }
    rows.push([fieldLabel(key), renderValue(value)]);
  }
  return (
    <Section title="All fields">
      <Facts rows={rows} />
      <RawMetadata model={model} />
    </Section>
  );
}

/** A metadata.json key as the panel names it ("added_date" → "Added"). */
export function fieldLabel(key: string): string {
  const named: Record<string, string> = {
    added_date: "Added",
    updated_date: "Updated",
    last_lookup_attempt: "Last Hugging Face lookup",
    lookup_attempts: "Hugging Face lookups",
    pending_online_lookup: "Waiting for a lookup",
    hash_mismatch: "Differs from the Hub file",
    size_bytes: "Size",
    model_format: "Layout",
    model_type: "Type",
    base_model: "Base model",
    security_tier: "Security",
    cleaned_name: "Folder name",
    user_overrides: "Set by you",
    schema_version: "Metadata version",
    download_url: "Download URL",
  };
  const text = named[key] ?? key.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The metadata.json itself, behind a toggle (for the curious and for bug reports). */
function RawMetadata({ model }: { model: ModelMetadata }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="mt-2">
      <button
        type="button"
        className="text-[12px] text-accent hover:underline"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        data-testid="raw-metadata-toggle"
      >
        {open ? "Hide raw metadata" : "Raw metadata"}
      </button>
      {open && (
        <pre
          data-testid="raw-metadata"
          className="mt-1 max-h-72 overflow-auto rounded-md border border-line bg-bg p-2 font-mono text-[11px] text-muted"
        >
          {JSON.stringify(model, null, 2)}
        </pre>
      )}
    </div>
  );
}
