import type {
  AppSettings,
  Detection,
  ErrorInfo,
  FacetCounts,
  ImportPlanItem,
  JobInfo,
  ModelMetadata,
  ModelSummary,
} from "../api/types";

export function jobInfo(over: Partial<JobInfo> = {}): JobInfo {
  return {
    job_id: "j1",
    kind: "import",
    status: "running",
    problems: 0,
    bytes_read: null,
    created_at: "2026-11-01T10:00:00Z",
    updated_at: "2026-11-01T10:00:00Z",
    items_total: 2,
    items_done: 0,
    bytes_total: 100,
    bytes_done: 0,
    title: "Import 2 models",
    error: null,
    result: null,
    ...over,
  };
}

export function detection(over: Partial<Detection> = {}): Detection {
  return {
    format: "safetensors",
    model_type: "diffusion",
    subtype: "loras",
    family: "sdxl",
    precision: "fp16",
    variant: null,
    architecture: null,
    parameter_count: null,
    quantization: null,
    context_length: null,
    lora_rank: 32,
    lora_target: "sdxl",
    security_tier: "safe",
    confidence: 0.95,
    evidence: ["lora_unet_* keys (kohya)", "cross-attention key width 2048 → sdxl"],
    foreign: {
      title: null,
      description: null,
      base_model: null,
      base_model_raw: null,
      trigger_words: [],
      preview_image: null,
      source: [],
    },
    pickle_scan: null,
    header_bytes_read: 4096,
    detector_version: 1,
    ...over,
  };
}

export function planItem(over: Partial<ImportPlanItem> = {}): ImportPlanItem {
  const key = over.key ?? "/src/model.safetensors";
  return {
    key,
    name: "model",
    model_format: "single-file",
    paths: [key],
    root: "/src",
    relative_files: ["model.safetensors"],
    size_bytes: 1024 * 1024,
    stamps: {},
    detection: detection(),
    security_tier: "safe",
    duplicate_of: null,
    warnings: [],
    error: null,
    ...over,
  };
}

export function summary(i: number, over: Partial<ModelSummary> = {}): ModelSummary {
  return {
    id: `id-${String(i).padStart(5, "0")}`,
    path: `diffusion/sdxl/model-${i}`,
    name: `Model ${i}`,
    model_type: "diffusion",
    subtype: "loras",
    family: "sdxl",
    model_format: "single-file",
    format: "safetensors",
    precision: "fp16",
    size_bytes: 1000 + i,
    hashes: null,
    tags: [],
    repo_id: null,
    match_method: "none",
    security_tier: "safe",
    rating: 0,
    added_date: "2026-11-01T10:00:00Z",
    integrity: "unverified",
    hash_mismatch: false,
    pending_lookup: false,
    ...over,
  };
}

export function metadata(over: Partial<ModelMetadata> = {}): ModelMetadata {
  return {
    schema_version: 1,
    id: "0192a7b3-aaaa-7bbb-8ccc-0123456789ab",
    path: "diffusion/sdxl/my-lora",
    name: "My LoRA",
    cleaned_name: "my-lora",
    model_format: "single-file",
    model_type: "diffusion",
    subtype: "loras",
    family: "sdxl",
    base_model: "sdxl",
    variant: null,
    precision: "fp16",
    detection: detection(),
    files: [
      {
        path: "my-lora.safetensors",
        size: 228_000_000,
        sha256: "a".repeat(64),
        blake3: "b".repeat(64),
        mtime_ns: 1,
        role: "weights",
        shard_index: null,
        shard_total: null,
        git_sha1: null,
      },
    ],
    hashes: { sha256: "a".repeat(64), blake3: "b".repeat(64) },
    size_bytes: 228_000_000,
    sources: [
      {
        kind: "local",
        path: "/home/u/Downloads/my-lora.safetensors",
        repo_id: null,
        revision: null,
        file: null,
        url: null,
        imported_at: "2026-11-01T10:00:00Z",
        mode: "copy",
      },
    ],
    import_session: null,
    repo_id: null,
    revision: null,
    match_method: "none",
    match_confidence: 0,
    match_source: "auto",
    hash_mismatch: false,
    integrity: null,
    pending_online_lookup: false,
    lookup_attempts: 0,
    last_lookup_attempt: null,
    official_name: null,
    hf_tags: [],
    license: null,
    pipeline_tag: null,
    download_url: null,
    model_card_excerpt: null,
    trigger_words: [],
    description: null,
    tags: ["style"],
    notes: "",
    rating: 0,
    collections: [],
    preview_image: null,
    user_overrides: [],
    security_tier: "safe",
    pickle_scan: null,
    added_date: "2026-11-01T10:00:00Z",
    updated_date: "2026-11-01T10:00:00Z",
    ...over,
  };
}

/** The backend's one error shape, as a test writes it. */
export function errorInfo(
  message: string,
  details: Record<string, unknown> = {},
  code = "error",
): ErrorInfo {
  return { code, message, details };
}

/** An input a plan left out (`ImportPlan.rejected`). */
export function rejected(path: string, reason: string): ErrorInfo {
  return { code: "rejected", message: reason, details: { path } };
}

export function facetCounts(over: Partial<FacetCounts> = {}): FacetCounts {
  return {
    model_type: {},
    subtype: {},
    family: {},
    precision: {},
    format: {},
    tag: {},
    security_tier: {},
    match_method: {},
    integrity: {},
    pending: 0,
    attention: 0,
    favorites: 0,
    unreadable: [],
    ...over,
  };
}

export function appSettings(over: Partial<AppSettings> = {}): AppSettings {
  return {
    theme: "system",
    default_import_mode: "copy",
    lookup_on_import: true,
    offline: false,
    window_width: 1280,
    window_height: 800,
    last_pick_folder: null,
    saved_filters: [],
    ...over,
  };
}
