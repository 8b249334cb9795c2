import type { ModelMetadata } from "../api/types";

/** How many shards a sharded set lacks (0 when complete or not a set) — from the files'
 * own shard numbers, as the backend's `shard_gap` counts them. */
export function missingShards(model: Pick<ModelMetadata, "model_format" | "files">): number {
  if (model.model_format !== "sharded-set") return 0;
  const shards = model.files.filter((f) => f.role === "weights" && f.shard_index != null);
  const total = Math.max(0, ...shards.map((f) => f.shard_total ?? 0));
  const have = new Set(shards.map((f) => f.shard_index));
  let missing = 0;
  for (let i = 1; i <= total; i += 1) if (!have.has(i)) missing += 1;
  return missing;
}
