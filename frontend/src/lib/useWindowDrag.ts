/**
 * Window-level file drag tracking with a drag counter (IMP-01..03, IMP-07): dragenter /
 * dragleave fire for every child element crossed, so only the counter reaching zero means the
 * pointer left the window. Every drag event's default is prevented so the webview never
 * navigates to a dropped file, even while the overlay is inactive.
 */
import { useEffect, useRef, useState } from "react";

export function carriesFiles(e: DragEvent): boolean {
  const types = e.dataTransfer?.types;
  if (!types) return false;
  return Array.from(types as ArrayLike<string>).includes("Files");
}

export interface WindowDragOptions {
  /** false while a dialog is open: no overlay, drops ignored */
  active: boolean;
  onDrop: (e: DragEvent) => void;
  target?: Window;
}

export function useWindowDrag({ active, onDrop, target }: WindowDragOptions): boolean {
  const [dragging, setDragging] = useState(false);
  const counter = useRef(0);
  const activeRef = useRef(active);
  const onDropRef = useRef(onDrop);

  useEffect(() => {
    onDropRef.current = onDrop;
  });

  useEffect(() => {
    activeRef.current = active;
    if (!active) setDragging(false);
  }, [active]);

  useEffect(() => {
    const win = target ?? window;
    const stop = (e: DragEvent) => {
      e.preventDefault();
      e.stopPropagation();
    };
    const onEnter = (e: DragEvent) => {
      stop(e);
      if (!carriesFiles(e)) return;
      counter.current += 1;
      if (activeRef.current) setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      stop(e);
      if (e.dataTransfer)
        e.dataTransfer.dropEffect = activeRef.current && carriesFiles(e) ? "copy" : "none";
    };
    const onLeave = (e: DragEvent) => {
      stop(e);
      if (!carriesFiles(e)) return;
      counter.current = Math.max(0, counter.current - 1);
      if (counter.current === 0) setDragging(false);
    };
    const onDropEvent = (e: DragEvent) => {
      stop(e);
      const wasFiles = carriesFiles(e);
      counter.current = 0;
      setDragging(false);
      if (wasFiles && activeRef.current) onDropRef.current(e);
    };
    win.addEventListener("dragenter", onEnter);
    win.addEventListener("dragover", onOver);
    win.addEventListener("dragleave", onLeave);
    win.addEventListener("drop", onDropEvent);
    return () => {
      win.removeEventListener("dragenter", onEnter);
      win.removeEventListener("dragover", onOver);
      win.removeEventListener("dragleave", onLeave);
      win.removeEventListener("drop", onDropEvent);
    };
  }, [target]);

  return dragging;
}
