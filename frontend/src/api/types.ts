/**
 * The UI's one import point for contract types.
 *
 * `@shelf-contract` resolves (tsconfig "paths") to the GENERATED `src/types/pywebview.d.ts`
 * (scripts/gen-types; a test fails when it is stale). Type-only: nothing here exists at run
 * time. Below: two UI-side names for generated shapes.
 */
export type * from "@shelf-contract";
import type { ChangeReason } from "@shelf-contract";

/** Where an error is about (its `details.path`, else `details.ref`), for display. */
export type ErrorSubject = string | null;

export type LibraryChangeReason = ChangeReason;
