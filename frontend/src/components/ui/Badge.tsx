import type { ReactNode } from "react";

export type Tone = "neutral" | "accent" | "ok" | "warn" | "danger" | "info";

const TONES: Record<Tone, string> = {
  neutral: "bg-hover text-muted border-line",
  accent: "bg-accent-soft text-accent border-transparent",
  ok: "bg-ok-soft text-ok border-transparent",
  warn: "bg-warn-soft text-warn border-transparent",
  danger: "bg-danger-soft text-danger border-transparent",
  info: "bg-info-soft text-info border-transparent",
};

export function Badge({
  tone = "neutral",
  children,
  title,
  className = "",
}: {
  tone?: Tone;
  children: ReactNode;
  title?: string;
  className?: string;
}) {
  return (
    <span
      title={title}
      className={`inline-flex max-w-full items-center gap-1 truncate rounded border px-1.5 py-px text-[11px] leading-4 font-medium ${TONES[tone]} ${className}`}
    >
      {children}
    </span>
  );
}

export function tierTone(tier: string | null | undefined): Tone {
  if (tier === "safe") return "ok";
  if (tier === "pickle") return "danger";
  return "warn";
}

export function TierBadge({ tier }: { tier: string | null | undefined }) {
  const label = tier === "safe" ? "Safe" : tier === "pickle" ? "Pickle" : "Unknown";
  const title =
    tier === "safe"
      ? "Format cannot run code (safetensors, GGUF)"
      : tier === "pickle"
        ? "Pickle format: loading it can run code"
        : "Safety not established";
  return (
    <Badge tone={tierTone(tier)} title={title}>
      {label}
    </Badge>
  );
}

/** The trust a Hugging Face match deserves, in the words the user sees everywhere. */
export function trustLabel(method: string | null | undefined, mismatch: boolean, pending: boolean) {
  if (pending)
    return {
      label: "Pending",
      tone: "neutral" as Tone,
      title: "Waiting for a Hugging Face lookup",
    };
  if (method === "hash")
    return { label: "Verified", tone: "ok" as Tone, title: "Its SHA-256 equals the Hub file's" };
  if (method === "filename_exact" && mismatch)
    return {
      label: "Modified version",
      tone: "warn" as Tone,
      title: "A Hub file has its name, but other bytes",
    };
  if (method === "filename_exact")
    return {
      label: "High confidence",
      tone: "info" as Tone,
      title: "Same name and size as a Hub file",
    };
  if (method === "filename_fuzzy")
    return {
      label: "Low confidence",
      tone: "warn" as Tone,
      title: "A similar name on the Hub: confirm it",
    };
  if (method === "manual") return { label: "Manual", tone: "info" as Tone, title: "Set by you" };
  return { label: "No match", tone: "neutral" as Tone, title: "Not found on the Hub" };
}

export function MatchBadge({
  method,
  mismatch = false,
  pending = false,
}: {
  method: string | null | undefined;
  mismatch?: boolean;
  pending?: boolean;
}) {
  if ((!method || method === "none") && !pending) return <span className="text-faint">—</span>;
  const trust = trustLabel(method, mismatch, pending);
  return (
    <Badge tone={trust.tone} title={trust.title}>
      {trust.label}
    </Badge>
  );
}

export function confidenceTone(confidence: number): Tone {
  if (confidence >= 0.85) return "ok";
  if (confidence >= 0.5) return "warn";
  return "danger";
}

const INTEGRITY_LABELS: Record<string, string> = {
  mismatch: "Changed",
  missing: "Files missing",
};

/** The last verify's verdict, shown only when it found a problem. */
export function IntegrityBadge({ state }: { state: string }) {
  const label = INTEGRITY_LABELS[state];
  if (!label) return null;
  return (
    <Badge
      tone="danger"
      title={
        state === "mismatch"
          ? "The last verify found files whose bytes differ from their recorded hashes"
          : "The last verify found files missing from this model's folder"
      }
    >
      {label}
    </Badge>
  );
}
