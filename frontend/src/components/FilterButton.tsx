/** A sidebar row: a label and its count; `pressed` when it is a filter that can be on (a row
 * that opens something instead leaves it out). */
export function FilterButton({
  label,
  count,
  pressed,
  onClick,
  testId,
  value,
  tone,
  title,
}: {
  label: string;
  count?: number | null;
  pressed?: boolean;
  onClick: () => void;
  testId?: string;
  value?: string;
  tone?: "danger";
  title?: string;
}) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={onClick}
      data-testid={testId}
      data-value={value}
      title={title}
      className={`flex h-7 w-full shrink-0 items-center gap-2 rounded-md px-2 text-left text-[13px] ${
        pressed ? "bg-selected font-medium text-fg" : "text-muted hover:bg-hover hover:text-fg"
      } ${tone === "danger" ? "text-danger" : ""}`}
    >
      <span className="min-w-0 flex-1 truncate">{label}</span>
      {count != null && <span className="text-[11.5px] text-faint tabular-nums">{count}</span>}
    </button>
  );
}
