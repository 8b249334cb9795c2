import { useCallback, useState } from "react";

export type Layout = "list" | "grid";

const STORAGE_KEY = "tensorshelf.layout";

function stored(): Layout {
  try {
    return localStorage.getItem(STORAGE_KEY) === "grid" ? "grid" : "list";
  } catch {
    return "list";
  }
}

/** The library's layout (list or cards), remembered by this browser / window. */
export function useLayout(): [Layout, (layout: Layout) => void] {
  const [layout, setState] = useState<Layout>(stored);
  const set = useCallback((next: Layout) => {
    setState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // storage may be off (private mode): the choice lasts for this window only
    }
  }, []);
  return [layout, set];
}

const OPTIONS: { layout: Layout; label: string; icon: string }[] = [
  { layout: "list", label: "List", icon: "M2.5 4h11M2.5 8h11M2.5 12h11" },
  {
    layout: "grid",
    label: "Cards",
    icon: "M2.5 2.5h4.5v4.5h-4.5zM9 2.5h4.5v4.5H9zM2.5 9h4.5v4.5h-4.5zM9 9h4.5v4.5H9z",
  },
];

export function LayoutSwitch({
  layout,
  onChange,
}: {
  layout: Layout;
  onChange: (layout: Layout) => void;
}) {
  return (
    <div role="group" aria-label="Layout" className="ml-auto flex items-center gap-0.5">
      {OPTIONS.map((o) => (
        <button
          key={o.layout}
          type="button"
          aria-pressed={layout === o.layout}
          title={`Show the models as a ${o.label.toLowerCase()}`}
          data-testid={`layout-${o.layout}`}
          onClick={() => onChange(o.layout)}
          className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 ${
            layout === o.layout ? "bg-selected text-fg" : "text-muted hover:bg-hover hover:text-fg"
          }`}
        >
          <svg viewBox="0 0 16 16" className="size-3.5" aria-hidden="true">
            <path d={o.icon} fill="none" stroke="currentColor" strokeWidth="1.4" />
          </svg>
          {o.label}
        </button>
      ))}
    </div>
  );
}
