/**
 * The UI's one import point for contract types.
 *
 * `@shelf-contract` resolves (tsconfig "paths") to the GENERATED `src/types/pywebview.d.ts`
 * when it exists, else to the hand-written mirror `./contract.ts`; so the UI is typed by the
 * generated file as soon as scripts/gen-types has written it. Type-only: nothing here exists
 * at run time.
 *
 * Below: shapes that travel inside untyped fields (job results, `job.item_done.result`) and
 * so are not reachable from the generated method/event map; they mirror
 * backend/tensorshelf/library/models.py.
 */
export type * from "@shelf-contract";
import type { ChangeReason, ErrorInfo, Hashes } from "@shelf-contract";

/** One entry of `ImportPlan.rejected`. */
export interface RejectedInput {
  path: string;
  reason: string;
}

export type LibraryChangeReason = ChangeReason;

/** `job.item_done.result` of an import, and the items of an import job's result list. */
export interface ImportResult {
  ok: boolean;
  key: string | null;
  id: string | null;
  path: string | null;
  hashes: Hashes | null;
  duplicate_of: string | null;
  warnings: string[];
  error: ErrorInfo | null;
}

export interface FileVerification {
  path: string;
  ok: boolean;
  status: "ok" | "mismatch" | "missing" | "cached";
  expected_sha256: string;
  actual_sha256: string | null;
}

/** `job.item_done.result` of a verify. */
export interface ModelVerification {
  id: string;
  path: string;
  ok: boolean;
  files: FileVerification[];
  bytes_read: number;
}

/** Result of a verify job. */
export interface VerifyReport {
  models: ModelVerification[];
  bytes_read: number;
}

/** Result of a rebuild job. */
export interface RebuildReport {
  models_found: number;
  models_indexed: number;
  phantoms: string[];
  errors: Record<string, string>[];
}
