/**
 * The grid's thumbnails: each card asks for its own (one react-query entry per model, kept
 * until library.changed names the model), and the asks of one render are sent to the
 * backend as one `get_thumbnails` call.
 */
import { useQuery } from "@tanstack/react-query";
import type { Bridge } from "./bridge";
import { useBridge } from "./BridgeContext";

/** at most this many per call (the backend's THUMBNAILS_PER_CALL) */
export const THUMBNAILS_PER_CALL = 200;

type Waiter = { resolve: (url: string | null) => void; reject: (err: Error) => void };

export class ThumbnailBatcher {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(private readonly bridge: Bridge) {}

  load(id: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(id, waiters);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    for (let i = 0; i < batch.length; i += THUMBNAILS_PER_CALL) {
      const part = batch.slice(i, i + THUMBNAILS_PER_CALL);
      this.bridge.call("get_thumbnails", { refs: part.map(([id]) => id) }).then(
        (found) => {
          for (const [id, waiters] of part) waiters.forEach((w) => w.resolve(found[id] ?? null));
        },
        (err: Error) => {
          for (const [, waiters] of part) waiters.forEach((w) => w.reject(err));
        },
      );
    }
  }
}

const batchers = new WeakMap<Bridge, ThumbnailBatcher>();

function batcherFor(bridge: Bridge): ThumbnailBatcher {
  let batcher = batchers.get(bridge);
  if (!batcher) {
    batcher = new ThumbnailBatcher(bridge);
    batchers.set(bridge, batcher);
  }
  return batcher;
}

export const thumbnailKey = (id: string) => ["thumbnail", id] as const;

/** The model's thumbnail (a data: URL), or null when it has no preview image. */
export function useThumbnail(id: string | null) {
  const bridge = useBridge();
  return useQuery({
    queryKey: thumbnailKey(id ?? ""),
    queryFn: () => batcherFor(bridge).load(id as string),
    enabled: !!id,
    staleTime: Infinity,
    retry: false,
  });
}
