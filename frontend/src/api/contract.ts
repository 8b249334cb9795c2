/**
 * HAND-WRITTEN mirror of the ShelfApi contract (docs/API.md), used only while the generated
 * `src/types/pywebview.d.ts` (scripts/gen-types) is absent: tsconfig maps `@shelf-contract`
 * to the generated file first and to this one as the fallback, so the UI is typed by the
 * generated file as soon as it exists. Same names and shapes as the generator emits
 * (pydantic output models: every field present, nullable where Optional).
 * Import types from `./types`, never from here.
 */

// ---------------------------------------------------------------- detect/models.py
export type FileFormat = "safetensors" | "gguf" | "pickle" | "onnx" | "diffusers" | "transformers";
export type ModelType = "diffusion" | "llm" | "other";
export type SecurityTier = "safe" | "unknown" | "pickle";

export interface ForeignMetadata {
  title: string | null;
  description: string | null;
  base_model: string | null;
  trigger_words: string[];
  preview_image: string | null;
  source: string[];
}

export interface Detection {
  format: FileFormat | null;
  model_type: ModelType;
  subtype: string | null;
  family: string | null;
  precision: string | null;
  variant: string | null;
  architecture: string | null;
  parameter_count: number | null;
  quantization: string | null;
  context_length: number | null;
  lora_rank: number | null;
  lora_target: string | null;
  security_tier: SecurityTier;
  confidence: number;
  evidence: string[];
  foreign: ForeignMetadata;
  header_bytes_read: number;
  detector_version: number;
}

// ---------------------------------------------------------------- library/metadata.py
export type ModelFormat = "single-file" | "sharded-set" | "diffusers-folder" | "bundle";
export type FileRole = "weights" | "config" | "tokenizer" | "preview" | "companion" | "index";
export type MatchMethod = "hash" | "filename_exact" | "filename_fuzzy" | "manual" | "none";

export interface Hashes {
  sha256: string;
  blake3: string;
}

export interface FileEntry {
  path: string;
  size: number;
  sha256: string;
  blake3: string;
  mtime_ns: number | null;
  role: FileRole;
  shard_index: number | null;
  shard_total: number | null;
  [extra: string]: unknown;
}

export interface Source {
  kind: "local" | "huggingface" | "url";
  path: string | null;
  repo_id: string | null;
  revision: string | null;
  file: string | null;
  url: string | null;
  imported_at: string;
  mode: ImportMode | null;
  [extra: string]: unknown;
}

export interface ModelMetadata {
  schema_version: number;
  id: string;
  path: string;
  name: string;
  cleaned_name: string;
  model_format: ModelFormat;
  model_type: string;
  subtype: string | null;
  family: string | null;
  base_model: string | null;
  variant: string | null;
  precision: string | null;
  detection: Detection | null;
  files: FileEntry[];
  hashes: Hashes | null;
  size_bytes: number;
  sources: Source[];
  import_session: string | null;
  repo_id: string | null;
  revision: string | null;
  match_method: MatchMethod;
  match_confidence: number;
  match_source: "auto" | "manual";
  hash_mismatch: boolean;
  pending_online_lookup: boolean;
  lookup_attempts: number;
  last_lookup_attempt: string | null;
  official_name: string | null;
  hf_tags: string[];
  license: string | null;
  pipeline_tag: string | null;
  download_url: string | null;
  model_card_excerpt: string | null;
  trigger_words: string[];
  description: string | null;
  tags: string[];
  notes: string;
  rating: number;
  collections: string[];
  preview_image: string | null;
  user_overrides: string[];
  security_tier: SecurityTier;
  pickle_scan: Record<string, unknown> | null;
  added_date: string;
  updated_date: string;
  [extra: string]: unknown;
}

// ---------------------------------------------------------------- library/models.py
export type ImportMode = "copy" | "move" | "link";
export type ImportStage =
  | "queued"
  | "validating"
  | "copying"
  | "hashing"
  | "verifying"
  | "publishing"
  | "done"
  | "failed"
  | "duplicate"
  | "skipped";

export interface ImportOptions {
  mode?: ImportMode;
  name?: string | null;
  family?: string | null;
  model_type?: string | null;
  subtype?: string | null;
  tags?: string[];
  accept_pickle?: boolean;
  lookup?: boolean;
}

export interface ImportPlanItem {
  key: string;
  name: string;
  model_format: ModelFormat;
  paths: string[];
  root: string;
  relative_files: string[];
  size_bytes: number;
  detection: Detection | null;
  security_tier: SecurityTier;
  duplicate_of: string | null;
  warnings: string[];
  error: string | null;
}

export interface ImportPlan {
  items: ImportPlanItem[];
  /** `{path, reason}` per ignored input */
  rejected: Record<string, string>[];
}

export interface ErrorInfo {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export interface ImportProgress {
  key: string;
  file: string;
  stage: ImportStage;
  bytes_done: number;
  bytes_total: number;
  rate_bps: number;
  eta_s: number | null;
}

export type SortField =
  | "name"
  | "added_date"
  | "size_bytes"
  | "model_type"
  | "family"
  | "subtype"
  | "precision"
  | "rating"
  | "relevance";

export interface ListQuery {
  model_type?: string | null;
  subtype?: string | null;
  family?: string | null;
  precision?: string | null;
  format?: string | null;
  tag?: string | null;
  favorites?: boolean;
  security_tier?: string | null;
  text?: string | null;
  sort?: SortField;
  descending?: boolean;
  limit?: number;
  offset?: number;
}

export interface ModelSummary {
  id: string;
  path: string;
  name: string;
  model_type: string;
  subtype: string | null;
  family: string | null;
  model_format: string;
  format: string | null;
  precision: string | null;
  size_bytes: number;
  hashes: Hashes | null;
  tags: string[];
  repo_id: string | null;
  match_method: string;
  security_tier: string;
  rating: number;
  added_date: string;
}

export interface ModelPage {
  total: number;
  models: ModelSummary[];
}

export interface FacetCounts {
  model_type: Record<string, number>;
  subtype: Record<string, number>;
  family: Record<string, number>;
  precision: Record<string, number>;
  format: Record<string, number>;
  tag: Record<string, number>;
}

export interface ModelEdit {
  name?: string | null;
  family?: string | null;
  model_type?: string | null;
  subtype?: string | null;
  tags?: string[] | null;
  notes?: string | null;
  rating?: number | null;
}

export interface RemoveResult {
  id: string;
  path: string;
  removed: boolean;
  error: string | null;
}

export interface ScanReport {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
  phantoms: string[];
  errors: Record<string, string>[];
  staging_swept: string[];
}

export interface ReclassifyChange {
  id: string;
  old_path: string;
  new_path: string;
  changes: Record<string, (string | null)[]>;
}

export interface ReclassifyReport {
  dry_run: boolean;
  changed: ReclassifyChange[];
  unchanged: number;
  errors: Record<string, string>[];
}

// ---------------------------------------------------------------- api (docs/API.md)
export type Bridge = "desktop" | "web" | "cli";

export interface AppStatus {
  version: string;
  home: string;
  library_root: string;
  model_count: number;
  bridge: Bridge;
  staging_swept: string[];
}

export interface ModelDetail {
  model: ModelMetadata;
  library_dir: string;
}

export interface InspectResult {
  path: string;
  detection: Detection;
}

export interface JobRef {
  job_id: string;
}

export type JobKind = "import" | "rebuild" | "verify";
export type JobStatus = "running" | "done" | "failed" | "cancelled" | "interrupted";

export interface JobInfo {
  job_id: string;
  kind: JobKind;
  status: JobStatus;
  created_at: string;
  updated_at: string;
  items_total: number;
  items_done: number;
  bytes_total: number;
  bytes_done: number;
  title: string;
  error: string | null;
  result: unknown;
}

export interface AppSettings {
  theme: "system" | "light" | "dark";
  default_import_mode: "copy" | "move";
  lookup_on_import: boolean;
  window_width: number;
  window_height: number;
}

export type Settings = AppSettings;

/** Method name → keyword arguments and result (docs/API.md "Methods"). */
export interface ShelfMethods {
  get_status: { args: Record<string, never>; result: AppStatus };
  plan_import: { args: { paths: string[] }; result: ImportPlan };
  start_import: {
    args: { paths: string[]; options?: ImportOptions | null; per_item?: Record<string, ImportOptions> | null };
    result: JobRef;
  };
  list_models: { args: { query?: ListQuery | null }; result: ModelPage };
  get_facets: { args: Record<string, never>; result: FacetCounts };
  get_model: { args: { ref: string }; result: ModelDetail };
  edit_model: { args: { ref: string; edit: ModelEdit }; result: ModelMetadata };
  delete_models: { args: { refs: string[] }; result: RemoveResult[] };
  search: { args: { query: string; limit?: number; offset?: number }; result: ModelPage };
  inspect: { args: { path: string }; result: InspectResult };
  scan: { args: Record<string, never>; result: ScanReport };
  start_rebuild: { args: Record<string, never>; result: JobRef };
  start_verify: { args: { refs?: string[] | null; full?: boolean }; result: JobRef };
  reclassify: { args: { refs?: string[] | null; all?: boolean; dry_run?: boolean }; result: ReclassifyReport };
  list_jobs: { args: Record<string, never>; result: JobInfo[] };
  resume_jobs: { args: { job_id?: string | null }; result: JobRef[] };
  cancel_job: { args: { job_id: string }; result: JobInfo };
  get_settings: { args: Record<string, never>; result: AppSettings };
  update_settings: { args: { changes: Record<string, unknown> }; result: AppSettings };
  pick_paths: { args: { folder?: boolean }; result: string[] };
}

export type MethodName = keyof ShelfMethods;
export type MethodArgs<M extends MethodName> = ShelfMethods[M]["args"];
export type MethodResult<M extends MethodName> = ShelfMethods[M]["result"];

// ---------------------------------------------------------------- events
export interface JobProgressEvent {
  job_id: string;
  kind: JobKind;
  items_done: number;
  items_total: number;
  bytes_done: number;
  bytes_total: number;
  rate_bps: number;
  eta_s: number | null;
  item: ImportProgress | null;
}

/** `result` is one ImportResult or ModelVerification as JSON; `error` when the item failed outright. */
export interface JobItemDoneEvent {
  job_id: string;
  kind: JobKind;
  result: Record<string, unknown>;
  error: string | null;
}

export interface JobDoneEvent {
  job_id: string;
  kind: JobKind;
  status: JobStatus;
  result: unknown;
  error: string | null;
}

export type ChangeReason = "import" | "edit" | "delete" | "scan" | "rebuild" | "reclassify";

export interface LibraryChangedEvent {
  ids: string[];
  reason: ChangeReason;
}

export interface FilesDroppedEvent {
  paths: string[];
}

export interface NetworkStatusEvent {
  online: boolean;
}

/** Event type → payload (docs/API.md "Events"). */
export interface ShelfEvents {
  "job.progress": JobProgressEvent;
  "job.item_done": JobItemDoneEvent;
  "job.done": JobDoneEvent;
  "library.changed": LibraryChangedEvent;
  "files.dropped": FilesDroppedEvent;
  "network.status": NetworkStatusEvent;
}

export type EventType = keyof ShelfEvents;

export interface ShelfEvent<T extends EventType = EventType> {
  type: T;
  payload: ShelfEvents[T];
}

export type Envelope<R> = { ok: true; result: R } | { ok: false; error: ErrorInfo };
