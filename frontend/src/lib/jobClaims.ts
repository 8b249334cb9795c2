/**
 * Kinds of job whose outcome a mounted component is showing itself (so the app-wide
 * "job finished" toast stays quiet for them). Claimed by kind, not id: a quick job can end
 * before its `start_*` call has answered with the id.
 */
import type { JobKind } from "../api/types";

const claims = new Map<JobKind, number>();

/** Claims `kind` until the returned function is called (use as an effect's cleanup). */
export function claimJobKind(kind: JobKind): () => void {
  claims.set(kind, (claims.get(kind) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (claims.get(kind) ?? 1) - 1;
    if (n > 0) claims.set(kind, n);
    else claims.delete(kind);
  };
}

export function isJobKindClaimed(kind: JobKind): boolean {
  return claims.has(kind);
}
