import { useState } from "react";
import { useEvent } from "../api/BridgeContext";
import type { LibraryWaitingEvent } from "../api/types";
import { Spinner } from "./ui/ProgressBar";

/**
 * Another Tensorshelf (the CLI, another window) is writing the library: say whom this
 * window's change waits for, until it gets its turn (pushed `library.waiting` events).
 */
export function WriterWaitBanner() {
  const [wait, setWait] = useState<LibraryWaitingEvent | null>(null);
  useEvent("library.waiting", (payload) => setWait(payload.waiting ? payload : null));
  if (!wait) return null;
  return (
    <div
      role="status"
      data-testid="writer-wait"
      className="flex items-center gap-2 border-b border-line bg-warn-soft px-4 py-2 text-[12px] text-fg"
    >
      <Spinner label="Waiting" />
      <span>
        {wait.message.charAt(0).toUpperCase() + wait.message.slice(1)}… (this change — {wait.doing}{" "}
        — goes ahead as soon as it is done)
      </span>
    </div>
  );
}
