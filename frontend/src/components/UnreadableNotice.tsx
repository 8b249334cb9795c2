import type { ErrorInfo } from "../api/types";

/** Model folders whose metadata.json could not be read (scan/rebuild found them): they are
 * not in the list until repaired, so "Needs attention" names them. */
export function UnreadableNotice({ unreadable }: { unreadable: ErrorInfo[] }) {
  if (unreadable.length === 0) return null;
  return (
    <section
      aria-label="Unreadable model folders"
      data-testid="unreadable-notice"
      className="border-b border-line bg-danger-soft px-4 py-2 text-[12px] text-fg"
    >
      <div className="font-medium text-danger">
        {unreadable.length === 1
          ? "1 model folder cannot be read"
          : `${unreadable.length} model folders cannot be read`}{" "}
        — their metadata.json is damaged; the files are untouched. Repair or restore it, then
        Refresh.
      </div>
      <ul className="mt-1 list-disc pl-5 text-muted">
        {unreadable.map((u) => (
          <li key={String(u.details.path)}>
            <span className="font-mono">{String(u.details.path)}</span>: {u.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
