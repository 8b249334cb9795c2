import { useAnyDialogOpen } from "../lib/dialogStore";
import { useWindowDrag } from "../lib/useWindowDrag";

export const ACCEPTED_LABEL = ".safetensors · .gguf · .ckpt · .pt · .pth · .bin · .onnx · folders";

/**
 * The window-level drop overlay. It only shows and hides: on the desktop the dropped files'
 * full paths reach Python and come back as a `files.dropped` event; in a browser the page
 * cannot see paths, so `onDrop` tells the user to use the path field.
 */
export function DropOverlay({ onDrop }: { onDrop: (e: DragEvent) => void }) {
  const dialogOpen = useAnyDialogOpen();
  const dragging = useWindowDrag({ active: !dialogOpen, onDrop });
  if (!dragging) return null;
  return (
    <div
      data-testid="drop-overlay"
      aria-hidden="true"
      className="pointer-events-none fixed inset-0 z-30 flex items-center justify-center bg-bg/70 p-6 backdrop-blur-[8px]"
    >
      <div className="ts-drop-frame flex h-full w-full flex-col items-center justify-center gap-3 rounded-2xl">
        <svg viewBox="0 0 24 24" className="size-10 text-accent" aria-hidden="true">
          <path
            d="M12 3v12m0 0l-4.5-4.5M12 15l4.5-4.5M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        <div className="text-[18px] font-semibold text-fg">Drop Model Files Here</div>
        <div className="text-[12.5px] text-muted">{ACCEPTED_LABEL}</div>
        <div className="text-[12px] text-faint">
          Nothing is copied until you confirm the import.
        </div>
      </div>
    </div>
  );
}
