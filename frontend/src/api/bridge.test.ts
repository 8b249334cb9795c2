import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ApiError,
  connectBridge,
  createDesktopBridge,
  createWebBridge,
  readToken,
  TOKEN_STORAGE_KEY,
  unwrapEnvelope,
} from "./bridge";

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

class FakeEventSource {
  static instances: FakeEventSource[] = [];
  url: string;
  onmessage: ((msg: MessageEvent) => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  closed = false;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  message(data: unknown) {
    this.onmessage?.({
      data: typeof data === "string" ? data : JSON.stringify(data),
    } as MessageEvent);
  }
  close() {
    this.closed = true;
  }
}

afterEach(() => {
  FakeEventSource.instances = [];
  delete (window as unknown as Record<string, unknown>).__tensorshelf_event;
});

describe("unwrapEnvelope", () => {
  it("returns the result of an ok envelope", () => {
    expect(unwrapEnvelope({ ok: true, result: { total: 3 } })).toEqual({ total: 3 });
    expect(unwrapEnvelope({ ok: true, result: null })).toBeNull();
  });

  it("throws ApiError with code, message and details on ok:false", () => {
    try {
      unwrapEnvelope({
        ok: false,
        error: { code: "model_not_found", message: "no such model", details: { ref: "x" } },
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      const e = err as ApiError;
      expect(e.code).toBe("model_not_found");
      expect(e.message).toBe("no such model");
      expect(e.details).toEqual({ ref: "x" });
    }
  });

  it("accepts an envelope serialised as JSON text", () => {
    expect(unwrapEnvelope('{"ok": true, "result": [1, 2]}')).toEqual([1, 2]);
  });

  it("rejects anything that is not an envelope", () => {
    expect(() => unwrapEnvelope({ total: 3 })).toThrow(ApiError);
    expect(() => unwrapEnvelope("<html>")).toThrow(/not JSON/);
  });
});

describe("readToken", () => {
  it("takes the token from #token=…, keeps it in sessionStorage and strips it from the URL", () => {
    const replaceState = vi.fn();
    const token = readToken(
      { hash: "#token=abc123", pathname: "/", search: "" },
      window.sessionStorage,
      { replaceState },
    );
    expect(token).toBe("abc123");
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe("abc123");
    expect(replaceState).toHaveBeenCalledWith(null, "", "/");
  });

  it("survives a reload without the hash", () => {
    window.sessionStorage.setItem(TOKEN_STORAGE_KEY, "kept");
    expect(readToken({ hash: "", pathname: "/", search: "" }, window.sessionStorage, null)).toBe(
      "kept",
    );
  });

  it("returns null without hash or stored token", () => {
    expect(
      readToken({ hash: "#other=1", pathname: "/", search: "" }, window.sessionStorage, null),
    ).toBeNull();
  });
});

describe("web bridge", () => {
  it("POSTs kwargs with the bearer token and unwraps the envelope", async () => {
    const fetchImpl = vi
      .fn()
      .mockResolvedValue(jsonResponse({ ok: true, result: { total: 0, models: [] } }));
    const bridge = createWebBridge({
      token: "t0k",
      fetchImpl,
      EventSourceImpl: FakeEventSource as never,
    });
    const page = await bridge.call("list_models", { query: { family: "sdxl" } });
    expect(page).toEqual({ total: 0, models: [] });
    const [url, init] = fetchImpl.mock.calls[0];
    expect(url).toBe("/api/call/list_models");
    expect(init.method).toBe("POST");
    expect(init.headers.Authorization).toBe("Bearer t0k");
    expect(init.headers["Content-Type"]).toBe("application/json");
    expect(JSON.parse(init.body)).toEqual({ query: { family: "sdxl" } });
    expect(bridge.kind).toBe("web");
  });

  it("throws the backend's error from a 4xx envelope", async () => {
    const fetchImpl = vi
      .fn()
      .mockResolvedValue(
        jsonResponse(
          { ok: false, error: { code: "invalid_argument", message: "bad", details: {} } },
          400,
        ),
      );
    const bridge = createWebBridge({
      token: "t",
      fetchImpl,
      EventSourceImpl: FakeEventSource as never,
    });
    await expect(bridge.call("get_model", { ref: "x" })).rejects.toMatchObject({
      code: "invalid_argument",
      message: "bad",
    });
  });

  it("reports 401 without a JSON body as unauthorized", async () => {
    const fetchImpl = vi.fn().mockResolvedValue(new Response("nope", { status: 401 }));
    const bridge = createWebBridge({
      token: "t",
      fetchImpl,
      EventSourceImpl: FakeEventSource as never,
    });
    await expect(bridge.call("get_status", {})).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("reports a failed connection as a network ApiError", async () => {
    const fetchImpl = vi.fn().mockRejectedValue(new TypeError("Failed to fetch"));
    const bridge = createWebBridge({
      token: "t",
      fetchImpl,
      EventSourceImpl: FakeEventSource as never,
    });
    await expect(bridge.call("get_status", {})).rejects.toMatchObject({ code: "network" });
  });

  it("dispatches SSE messages to the subscribers of their type only", () => {
    const bridge = createWebBridge({
      token: "a b",
      fetchImpl: vi.fn(),
      EventSourceImpl: FakeEventSource as never,
    });
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe("/api/events?token=a%20b");
    const changed = vi.fn();
    const progress = vi.fn();
    const off = bridge.subscribe("library.changed", changed);
    bridge.subscribe("job.progress", progress);

    source.message({
      type: "library.changed",
      payload: { ids: ["m1"], reason: "import", elsewhere: false },
    });
    expect(changed).toHaveBeenCalledWith({ ids: ["m1"], reason: "import", elsewhere: false });
    expect(progress).not.toHaveBeenCalled();

    source.message("not json at all"); // ignored, no throw
    off();
    source.message({
      type: "library.changed",
      payload: { ids: ["m2"], reason: "edit", elsewhere: false },
    });
    expect(changed).toHaveBeenCalledTimes(1);

    bridge.close();
    expect(source.closed).toBe(true);
  });

  it("announces a reconnect after the stream dropped", () => {
    const bridge = createWebBridge({
      token: "t",
      fetchImpl: vi.fn(),
      EventSourceImpl: FakeEventSource as never,
    });
    const source = FakeEventSource.instances[0];
    const onReconnect = vi.fn();
    bridge.onReconnect(onReconnect);
    source.onopen?.();
    expect(onReconnect).not.toHaveBeenCalled(); // first open is not a reconnect
    source.onerror?.();
    source.onopen?.();
    expect(onReconnect).toHaveBeenCalledTimes(1);
  });
});

describe("desktop bridge", () => {
  it("calls window.pywebview.api.<method>(kwargs) and unwraps", async () => {
    const api = {
      get_model: vi
        .fn()
        .mockResolvedValue({ ok: true, result: { model: { id: "x" }, library_dir: "/l" } }),
    };
    const target = {} as Record<string, unknown>;
    const bridge = createDesktopBridge(api, target);
    const detail = await bridge.call("get_model", { ref: "x" });
    expect(api.get_model).toHaveBeenCalledWith({ ref: "x" });
    expect(detail.library_dir).toBe("/l");
    expect(bridge.kind).toBe("desktop");
  });

  it("throws ApiError from an error envelope and for unknown methods", async () => {
    const api = {
      cancel_job: vi
        .fn()
        .mockResolvedValue({ ok: false, error: { code: "job_not_found", message: "gone" } }),
    };
    const bridge = createDesktopBridge(api, {});
    await expect(bridge.call("cancel_job", { job_id: "j" })).rejects.toMatchObject({
      code: "job_not_found",
    });
    await expect(bridge.call("scan", {})).rejects.toMatchObject({ code: "unknown_method" });
  });

  it("holds a drop that arrives before anyone listens, and delivers it once", () => {
    const target = {} as Record<string, (evt: unknown) => void>;
    const bridge = createDesktopBridge({}, target);
    target.__tensorshelf_event({ type: "files.dropped", payload: { paths: ["/early.gguf"] } });
    target.__tensorshelf_event({ type: "job.progress", payload: { job_id: "x" } }); // not held
    const dropped = vi.fn();
    const progress = vi.fn();
    bridge.subscribe("job.progress", progress);
    bridge.subscribe("files.dropped", dropped);
    expect(dropped).toHaveBeenCalledWith({ paths: ["/early.gguf"] });
    expect(progress).not.toHaveBeenCalled();
    const again = vi.fn();
    bridge.subscribe("files.dropped", again);
    expect(again).not.toHaveBeenCalled();
  });

  it("receives events through window.__tensorshelf_event", () => {
    const target = {} as Record<string, (evt: unknown) => void>;
    const bridge = createDesktopBridge({}, target);
    const dropped = vi.fn();
    bridge.subscribe("files.dropped", dropped);
    target.__tensorshelf_event({
      type: "files.dropped",
      payload: { paths: ["/a b/ü.safetensors"] },
    });
    expect(dropped).toHaveBeenCalledWith({ paths: ["/a b/ü.safetensors"] });
  });
});

describe("connectBridge", () => {
  it("uses the web bridge when a token is known", async () => {
    const bridge = await connectBridge({ token: "tok", target: window });
    expect(bridge.kind).toBe("web");
    bridge.close();
  });

  it("uses pywebview when its api is already there", async () => {
    const target = Object.assign(new EventTarget(), {
      pywebview: { api: { get_status: vi.fn() } },
    });
    const bridge = await connectBridge({ token: null, target: target as unknown as Window });
    expect(bridge.kind).toBe("desktop");
  });

  it("waits for pywebviewready", async () => {
    const target = new EventTarget() as EventTarget & { pywebview?: unknown };
    const pending = connectBridge({
      token: null,
      target: target as unknown as Window,
      waitMs: 1000,
    });
    target.pywebview = {
      api: { get_status: vi.fn().mockResolvedValue({ ok: true, result: { version: "1" } }) },
    };
    target.dispatchEvent(new Event("pywebviewready"));
    const bridge = await pending;
    expect(bridge.kind).toBe("desktop");
    await expect(bridge.call("get_status", {})).resolves.toEqual({ version: "1" });
  });

  it("fails with no_bridge when neither transport appears", async () => {
    const target = new EventTarget();
    await expect(
      connectBridge({ token: null, target: target as unknown as Window, waitMs: 10 }),
    ).rejects.toMatchObject({
      code: "no_bridge",
    });
  });
});
