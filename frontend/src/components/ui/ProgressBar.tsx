export function ProgressBar({
  value,
  label,
  tone = "accent",
}: {
  value: number; // 0..1
  label: string;
  tone?: "accent" | "ok" | "danger";
}) {
  const pct = Math.round(Math.min(Math.max(value, 0), 1) * 100);
  const color = tone === "ok" ? "bg-ok" : tone === "danger" ? "bg-danger" : "bg-accent";
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className="h-1.5 w-full overflow-hidden rounded-full bg-hover"
    >
      <div
        className={`h-full rounded-full ${color} transition-[width] duration-200`}
        style={{ width: `${pct}%` }}
      />
    </div>
  );
}

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <span
      role="status"
      aria-label={label}
      className="inline-block size-3.5 animate-spin rounded-full border-2 border-line-strong border-t-accent"
    />
  );
}
