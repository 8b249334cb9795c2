import { Button } from "./ui/Button";

export function EmptyState({
  desktop,
  filtered,
  onClearFilters,
}: {
  desktop: boolean;
  filtered: boolean;
  onClearFilters: () => void;
}) {
  if (filtered) {
    return (
      <div
        data-testid="no-results"
        className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center"
      >
        <div className="text-[14px] font-medium text-fg">No models match</div>
        <p className="max-w-sm text-muted">Nothing in the library fits this search or filter.</p>
        <Button size="sm" onClick={onClearFilters}>
          Clear search and filters
        </Button>
      </div>
    );
  }
  return (
    <div
      data-testid="empty-state"
      className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center"
    >
      <div className="flex size-12 items-center justify-center rounded-xl border border-line bg-panel text-accent">
        <svg viewBox="0 0 24 24" className="size-6" aria-hidden="true">
          <path
            d="M4 7l8-4 8 4-8 4-8-4zm0 5l8 4 8-4M4 17l8 4 8-4"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinejoin="round"
          />
        </svg>
      </div>
      <div className="text-[15px] font-semibold text-fg">Your library is empty</div>
      <p className="max-w-md text-muted">
        {desktop
          ? "Drop model files or folders anywhere on this window, or use Add files… / Add folder… above."
          : "Paste the full path of a model file or folder into “Import from path” above and press Enter."}{" "}
        Tensorshelf reads each file's header to tell what it is, copies it once into the library
        while hashing it, and never changes your originals.
      </p>
      <p className="text-[12px] text-faint">
        .safetensors · .gguf · .ckpt · .pt · .bin · .onnx · diffusers folders · sharded sets
      </p>
    </div>
  );
}
