/** Formatting helpers (pure functions, no React). */

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
const BYTE_STEP = 1024;

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < BYTE_STEP) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= BYTE_STEP && unit < BYTE_UNITS.length - 1) {
    value /= BYTE_STEP;
    unit += 1;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond == null || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "—";
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds → "45s", "3m 05s", "2h 07m"; null/unknown → "—". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 1) return "<1s";
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, "0")}m`;
}

function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** ISO-8601 → "21 Nov 2026" (local time). */
export function formatDate(iso: string | null | undefined): string {
  const d = parseDate(iso);
  if (!d) return "—";
  return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

/** ISO-8601 → "21 Nov 2026, 15:48". */
export function formatDateTime(iso: string | null | undefined): string {
  const d = parseDate(iso);
  if (!d) return "—";
  return d.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** 0–1 → "87%". */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction == null || !Number.isFinite(fraction)) return "—";
  return `${Math.round(Math.min(Math.max(fraction, 0), 1) * 100)}%`;
}

export function progressFraction(done: number, total: number): number {
  if (!total || total <= 0) return 0;
  return Math.min(Math.max(done / total, 0), 1);
}

/** 7_240_000_000 → "7.2B", 350_000 → "350K". */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return "—";
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}B`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(n);
}

export function shortHash(hash: string | null | undefined, length = 12): string {
  if (!hash) return "—";
  return hash.length > length ? `${hash.slice(0, length)}…` : hash;
}

/** "diffusion_models" → "diffusion models"; null → "—". */
/** Detector ids whose plain spelling would read oddly in the window. */
const LABELS: Record<string, string> = {
  ipadapter: "IP-Adapter",
  sams: "SAM (segmentation)",
  mmproj: "vision projector",
  facerestore_models: "face restorers",
  animatediff_models: "motion modules",
};

export function humanize(value: string | null | undefined): string {
  if (!value) return "—";
  return LABELS[value] ?? value.replace(/_/g, " ");
}

/** "diffusion" + "loras" → "diffusion · loras"; "llm" + "llm" → "llm". */
export function typeLabel(
  modelType: string | null | undefined,
  subtype: string | null | undefined,
): string {
  const type = humanize(modelType);
  if (!subtype || subtype === modelType) return type;
  return `${type} · ${humanize(subtype)}`;
}

/**
 * The compact kind shown in the library list: the subtype names it ("loras", "text encoders");
 * the type is kept only where the subtype alone would mislead (an LLM's LoRA) or is missing.
 */
export function kindLabel(
  modelType: string | null | undefined,
  subtype: string | null | undefined,
): string {
  if (!subtype || subtype === modelType) return humanize(modelType);
  if (modelType === "llm") return typeLabel(modelType, subtype);
  return humanize(subtype);
}

/** "a/b/model.safetensors" → "model.safetensors". */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** A model's short reference: the last group of its UUIDv7 id (the random part — models
 * imported together share the time prefix). The CLI accepts it wherever a model is named. */
export function shortRef(id: string): string {
  return id.slice(-12);
}
