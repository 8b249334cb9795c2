export type View = "library" | "history" | "stats";

const VIEWS: { view: View; label: string }[] = [
  { view: "library", label: "Library" },
  { view: "history", label: "Import history" },
  { view: "stats", label: "Statistics" },
];

/** The window's views, at the top of the sidebar. */
export function ViewSwitcher({ view, onChange }: { view: View; onChange: (view: View) => void }) {
  return (
    <nav
      aria-label="Views"
      className="flex shrink-0 flex-col gap-px border-b border-line px-2 py-2"
    >
      {VIEWS.map((v) => (
        <button
          key={v.view}
          type="button"
          aria-current={view === v.view ? "page" : undefined}
          data-testid={`view-${v.view}`}
          onClick={() => onChange(v.view)}
          className={`flex h-7 items-center rounded-md px-2 text-left text-[13px] ${
            view === v.view
              ? "bg-selected font-medium text-fg"
              : "text-muted hover:bg-hover hover:text-fg"
          }`}
        >
          {v.label}
        </button>
      ))}
    </nav>
  );
}
