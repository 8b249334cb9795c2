/**
 * The ONE client of the ShelfApi (docs/API.md). It detects the transport:
 *  - desktop: `window.pywebview.api.<method>(kwargs)`; events arrive through
 *    `window.__tensorshelf_event({type, payload})`, called by Python's evaluate_js;
 *  - web: `POST /api/call/<method>` with a bearer token taken from `#token=…` (kept in
 *    sessionStorage so reloads work); events from the SSE stream `/api/events?token=…`.
 * Both return the envelope `{ok, result}` / `{ok: false, error}`; `call` unwraps it and throws
 * `ApiError` on failure. Nothing here polls.
 */
import type {
  ErrorInfo,
  EventType,
  MethodArgs,
  MethodName,
  MethodResult,
  ShelfEvent,
  ShelfEvents,
} from "./types";

export type BridgeKind = "desktop" | "web";
export type EventHandler<T extends EventType> = (payload: ShelfEvents[T]) => void;

export class ApiError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown> | null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details ?? {};
  }

  static from(info: ErrorInfo): ApiError {
    return new ApiError(info.code || "error", info.message || "Unknown error", info.details);
  }
}

export interface Bridge {
  readonly kind: BridgeKind;
  call<M extends MethodName>(method: M, kwargs?: MethodArgs<M>): Promise<MethodResult<M>>;
  /** Listen to one event type; returns the unsubscribe function. */
  subscribe<T extends EventType>(type: T, handler: EventHandler<T>): () => void;
  /** Called when the event stream reconnected (events may have been missed). */
  onReconnect(handler: () => void): () => void;
  close(): void;
}

export const TOKEN_STORAGE_KEY = "tensorshelf.token";
export const BRIDGE_WAIT_MS = 8000;
const DESKTOP_EVENT_HOOK = "__tensorshelf_event";

// ------------------------------------------------------------------ envelope

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isEnvelope(value: unknown): boolean {
  return (
    isRecord(value) && typeof value.ok === "boolean" && ("result" in value || "error" in value)
  );
}

/** Returns `result` of `{ok: true, result}`; throws ApiError for `{ok: false, error}`. */
export function unwrapEnvelope<R>(envelope: unknown): R {
  if (typeof envelope === "string") {
    try {
      envelope = JSON.parse(envelope);
    } catch {
      throw new ApiError("bad_response", "The backend answered with text that is not JSON");
    }
  }
  if (!isEnvelope(envelope)) {
    throw new ApiError("bad_response", "The backend answered without an {ok, result} envelope");
  }
  const env = envelope as Record<string, unknown>;
  if (env.ok === true) return env.result as R;
  const error = isRecord(env.error) ? env.error : {};
  throw ApiError.from({
    code: typeof error.code === "string" ? error.code : "error",
    message: typeof error.message === "string" ? error.message : "Unknown error",
    details: isRecord(error.details) ? error.details : {},
  });
}

// ------------------------------------------------------------------ events

/** Events that must not be lost when they arrive before the UI subscribed (a drop at start). */
const HELD_UNTIL_SUBSCRIBED = new Set<string>(["files.dropped"]);

export class EventHub {
  private handlers = new Map<string, Set<(payload: unknown) => void>>();
  private reconnectHandlers = new Set<() => void>();
  private held = new Map<string, unknown[]>();

  on<T extends EventType>(type: T, handler: EventHandler<T>): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    const fn = handler as (payload: unknown) => void;
    set.add(fn);
    const held = this.held.get(type);
    if (held) {
      this.held.delete(type);
      for (const payload of held) fn(payload);
    }
    return () => {
      set.delete(fn);
    };
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => {
      this.reconnectHandlers.delete(handler);
    };
  }

  /** Dispatch a raw event (object or JSON text); malformed events are ignored. */
  dispatch(raw: unknown): void {
    let evt = raw;
    if (typeof evt === "string") {
      try {
        evt = JSON.parse(evt);
      } catch {
        console.warn("tensorshelf: ignoring an event that is not JSON");
        return;
      }
    }
    if (!isRecord(evt) || typeof evt.type !== "string") return;
    const set = this.handlers.get(evt.type);
    if (!set || set.size === 0) {
      if (HELD_UNTIL_SUBSCRIBED.has(evt.type)) {
        this.held.set(evt.type, [...(this.held.get(evt.type) ?? []), evt.payload]);
      }
      return;
    }
    for (const handler of [...set]) {
      try {
        handler(evt.payload);
      } catch (err) {
        console.error(`tensorshelf: handler of ${evt.type} failed`, err);
      }
    }
  }

  reconnected(): void {
    for (const handler of [...this.reconnectHandlers]) handler();
  }
}

// ------------------------------------------------------------------ web bridge

/** Reads `#token=…` (and stores it), else the token kept from an earlier load. */
export function readToken(
  loc: Pick<Location, "hash" | "pathname" | "search"> = window.location,
  storage: Storage | null = safeSessionStorage(),
  history: Pick<History, "replaceState"> | null = window.history,
): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ""));
  const fromHash = params.get("token");
  if (fromHash) {
    storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
    // keep the token out of the visible URL (screenshots, copy-paste); reloads use storage
    history?.replaceState(null, "", loc.pathname + loc.search);
    return fromHash;
  }
  return storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export interface WebBridgeOptions {
  token: string;
  baseUrl?: string;
  fetchImpl?: typeof fetch;
  EventSourceImpl?: typeof EventSource;
}

export function createWebBridge(options: WebBridgeOptions): Bridge {
  const { token, baseUrl = "" } = options;
  const fetchImpl = options.fetchImpl ?? window.fetch.bind(window);
  const hub = new EventHub();
  const ES = options.EventSourceImpl ?? window.EventSource;
  let source: EventSource | null = null;
  let hadError = false;

  if (ES) {
    source = new ES(`${baseUrl}/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (msg: MessageEvent) => hub.dispatch(msg.data);
    source.onerror = () => {
      hadError = true;
    };
    source.onopen = () => {
      if (hadError) {
        hadError = false;
        hub.reconnected();
      }
    };
  }

  return {
    kind: "web",
    async call(method, kwargs) {
      let response: Response;
      try {
        response = await fetchImpl(`${baseUrl}/api/call/${encodeURIComponent(method)}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify(kwargs ?? {}),
        });
      } catch (err) {
        throw new ApiError("network", "Cannot reach the Tensorshelf backend", {
          cause: String(err),
        });
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new ApiError(
          response.status === 401 ? "unauthorized" : "bad_response",
          `HTTP ${response.status} from ${method}`,
          { status: response.status },
        );
      }
      if (isEnvelope(body)) return unwrapEnvelope(body);
      if (!response.ok) {
        if (isRecord(body) && isRecord(body.error)) {
          return unwrapEnvelope({ ok: false, error: body.error });
        }
        throw new ApiError(
          response.status === 401 ? "unauthorized" : "http_error",
          `HTTP ${response.status} from ${method}`,
          { status: response.status },
        );
      }
      return body as never; // a transport that answers with the bare result
    },
    subscribe: (type, handler) => hub.on(type, handler),
    onReconnect: (handler) => hub.onReconnect(handler),
    close() {
      source?.close();
    },
  };
}

// ------------------------------------------------------------------ desktop bridge

export type PywebviewApi = Record<string, ((kwargs: unknown) => Promise<unknown>) | undefined>;

interface DesktopWindow {
  pywebview?: { api?: PywebviewApi };
  [DESKTOP_EVENT_HOOK]?: (evt: ShelfEvent | string) => void;
}

export function createDesktopBridge(api: PywebviewApi, target: object = window): Bridge {
  const hub = new EventHub();
  const win = target as DesktopWindow;
  win[DESKTOP_EVENT_HOOK] = (evt) => hub.dispatch(evt);

  return {
    kind: "desktop",
    async call(method, kwargs) {
      const fn = api[method];
      if (typeof fn !== "function") {
        throw new ApiError("unknown_method", `The desktop bridge has no method ${method}`);
      }
      let envelope: unknown;
      try {
        envelope = await fn.call(api, kwargs ?? {});
      } catch (err) {
        throw new ApiError("bridge_error", `Calling ${method} failed: ${String(err)}`);
      }
      return unwrapEnvelope(envelope);
    },
    subscribe: (type, handler) => hub.on(type, handler),
    onReconnect: (handler) => hub.onReconnect(handler),
    close() {
      if (win[DESKTOP_EVENT_HOOK]) delete win[DESKTOP_EVENT_HOOK];
    },
  };
}

// ------------------------------------------------------------------ detection

export interface ConnectOptions {
  target?: Window;
  waitMs?: number;
  token?: string | null;
}

/**
 * Resolves with the bridge this page runs under: web when a token is known, desktop when
 * `window.pywebview.api` exists or appears (`pywebviewready`) within `waitMs`.
 */
export function connectBridge(options: ConnectOptions = {}): Promise<Bridge> {
  const target = options.target ?? window;
  const token = options.token !== undefined ? options.token : readToken();
  if (token) return Promise.resolve(createWebBridge({ token }));

  const desktopApi = () => (target as unknown as DesktopWindow).pywebview?.api;
  const ready = desktopApi();
  if (ready) return Promise.resolve(createDesktopBridge(ready, target));

  return new Promise((resolve, reject) => {
    const onReady = () => {
      const api = desktopApi();
      if (!api) return;
      window.clearTimeout(timer);
      target.removeEventListener("pywebviewready", onReady);
      resolve(createDesktopBridge(api, target));
    };
    const timer = window.setTimeout(() => {
      target.removeEventListener("pywebviewready", onReady);
      reject(
        new ApiError(
          "no_bridge",
          "This page was opened without its access token. Open the full link `tensorshelf serve` printed — it ends in #token=… — or run `tensorshelf serve` again for a new one (the desktop app: run `tensorshelf`).",
        ),
      );
    }, options.waitMs ?? BRIDGE_WAIT_MS);
    target.addEventListener("pywebviewready", onReady);
  });
}

// ------------------------------------------------------------------ module-level access

let current: Bridge | null = null;

export function setBridge(bridge: Bridge | null): void {
  current = bridge;
}

export function getBridge(): Bridge {
  if (!current) throw new ApiError("no_bridge", "The backend bridge is not connected yet");
  return current;
}

export function call<M extends MethodName>(
  method: M,
  kwargs?: MethodArgs<M>,
): Promise<MethodResult<M>> {
  return getBridge().call(method, kwargs);
}

export function subscribe<T extends EventType>(type: T, handler: EventHandler<T>): () => void {
  return getBridge().subscribe(type, handler);
}
