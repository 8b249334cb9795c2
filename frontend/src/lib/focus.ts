/** Focus helpers for keyboard users: nothing should leave focus stranded on <body>. */

function focusLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

/**
 * After the UI removed what had focus (a closed panel, a deleted row), move focus to
 * `target()` — but only when it was really lost, never away from where the user went.
 */
export function refocusIfLost(target: () => HTMLElement | null | undefined): void {
  window.requestAnimationFrame(() => {
    if (focusLost()) target()?.focus({ preventScroll: true });
  });
}

/** The library list's current row (or the list itself when it has no rows). */
export function libraryListTarget(): HTMLElement | null {
  const list = document.querySelector<HTMLElement>('[data-testid="library-scroll"]');
  return list?.querySelector<HTMLElement>('[role="row"][tabindex="0"]') ?? list;
}
