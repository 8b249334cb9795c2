/**
 * How many modal dialogs are open. The drop overlay is inactive while any is open (IMP-07).
 * A tiny external store so any component can read it without prop drilling.
 */
import { useSyncExternalStore } from "react";

let openCount = 0;
let nextToken = 1;
const stack: number[] = [];
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of [...listeners]) l();
}

export interface DialogRegistration {
  /** true while this dialog is the topmost open one (it owns Esc and Tab) */
  isTop: () => boolean;
  unregister: () => void;
}

/** Registers one open dialog; `unregister` when it closes. */
export function registerDialog(): DialogRegistration {
  const token = nextToken++;
  stack.push(token);
  openCount += 1;
  emit();
  let done = false;
  return {
    isTop: () => stack[stack.length - 1] === token,
    unregister: () => {
      if (done) return;
      done = true;
      const i = stack.indexOf(token);
      if (i >= 0) stack.splice(i, 1);
      openCount = Math.max(0, openCount - 1);
      emit();
    },
  };
}

export function openDialogCount(): number {
  return openCount;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useAnyDialogOpen(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => openCount > 0,
    () => false,
  );
}
