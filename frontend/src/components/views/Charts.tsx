import type { GrowthRow, UsageRow } from "../../api/types";
import { formatBytes } from "../../lib/format";
import { plural } from "../../lib/bulkText";

/** Horizontal bars of bytes per key, largest first (a table, so it reads without the bars). */
export function UsageBars({
  rows,
  label,
  keyLabel = (key) => key,
  max = 12,
}: {
  rows: UsageRow[];
  label: string;
  keyLabel?: (key: string) => string;
  max?: number;
}) {
  if (rows.length === 0) return <p className="text-[12px] text-faint">Nothing yet</p>;
  const shown = rows.slice(0, max);
  const rest = rows.slice(max);
  const top = Math.max(...shown.map((r) => r.bytes), 1);
  return (
    <table className="w-full table-fixed text-[12px]" aria-label={label}>
      <tbody>
        {shown.map((row) => (
          <tr key={row.key} data-testid="usage-row" data-key={row.key}>
            <th scope="row" className="w-[34%] truncate py-0.5 pr-2 text-left font-normal text-fg">
              {keyLabel(row.key)}
            </th>
            <td className="py-0.5">
              <div className="h-2.5 rounded-sm bg-hover">
                <div
                  className="h-full rounded-sm bg-accent"
                  style={{ width: `${Math.max((row.bytes / top) * 100, 1)}%` }}
                />
              </div>
            </td>
            <td className="w-[30%] py-0.5 pl-2 text-right text-muted tabular-nums">
              {formatBytes(row.bytes)} · {row.models.toLocaleString()}
            </td>
          </tr>
        ))}
        {rest.length > 0 && (
          <tr>
            <td colSpan={3} className="pt-1 text-faint">
              and {plural(rest.length, "more")} (
              {formatBytes(rest.reduce((n, r) => n + r.bytes, 0))})
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

const CHART_HEIGHT = 96;

/** Bytes added per month as columns, with the library's size at each month's end. */
export function GrowthChart({ rows }: { rows: GrowthRow[] }) {
  if (rows.length === 0) return <p className="text-[12px] text-faint">Nothing yet</p>;
  const top = Math.max(...rows.map((r) => r.bytes), 1);
  return (
    <figure aria-label="Growth per month">
      <div className="flex items-end gap-1" style={{ height: CHART_HEIGHT }}>
        {rows.map((row) => (
          <div
            key={row.month}
            data-testid="growth-month"
            title={`${row.month}: ${plural(row.models, "model")} added (${formatBytes(row.bytes)}); ${formatBytes(row.total_bytes)} in all`}
            className="max-w-12 min-w-1 flex-1 rounded-t-sm bg-accent"
            style={{ height: `${Math.max((row.bytes / top) * 100, 2)}%` }}
          />
        ))}
      </div>
      <figcaption className="mt-1 flex justify-between text-[11px] text-faint tabular-nums">
        <span>{rows[0].month}</span>
        <span>
          {rows[rows.length - 1].month} · {formatBytes(rows[rows.length - 1].total_bytes)} in all
        </span>
      </figcaption>
    </figure>
  );
}
